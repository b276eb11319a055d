#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generate ovseal's own sample and test models.

    python samples/make_models.py OUTDIR [--only NAME ...] [--check]

Writes, under OUTDIR:

    cnn/model.xml, cnn/model.bin        small CNN (2x conv/relu/maxpool, flatten, dense, softmax),
                                        input "input" 1x3x32x32 f32, output "probs" 1x10
    mlp/model.xml, mlp/model.bin        MLP, input "input" 1x64 f32, output "logits" 1x10
    onnx/model.onnx                     ONNX Gemm/Relu/Gemm, input "input" 1x32 f32, output "logits" 1x10
    marker/model.xml, marker/model.bin  MLP whose .bin holds MARKER many times (> 4 chunks of 64 KiB)
    sample/model.xml, sample/model.bin  the README demo model ("ovseal-sample-cnn")

Nothing is downloaded. Every weight comes from numpy.random.default_rng with a fixed seed, so the output
bytes are the same on every run (for a given OpenVINO / onnx version). With --check, each model is also
compiled and run once on CPU.
"""

import argparse
import os
import re
import sys

import numpy as np

MARKER = b"OVSEAL-PLAINTEXT-MARKER-7f3a9c2e"
assert len(MARKER) == 32

MODELS = ("cnn", "mlp", "onnx", "marker", "sample")


def _ov():
    import openvino as ov
    import openvino.opset13 as ops
    return ov, ops


def _f32(rng, shape, scale):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def _param(ops, ov, name, shape):
    p = ops.parameter(shape, np.float32, name=name)
    p.output(0).set_names({name})
    return p


def _result(ops, node, name):
    # The output tensor's only name and the Result's friendly name are both NAME, so every API that asks
    # for "the output's name" (get_any_name, get_names, the Result's friendly name) answers NAME.
    node.set_friendly_name(f"{name}/{node.get_type_name().lower()}")
    node.output(0).set_names({name})
    r = ops.result(node)
    r.set_friendly_name(name)
    return r


def _dense(ops, x, w, b):
    return ops.add(ops.matmul(x, ops.constant(w), False, False), ops.constant(b))


def build_cnn(seed, model_name):
    ov, ops = _ov()
    rng = np.random.default_rng(seed)
    x = _param(ops, ov, "input", [1, 3, 32, 32])
    w1 = _f32(rng, (8, 3, 3, 3), 0.3)
    b1 = _f32(rng, (1, 8, 1, 1), 0.1)
    c1 = ops.convolution(x, ops.constant(w1), [1, 1], [1, 1], [1, 1], [1, 1])
    r1 = ops.relu(ops.add(c1, ops.constant(b1)))
    p1 = ops.max_pool(r1, [2, 2], [1, 1], [0, 0], [0, 0], [2, 2])
    w2 = _f32(rng, (16, 8, 3, 3), 0.15)
    b2 = _f32(rng, (1, 16, 1, 1), 0.1)
    c2 = ops.convolution(p1.output(0), ops.constant(w2), [1, 1], [1, 1], [1, 1], [1, 1])
    r2 = ops.relu(ops.add(c2, ops.constant(b2)))
    p2 = ops.max_pool(r2, [2, 2], [1, 1], [0, 0], [0, 0], [2, 2])  # 1x16x8x8
    flat = ops.reshape(p2.output(0), ops.constant(np.array([1, 16 * 8 * 8], dtype=np.int64)), False)
    w3 = _f32(rng, (16 * 8 * 8, 10), 0.05)
    b3 = _f32(rng, (10,), 0.1)
    logits = _dense(ops, flat, w3, b3)
    probs = ops.softmax(logits, 1)
    return ov.Model([_result(ops, probs, "probs")], [x], model_name)


def build_mlp(seed, model_name):
    ov, ops = _ov()
    rng = np.random.default_rng(seed)
    x = _param(ops, ov, "input", [1, 64])
    h = ops.relu(_dense(ops, x, _f32(rng, (64, 128), 0.15), _f32(rng, (128,), 0.05)))
    h = ops.relu(_dense(ops, h, _f32(rng, (128, 64), 0.1), _f32(rng, (64,), 0.05)))
    y = _dense(ops, h, _f32(rng, (64, 10), 0.15), _f32(rng, (10,), 0.05))
    return ov.Model([_result(ops, y, "logits")], [x], model_name)


def build_marker(seed, model_name, repeats=8192):
    """MLP with an extra u8 constant made of MARKER repeated (8192 x 32 bytes = 256 KiB) that feeds a bias,
    so the marker bytes stay in the .bin verbatim and the .bin spans several 64 KiB chunks."""
    ov, ops = _ov()
    rng = np.random.default_rng(seed)
    x = _param(ops, ov, "input", [1, 64])
    marker = np.frombuffer(MARKER * repeats, dtype=np.uint8).reshape(repeats, 32)
    mbias = ops.reduce_mean(ops.convert(ops.constant(marker), np.float32),
                            ops.constant(np.array([0], dtype=np.int64)), False)  # [32]
    mbias = ops.multiply(ops.subtract(mbias, ops.constant(np.float32(80.0))),
                         ops.constant(np.float32(1.0 / 255.0)))
    h = ops.add(_dense(ops, x, _f32(rng, (64, 32), 0.15), _f32(rng, (32,), 0.05)), mbias)
    h = ops.relu(h)
    y = _dense(ops, h, _f32(rng, (32, 10), 0.2), _f32(rng, (10,), 0.05))
    return ov.Model([_result(ops, y, "logits")], [x], model_name)


def build_onnx(path, seed):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    inits = [
        numpy_helper.from_array(_f32(rng, (32, 64), 0.2), "W1"),
        numpy_helper.from_array(_f32(rng, (64,), 0.05), "B1"),
        numpy_helper.from_array(_f32(rng, (64, 10), 0.15), "W2"),
        numpy_helper.from_array(_f32(rng, (10,), 0.05), "B2"),
    ]
    nodes = [
        helper.make_node("Gemm", ["input", "W1", "B1"], ["h1"], name="gemm1"),
        helper.make_node("Relu", ["h1"], ["r1"], name="relu1"),
        helper.make_node("Gemm", ["r1", "W2", "B2"], ["logits"], name="gemm2"),
    ]
    graph = helper.make_graph(
        nodes, "ovseal-test-onnx",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 32])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])],
        initializer=inits)
    model = helper.make_model(graph, producer_name="ovseal-make-models", producer_version="1",
                              opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(model.SerializeToString())


def _stable_names(model):
    """Replace OpenVINO's automatic friendly names ("MatMul_5473", numbered by a process-wide counter) with
    names numbered in topological order, so the .xml is byte-identical whatever ran before in the process."""
    for i, op in enumerate(model.get_ordered_ops()):
        if re.fullmatch(re.escape(op.get_type_name()) + r"_\d+", op.get_friendly_name()):
            op.set_friendly_name(f"{op.get_type_name()}_{i}")
    return model


def _save_ir(model, outdir):
    ov, _ = _ov()
    _stable_names(model)
    os.makedirs(outdir, exist_ok=True)
    path = os.path.join(outdir, "model.xml")
    ov.save_model(model, path, compress_to_fp16=False)
    return path


def make(name, outdir):
    """Write model NAME under OUTDIR/NAME; return the path of the file to seal (model.xml or model.onnx)."""
    d = os.path.join(outdir, name)
    if name == "cnn":
        return _save_ir(build_cnn(1001, "ovseal-test-cnn"), d)
    if name == "mlp":
        return _save_ir(build_mlp(1002, "ovseal-test-mlp"), d)
    if name == "marker":
        path = _save_ir(build_marker(1004, "ovseal-test-marker"), d)
        with open(os.path.join(d, "model.bin"), "rb") as f:
            count = f.read().count(MARKER)
        if count < 1000:
            raise RuntimeError(f"marker model: marker found only {count} times in model.bin")
        return path
    if name == "onnx":
        path = os.path.join(d, "model.onnx")
        build_onnx(path, 1003)
        return path
    if name == "sample":
        return _save_ir(build_cnn(2026, "ovseal-sample-cnn"), d)
    raise ValueError(f"unknown model {name!r}")


def check(path):
    """Compile PATH on CPU and run it once on fixed random inputs."""
    ov, _ = _ov()
    compiled = ov.Core().compile_model(path, "CPU")
    rng = np.random.default_rng(0)
    inputs = {p.get_any_name(): rng.standard_normal(list(p.get_shape())).astype(np.float32)
              for p in compiled.inputs}
    res = compiled(inputs)
    outs = {o.get_any_name(): res[o] for o in compiled.outputs}
    for k, v in outs.items():
        if not np.all(np.isfinite(v)):
            raise RuntimeError(f"{path}: output {k} is not finite")
    return outs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--only", nargs="+", choices=MODELS, metavar="NAME",
                    help="models to write (default: all): " + ", ".join(MODELS))
    ap.add_argument("--check", action="store_true", help="compile and run each model once on CPU")
    args = ap.parse_args(argv)
    for name in args.only or MODELS:
        path = make(name, args.outdir)
        line = path
        if args.check:
            outs = check(path)
            line += "  " + ", ".join(f"{k}{list(v.shape)}" for k, v in outs.items())
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
