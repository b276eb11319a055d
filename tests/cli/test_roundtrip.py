# SPDX-License-Identifier: Apache-2.0
"""A sealed model gives the same outputs as the plain model, bit for bit."""

import numpy as np
import pytest


def run_outputs(cli, wd, label, model, *extra, env=None):
    out = wd / label
    out.mkdir()
    cli.ok("run", model, "-d", "CPU", "--save-outputs", out, *extra, env=env)
    return out


def reference(model_path, x):
    """Outputs of the plain model in the Python OpenVINO runtime (f32), for a sanity check of --input."""
    import openvino as ov
    compiled = ov.Core().compile_model(str(model_path), "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    res = compiled({"input": x})
    return {o.get_any_name(): res[o] for o in compiled.outputs}


def check_output_files(h, out_dir, model):
    out_name = h.MODELS[model][2]
    outs = h.load_outputs(out_dir)
    assert sorted(outs) == [out_name + ".npy"], "run --save-outputs must write <output name>.npy"
    y = outs[out_name + ".npy"][1]
    assert y.dtype == np.float32 and y.shape == (1, 10)
    assert np.all(np.isfinite(y))
    return y


@pytest.mark.parametrize("model", ["cnn", "mlp", "onnx"])
def test_sealed_equals_plain_random_inputs(cli, h, wd, models, secrets, seal, model):
    sealed = seal(model)
    plain_out = run_outputs(cli, wd, "plain", models[model])
    sealed_out = run_outputs(cli, wd, "sealed", sealed, "--key-file", secrets.key1)
    h.assert_same_outputs(plain_out, sealed_out)
    check_output_files(h, plain_out, model)


@pytest.mark.parametrize("model", ["cnn", "mlp", "onnx"])
def test_sealed_equals_plain_explicit_inputs(cli, h, wd, models, secrets, seal, model):
    shape = h.MODELS[model][1]
    x = np.random.default_rng(7).standard_normal(shape).astype(np.float32)
    xfile = wd / "x.npy"
    np.save(xfile, x)
    sealed = seal(model)
    plain_out = run_outputs(cli, wd, "plain", models[model], "--input", f"input={xfile}")
    sealed_out = run_outputs(cli, wd, "sealed", sealed, "--key-file", secrets.key1,
                             "--input", f"input={xfile}")
    h.assert_same_outputs(plain_out, sealed_out)
    y = check_output_files(h, plain_out, model)
    # The input file was really used: the outputs match the Python runtime's on the same input (within the
    # error of a bf16 default inference precision, far below the change a different input makes).
    ref = reference(models[model], x)[h.MODELS[model][2]]
    assert np.allclose(y, ref, rtol=0, atol=0.05), np.abs(y - ref).max()


def test_sealed_equals_plain_iterations(cli, h, wd, models, secrets, seal):
    sealed = seal("cnn")
    plain_out = run_outputs(cli, wd, "plain", models["cnn"])
    sealed_out = run_outputs(cli, wd, "sealed", sealed, "--key-file", secrets.key1, "--iterations", "3")
    h.assert_same_outputs(plain_out, sealed_out)


def test_sealed_equals_plain_passphrase(cli, h, wd, models, secrets, seal):
    sealed = seal("mlp", "pass1")
    info = h.inspect_json(cli, sealed)
    assert [s["type"] for s in info["stanzas"]] == ["scrypt"]
    plain_out = run_outputs(cli, wd, "plain", models["mlp"])
    sealed_out = run_outputs(cli, wd, "sealed", sealed, "--passphrase-file", secrets.pass1)
    h.assert_same_outputs(plain_out, sealed_out)


def test_sealed_sample_model(cli, h, wd, models, secrets, seal):
    sealed = seal("sample", "key1", "--name", "ovseal-sample-cnn")
    plain_out = run_outputs(cli, wd, "plain", models["sample"])
    sealed_out = run_outputs(cli, wd, "sealed", sealed, "--key-file", secrets.key1)
    h.assert_same_outputs(plain_out, sealed_out)
    check_output_files(h, sealed_out, "sample")


def test_passphrase_file_newline_and_env(cli, h, wd, seal):
    """The passphrase file's one trailing newline (or CRLF) is stripped (FORMAT.md §7.2); the passphrase
    can also come from OVSEAL_PASSPHRASE."""
    sealed = seal("mlp", "pass1")
    for i, content in enumerate([h.PASSPHRASE.encode(), h.PASSPHRASE.encode() + b"\r\n"]):
        p = wd / f"p{i}"
        p.write_bytes(content)
        r = cli.ok("verify", sealed, "--passphrase-file", p)
        assert "OK" in r.stdout
    # Two newlines: only one is stripped, so the passphrase is wrong.
    p = wd / "p-two-newlines"
    p.write_bytes(h.PASSPHRASE.encode() + b"\n\n")
    h.assert_error(cli("verify", sealed, "--passphrase-file", p), "no_matching_key", "passphrase")
    env = h.base_env()
    env["OVSEAL_PASSPHRASE"] = h.PASSPHRASE
    r = cli.ok("verify", sealed, env=env)
    assert "OK" in r.stdout


def test_seal_is_fresh_each_time(cli, h, seal):
    """Every seal draws a new file key and salt: two seals of one model differ, and both verify."""
    a = seal("mlp", "key1", "--chunk-size", h.SMALL_CHUNK, tag="a")
    b = seal("mlp", "key1", "--chunk-size", h.SMALL_CHUNK, tag="b")
    da, db = a.read_bytes(), b.read_bytes()
    assert len(da) == len(db)
    H = h.header_length(da)
    assert da[H:H + 64] != db[H:H + 64]


def test_seal_for_key_file_and_passphrase(cli, h, wd, models, secrets, seal):
    """--key-file and --passphrase-file together wrap the file key twice; either opens the model alone."""
    sealed = seal("mlp", "key1", "--passphrase-file", secrets.pass1, "--scrypt-log2n", "16")
    info = h.inspect_json(cli, sealed)
    assert [s["type"] for s in info["stanzas"]] == ["key", "scrypt"]
    plain_out = run_outputs(cli, wd, "plain", models["mlp"])
    by_key = run_outputs(cli, wd, "by-key", sealed, "--key-file", secrets.key1)
    by_passphrase = run_outputs(cli, wd, "by-passphrase", sealed, "--passphrase-file", secrets.pass1)
    h.assert_same_outputs(plain_out, by_key)
    h.assert_same_outputs(plain_out, by_passphrase)
    h.assert_error(cli("verify", sealed, "--key-file", secrets.key2), "no_matching_key")


def test_thread_count_option(cli, h, wd, models, secrets):
    """--threads (before or after the command) changes only the speed: same file contents, same outputs."""
    one = wd / "one.ovseal"
    cli.ok("--threads", "1", "seal", models["mlp"], "-o", one, "--key-file", secrets.key1, "--chunk-size", "65536")
    plain_out = run_outputs(cli, wd, "plain", models["mlp"])
    single = run_outputs(cli, wd, "single", one, "--key-file", secrets.key1, "--threads", "1")
    many = run_outputs(cli, wd, "many", one, "--key-file", secrets.key1, "--threads", "8")
    h.assert_same_outputs(plain_out, single)
    h.assert_same_outputs(plain_out, many)
    h.assert_error(cli("verify", one, "--key-file", secrets.key1, "--threads", "0"), "usage")
