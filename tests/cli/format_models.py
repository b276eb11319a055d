# SPDX-License-Identifier: Apache-2.0
"""Small models in the formats OpenVINO reads from files, besides IR and single-file ONNX, made here with
pinned packages (onnx, flatbuffers + tflite, paddlepaddle). Nothing is downloaded; weights come from
numpy.random.default_rng with fixed seeds.

    onnx_external(dir, marker)  ONNX Gemm/Relu/Gemm whose tensors live in weights.data beside model.onnx;
                                with `marker`, a second output "marker" is a constant full of MARKER
    tflite_model(dir)           TensorFlow Lite FULLY_CONNECTED(+RELU) -> SOFTMAX, input "input" 1x32,
                                output "probs" 1x10
    tf_frozen(dir)              TensorFlow frozen GraphDef model.pb: MatMul, BiasAdd, Softmax, input "input"
                                1x32, output "probs" 1x10
    tf_saved_model(dir)         the same graph as a SavedModel folder (saved_model.pb, tag "serve", signature
                                "serving_default", no variables)
    paddle_model(dir)           PaddlePaddle static program Linear(ReLU(x)) -> softmax, model.pdmodel and
                                model.pdiparams, input "input" 1x32 (run in a child process: Paddle is slow
                                to import and sets process-wide state)
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "samples"))
import make_models  # noqa: E402  (build_onnx, MARKER)

EXTERNAL_DATA = "weights.data"


def onnx_external(d, marker=False):
    import onnx
    from onnx import TensorProto, helper

    d = Path(d)
    d.mkdir(parents=True, exist_ok=True)
    single = d / "single.onnx"
    make_models.build_onnx(str(single), 1003)
    model = onnx.load(str(single))
    single.unlink()
    if marker:
        repeats = 1024
        data = np.frombuffer(make_models.MARKER * repeats, dtype=np.uint8)
        model.graph.initializer.append(onnx.numpy_helper.from_array(data, "M"))
        model.graph.node.append(helper.make_node("Identity", ["M"], ["marker"], name="marker_identity"))
        model.graph.output.append(helper.make_tensor_value_info("marker", TensorProto.UINT8, [data.size]))
    path = d / "model.onnx"
    onnx.save_model(model, str(path), save_as_external_data=True, all_tensors_to_one_file=True,
                    location=EXTERNAL_DATA, size_threshold=0)
    onnx.checker.check_model(str(path))
    assert (d / EXTERNAL_DATA).is_file()
    return path


def tflite_model(d):
    """Written with the flatbuffers builder against the TFLite schema (field slots as in schema.fbs); the
    tflite package supplies the enum values."""
    import flatbuffers
    from tflite.ActivationFunctionType import ActivationFunctionType
    from tflite.BuiltinOperator import BuiltinOperator
    from tflite.BuiltinOptions import BuiltinOptions
    from tflite.TensorType import TensorType

    rng = np.random.default_rng(1005)
    weights = (rng.standard_normal((10, 32)) * 0.2).astype(np.float32)  # [out, in], as TFLite stores it
    bias = (rng.standard_normal(10) * 0.05).astype(np.float32)

    b = flatbuffers.Builder(1024)

    def int_vector(values):
        b.StartVector(4, len(values), 4)
        for v in reversed(values):
            b.PrependInt32(v)
        return b.EndVector()

    def offset_vector(offsets):
        b.StartVector(4, len(offsets), 4)
        for o in reversed(offsets):
            b.PrependUOffsetTRelative(o)
        return b.EndVector()

    def buffer(data):
        vec = b.CreateByteVector(data) if data is not None else None
        b.StartObject(3)  # Buffer: data
        if vec is not None:
            b.PrependUOffsetTRelativeSlot(0, vec, 0)
        return b.EndObject()

    def tensor(name, shape, buffer_index):
        name_off, shape_off = b.CreateString(name), int_vector(shape)
        b.StartObject(9)  # Tensor: shape, type, buffer, name
        b.PrependUOffsetTRelativeSlot(0, shape_off, 0)
        b.PrependInt8Slot(1, TensorType.FLOAT32, -1)
        b.PrependUint32Slot(2, buffer_index, 0xFFFFFFFF)
        b.PrependUOffsetTRelativeSlot(3, name_off, 0)
        return b.EndObject()

    def operator(opcode_index, inputs, outputs, options_type, options):
        in_off, out_off = int_vector(inputs), int_vector(outputs)
        b.StartObject(6)  # Operator: opcode_index, inputs, outputs, builtin_options_type, builtin_options
        b.PrependUint32Slot(0, opcode_index, 0xFFFFFFFF)
        b.PrependUOffsetTRelativeSlot(1, in_off, 0)
        b.PrependUOffsetTRelativeSlot(2, out_off, 0)
        b.PrependUint8Slot(3, options_type, 0xFF)
        b.PrependUOffsetTRelativeSlot(4, options, 0)
        return b.EndObject()

    def opcode(code):
        b.StartObject(4)  # OperatorCode: deprecated_builtin_code, custom_code, version, builtin_code
        b.PrependInt8Slot(0, code, -1)
        b.PrependInt32Slot(2, 1, 0)
        b.PrependInt32Slot(3, code, -1)
        return b.EndObject()

    buffers = [buffer(None), buffer(weights.tobytes()), buffer(bias.tobytes()), buffer(None), buffer(None)]
    tensors = [tensor("input", [1, 32], 0), tensor("fc_weights", [10, 32], 1), tensor("fc_bias", [10], 2),
               tensor("hidden", [1, 10], 3), tensor("probs", [1, 10], 4)]
    b.StartObject(5)  # FullyConnectedOptions: fused_activation_function
    b.PrependInt8Slot(0, ActivationFunctionType.RELU, 0)
    fc_options = b.EndObject()
    b.StartObject(1)  # SoftmaxOptions: beta
    b.PrependFloat32Slot(0, 1.0, 0.0)
    softmax_options = b.EndObject()
    operators = [operator(0, [0, 1, 2], [3], BuiltinOptions.FullyConnectedOptions, fc_options),
                 operator(1, [3], [4], BuiltinOptions.SoftmaxOptions, softmax_options)]

    tensors_off, operators_off = offset_vector(tensors), offset_vector(operators)
    inputs_off, outputs_off, sub_name = int_vector([0]), int_vector([4]), b.CreateString("main")
    b.StartObject(5)  # SubGraph: tensors, inputs, outputs, operators, name
    b.PrependUOffsetTRelativeSlot(0, tensors_off, 0)
    b.PrependUOffsetTRelativeSlot(1, inputs_off, 0)
    b.PrependUOffsetTRelativeSlot(2, outputs_off, 0)
    b.PrependUOffsetTRelativeSlot(3, operators_off, 0)
    b.PrependUOffsetTRelativeSlot(4, sub_name, 0)
    subgraph = b.EndObject()

    codes_off = offset_vector([opcode(BuiltinOperator.FULLY_CONNECTED), opcode(BuiltinOperator.SOFTMAX)])
    subgraphs_off, buffers_off = offset_vector([subgraph]), offset_vector(buffers)
    description = b.CreateString("ovseal test model")
    b.StartObject(5)  # Model: version, operator_codes, subgraphs, description, buffers
    b.PrependUint32Slot(0, 3, 0)
    b.PrependUOffsetTRelativeSlot(1, codes_off, 0)
    b.PrependUOffsetTRelativeSlot(2, subgraphs_off, 0)
    b.PrependUOffsetTRelativeSlot(3, description, 0)
    b.PrependUOffsetTRelativeSlot(4, buffers_off, 0)
    b.Finish(b.EndObject(), file_identifier=b"TFL3")

    d = Path(d)
    d.mkdir(parents=True, exist_ok=True)
    path = d / "model.tflite"
    path.write_bytes(bytes(b.Output()))
    return path


# TensorFlow is far too large to install for two test models: the protobuf messages are written directly in
# the wire format (field numbers from tensorflow/core/framework/*.proto and protobuf/meta_graph.proto).

def _varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def _msg(number, payload):
    payload = payload.encode() if isinstance(payload, str) else payload
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _int(number, value):
    return _varint(number << 3) + _varint(value)


DT_FLOAT = 1


def _shape(dims):                       # TensorShapeProto.dim { size }
    return b"".join(_msg(2, _int(1, d)) for d in dims)


def _entry(key, value):                 # a map<string, ...> entry
    return _msg(1, key) + _msg(2, value)


def _node(name, op, inputs=(), attrs=()):  # NodeDef: name, op, input, attr
    return _msg(1, _msg(1, name) + _msg(2, op) + b"".join(_msg(3, i) for i in inputs)
                + b"".join(_msg(5, _entry(k, v)) for k, v in attrs))


def _const(name, array):                # AttrValue.tensor: TensorProto dtype, tensor_shape, tensor_content
    tensor = _int(1, DT_FLOAT) + _msg(2, _shape(array.shape)) + _msg(4, array.astype("<f4").tobytes())
    return _node(name, "Const", attrs=[("dtype", _int(6, DT_FLOAT)), ("value", _msg(8, tensor))])


def _graph_def():
    rng = np.random.default_rng(1007)
    w = (rng.standard_normal((32, 10)) * 0.2).astype(np.float32)
    b = (rng.standard_normal(10) * 0.05).astype(np.float32)
    t = [("T", _int(6, DT_FLOAT))]
    return (_node("input", "Placeholder", attrs=[("dtype", _int(6, DT_FLOAT)), ("shape", _msg(7, _shape([1, 32])))])
            + _const("w", w) + _const("b", b)
            + _node("mm", "MatMul", ["input", "w"], t) + _node("add", "BiasAdd", ["mm", "b"], t)
            + _node("probs", "Softmax", ["add"], t)
            + _msg(4, _int(1, 1000)))  # versions { producer }


def tf_frozen(d):
    d = Path(d)
    d.mkdir(parents=True, exist_ok=True)
    path = d / "model.pb"
    path.write_bytes(_graph_def())
    return path


def tf_saved_model(d):
    def tensor_info(name, dims):        # TensorInfo: name, dtype, tensor_shape
        return _msg(1, name) + _int(2, DT_FLOAT) + _msg(3, _shape(dims))
    signature = (_msg(1, _entry("input", tensor_info("input:0", [1, 32])))
                 + _msg(2, _entry("probs", tensor_info("probs:0", [1, 10])))
                 + _msg(3, "tensorflow/serving/predict"))
    meta_graph = _msg(1, _msg(4, "serve")) + _msg(2, _graph_def()) + _msg(5, _entry("serving_default", signature))
    d = Path(d) / "model"
    d.mkdir(parents=True, exist_ok=True)
    (d / "saved_model.pb").write_bytes(_int(1, 1) + _msg(2, meta_graph))  # SavedModel: version, meta_graphs
    return d


PADDLE_SCRIPT = textwrap.dedent("""
    import os, sys
    os.environ["FLAGS_enable_pir_api"] = "0"  # the .pdmodel program format OpenVINO reads, not PIR JSON
    import paddle
    paddle.seed(1006)
    paddle.enable_static()
    main, startup = paddle.static.Program(), paddle.static.Program()
    with paddle.static.program_guard(main, startup):
        x = paddle.static.data(name="input", shape=[1, 32], dtype="float32")
        y = paddle.nn.functional.softmax(paddle.nn.Linear(32, 10)(paddle.nn.functional.relu(x)))
    exe = paddle.static.Executor(paddle.CPUPlace())
    exe.run(startup)
    paddle.static.save_inference_model(sys.argv[1], [x], [y], exe, program=main)
""")


def paddle_model(d):
    d = Path(d)
    d.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, GLOG_minloglevel="2")
    subprocess.run([sys.executable, "-c", PADDLE_SCRIPT, str(d / "model")], check=True, env=env,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    assert (d / "model.pdiparams").is_file()
    return d / "model.pdmodel"
