# SPDX-License-Identifier: Apache-2.0
"""Sealing the formats OpenVINO reads from files: ONNX with external data, TensorFlow (frozen .pb and SavedModel),
TensorFlow Lite and PaddlePaddle are converted to IR in locked memory, single-file ONNX is kept (or converted with
--convert-to-ir). Every sealed model computes exactly what its plain original does."""

import shutil

import pytest

from format_models import EXTERNAL_DATA, onnx_external, paddle_model, tf_frozen, tf_saved_model, tflite_model

CONVERTED = ["onnx_external", "tflite", "paddle", "tf_frozen", "tf_saved_model"]

IR_KINDS = ["openvino-ir-xml", "openvino-ir-bin"]


@pytest.fixture(scope="module")
def format_models(tmp_path_factory):
    d = tmp_path_factory.mktemp("fm")
    return {"onnx_external": onnx_external(d / "oe"), "tflite": tflite_model(d / "tfl"),
            "paddle": paddle_model(d / "pd"), "tf_frozen": tf_frozen(d / "tf"),
            "tf_saved_model": tf_saved_model(d / "sm")}


def run_outputs(cli, wd, label, model, *extra):
    out = wd / label
    out.mkdir()
    cli.ok("run", model, "-d", "CPU", "--save-outputs", out, *extra)
    return out


def seal_and_compare(cli, h, wd, secrets, model, *options):
    sealed = wd / "m.ovseal"
    r = cli.ok("seal", model, "-o", sealed, "--key-file", secrets.key1, *options)
    plain = run_outputs(cli, wd, "plain", model)
    opened = run_outputs(cli, wd, "sealed", sealed, "--key-file", secrets.key1)
    h.assert_same_outputs(plain, opened)
    return r, h.inspect_json(cli, sealed)


@pytest.mark.parametrize("fmt", CONVERTED)
def test_converted_model_equals_plain(cli, h, wd, secrets, format_models, fmt):
    r, info = seal_and_compare(cli, h, wd, secrets, format_models[fmt])
    assert "Converted to OpenVINO IR" in r.stdout, r.describe()
    assert [e["kind_name"] for e in info["entries"]] == IR_KINDS
    assert [e["name"] for e in info["entries"]] == ["model.xml", "model.bin"]
    assert info["metadata"]["name"] == "model"


def test_onnx_external_weights_really_external(format_models):
    model = format_models["onnx_external"]
    assert model.stat().st_size < 1024 < (model.parent / EXTERNAL_DATA).stat().st_size


def test_single_file_onnx_kept_by_default(cli, h, wd, models, secrets):
    r, info = seal_and_compare(cli, h, wd, secrets, models["onnx"])
    assert [e["kind_name"] for e in info["entries"]] == ["onnx"]
    assert "Converted" not in r.stdout
    wd2 = wd / "keep"
    wd2.mkdir()
    _, info = seal_and_compare(cli, h, wd2, secrets, models["onnx"], "--keep-format")
    assert [e["kind_name"] for e in info["entries"]] == ["onnx"]


def test_single_file_onnx_convert_to_ir(cli, h, wd, models, secrets):
    r, info = seal_and_compare(cli, h, wd, secrets, models["onnx"], "--convert-to-ir")
    assert [e["kind_name"] for e in info["entries"]] == IR_KINDS
    assert "Converted to OpenVINO IR" in r.stdout


def test_ir_is_sealed_as_it_is_with_convert_to_ir(cli, h, wd, models, secrets):
    _, info = seal_and_compare(cli, h, wd, secrets, models["mlp"], "--convert-to-ir")
    sizes = [e["size"] for e in info["entries"]]
    assert sizes == [models["mlp"].stat().st_size, models["mlp"].with_suffix(".bin").stat().st_size]


@pytest.mark.parametrize("fmt", CONVERTED)
def test_keep_format_refuses_what_needs_converting(cli, h, wd, secrets, format_models, fmt):
    out = wd / "m.ovseal"
    h.assert_error(cli("seal", format_models[fmt], "-o", out, "--key-file", secrets.key1, "--keep-format"),
                   "unsupported_model", "convert")
    assert list(wd.iterdir()) == []


def test_keep_format_and_convert_to_ir_exclude_each_other(cli, h, wd, models, secrets):
    h.assert_error(cli("seal", models["onnx"], "-o", wd / "m.ovseal", "--key-file", secrets.key1,
                       "--keep-format", "--convert-to-ir"), "usage")
    assert list(wd.iterdir()) == []


def test_missing_external_data_is_io_error(cli, h, wd, secrets, format_models):
    src = format_models["onnx_external"].parent
    d = wd / "m"
    shutil.copytree(src, d)
    (d / EXTERNAL_DATA).unlink()
    out = wd / "m.ovseal"
    r = cli("seal", d / "model.onnx", "-o", out, "--key-file", secrets.key1)
    h.assert_error(r, "io", EXTERNAL_DATA)
    assert "external data" in r.error_message()
    assert not out.exists()


def test_broken_tflite_is_model_rejected(cli, h, wd, secrets):
    bad = wd / "bad.tflite"
    bad.write_bytes(b"\x1c\x00\x00\x00TFL3" + b"\xff" * 64)
    r = cli("seal", bad, "-o", wd / "m.ovseal", "--key-file", secrets.key1)
    h.assert_error(r, "model_rejected", "openvino")
    assert not (wd / "m.ovseal").exists()


def test_unknown_format_is_unsupported_model(cli, h, wd, secrets):
    other = wd / "model.h5"
    other.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(64))
    h.assert_error(cli("seal", other, "-o", wd / "m.ovseal", "--key-file", secrets.key1), "unsupported_model")


def test_conversion_progress(cli, h, wd, secrets, format_models):
    env = dict(h.base_env(), OVSEAL_PROGRESS="1")
    r = cli.ok("seal", format_models["tflite"], "-o", wd / "m.ovseal", "--key-file", secrets.key1, env=env)
    assert "converting 100%" in r.stderr, r.describe()
    assert r.stderr.index("converting 100%") < r.stderr.index("sealing 100%")

