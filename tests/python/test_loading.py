# SPDX-License-Identifier: Apache-2.0
"""Loading sealed models into OpenVINO from Python: openvino's own Model and CompiledModel, outputs equal to the
plain model's bit for bit, the decrypted weights living as long as OpenVINO keeps the model, typed errors."""

import gc
import threading

import numpy as np
import openvino as ov
import pytest

import ovseal
from conftest import MODELS, PASSPHRASE, infer
from test_errors import DAMAGE, damaged


@pytest.mark.parametrize("name", MODELS)
def test_read_model_with_key_file(core, sealed, secrets, inputs, plain_outputs, name):
    model = ovseal.read_model(core, sealed[name].with_key, key_file=secrets.key_file)
    assert type(model) is ov.Model
    assert np.array_equal(infer(core.compile_model(model, "CPU"), inputs[name]), plain_outputs[name])


def test_read_model_with_passphrase(core, sealed, inputs, plain_outputs):
    model = ovseal.read_model(core, sealed["cnn"].with_passphrase, passphrase=PASSPHRASE)
    assert np.array_equal(infer(core.compile_model(model, "CPU"), inputs["cnn"]), plain_outputs["cnn"])


def test_read_model_with_identity_license_and_trust(core, sealed, secrets, inputs, plain_outputs):
    model = ovseal.read_model(core, sealed["mlp"].signed, identity=secrets.device.identity,
                              licenses=[sealed["mlp"].license], trust=[secrets.publisher.public_key])
    assert np.array_equal(infer(core.compile_model(model, "CPU"), inputs["mlp"]), plain_outputs["mlp"])


def test_read_model_through_device_stanza(core, sealed, secrets, inputs, plain_outputs):
    model = ovseal.read_model(core, sealed["cnn"].to_device, identity=secrets.device.identity,
                              trust=secrets.publisher.public_key)
    assert np.array_equal(infer(core.compile_model(model, "CPU"), inputs["cnn"]), plain_outputs["cnn"])


@pytest.mark.parametrize("name", MODELS)
def test_compile_model(core, sealed, secrets, inputs, plain_outputs, name):
    compiled = ovseal.compile_model(core, sealed[name].with_key, "CPU", key_file=secrets.key_file)
    assert type(compiled) is ov.CompiledModel
    assert np.array_equal(infer(compiled, inputs[name]), plain_outputs[name])


@pytest.mark.parametrize("conversion,kinds", [("keep_format", [3]), ("to_ir", [1, 2])])
def test_onnx_sealed_as_it_is_or_as_ir(core, models, secrets, work, inputs, plain_outputs, conversion, kinds):
    out = work / "onnx.ovseal"
    ovseal.seal(models["onnx"], out, key_file=secrets.key_file, conversion=conversion)
    assert [e.kind for e in ovseal.inspect(out).entries] == kinds
    compiled = ovseal.compile_model(core, out, key_file=secrets.key_file)
    assert np.array_equal(infer(compiled, inputs["onnx"]), plain_outputs["onnx"])


def test_unknown_conversion_is_a_usage_error(models, secrets, work):
    with pytest.raises(ovseal.UsageError):
        ovseal.seal(models["onnx"], work / "x.ovseal", key_file=secrets.key_file, conversion="to_gguf")


def test_compile_model_with_config(core, sealed, secrets, inputs, plain_outputs):
    compiled = ovseal.compile_model(core, sealed["mlp"].with_key, "CPU", {"INFERENCE_NUM_THREADS": 1},
                                    key_file=secrets.key_file)
    assert compiled.get_property("INFERENCE_NUM_THREADS") == 1
    assert np.array_equal(infer(compiled, inputs["mlp"]), plain_outputs["mlp"])


@pytest.mark.parametrize("name", MODELS)
def test_compiled_model_outlives_the_python_model(core, sealed, secrets, inputs, plain_outputs, name):
    model = ovseal.read_model(core, sealed[name].with_key, key_file=secrets.key_file)
    compiled = core.compile_model(model, "CPU")
    del model
    gc.collect()
    for _ in range(3):
        assert np.array_equal(infer(compiled, inputs[name]), plain_outputs[name])
        gc.collect()


def test_model_outlives_its_compiled_model_and_compiles_again(core, sealed, secrets, inputs, plain_outputs):
    model = ovseal.read_model(core, sealed["cnn"].with_key, key_file=secrets.key_file)
    first = core.compile_model(model, "CPU")
    del first
    gc.collect()
    assert np.array_equal(infer(core.compile_model(model, "CPU"), inputs["cnn"]), plain_outputs["cnn"])


def test_many_models_loaded_and_freed(core, sealed, secrets, inputs, plain_outputs):
    compiled = [ovseal.compile_model(core, sealed["mlp"].with_key, key_file=secrets.key_file) for _ in range(8)]
    del compiled[::2]
    gc.collect()
    for c in compiled:
        assert np.array_equal(infer(c, inputs["mlp"]), plain_outputs["mlp"])


def test_threads_load_with_their_own_keys(core, sealed, secrets, inputs, plain_outputs):
    # The frontend's key ring is per thread: each thread opens only what its own keys open.
    results = {}

    def load(tag, path, keys):
        try:
            results[tag] = infer(ovseal.compile_model(core, path, **keys), inputs["mlp"])
        except ovseal.Error as error:
            results[tag] = error

    jobs = [("key", sealed["mlp"].with_key, {"key_file": secrets.key_file}),
            ("passphrase", sealed["mlp"].with_passphrase, {"passphrase": PASSPHRASE}),
            ("wrong", sealed["mlp"].with_key, {"key_file": secrets.other_key_file})] * 2
    threads = [threading.Thread(target=load, args=(f"{tag}{i}", path, keys))
               for i, (tag, path, keys) in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for tag, result in results.items():
        if tag.startswith("wrong"):
            assert isinstance(result, ovseal.NoMatchingKeyError)
        else:
            assert np.array_equal(result, plain_outputs["mlp"]), tag


def test_key_ring_does_not_outlive_the_call(core, sealed, secrets):
    ovseal.read_model(core, sealed["mlp"].with_key, key_file=secrets.key_file)
    with pytest.raises(ovseal.NoMatchingKeyError):
        ovseal.read_model(core, sealed["mlp"].with_key, key_file=secrets.other_key_file)


def test_thread_key_ring_is_cleared_after_the_call(core, sealed, secrets, monkeypatch):
    monkeypatch.delenv("OVSEAL_KEYRING", raising=False)
    ovseal.read_model(core, sealed["mlp"].with_key, key_file=secrets.key_file)
    fe = ovseal._frontend.frontend()
    with pytest.raises(Exception):
        fe.frontend.convert(fe.frontend.load(str(sealed["mlp"].with_key)))
    code, _ = fe.last_error()
    assert code != 0


def test_no_key_at_all_is_a_usage_error(core, sealed):
    with pytest.raises(ovseal.UsageError):
        ovseal.read_model(core, sealed["mlp"].with_key)


@pytest.mark.parametrize("case,change,expected", DAMAGE, ids=[c[0] for c in DAMAGE])
def test_damaged_file(core, sealed, secrets, work, case, change, expected):
    path = damaged(sealed["cnn"].with_key, work, change)
    with pytest.raises(expected):
        ovseal.read_model(core, path, key_file=secrets.key_file)


def test_wrong_key(core, sealed, secrets):
    with pytest.raises(ovseal.NoMatchingKeyError):
        ovseal.compile_model(core, sealed["mlp"].with_key, key_file=secrets.other_key_file)


def test_wrong_passphrase(core, sealed):
    with pytest.raises(ovseal.NoMatchingKeyError):
        ovseal.read_model(core, sealed["mlp"].with_passphrase, passphrase="not it")


def test_missing_key_file(core, sealed, work):
    with pytest.raises(ovseal.IoError):
        ovseal.read_model(core, sealed["mlp"].with_key, key_file=work / "absent.key")


def test_missing_sealed_file(core, secrets, work):
    with pytest.raises(ovseal.IoError):
        ovseal.read_model(core, work / "absent.ovseal", key_file=secrets.key_file)


def test_not_an_ovseal_file(core, models, secrets):
    with pytest.raises(ovseal.NotOvsealFileError):
        ovseal.read_model(core, models["mlp"].with_suffix(".bin"), key_file=secrets.key_file)


def test_untrusted_signer(core, sealed, secrets):
    with pytest.raises(ovseal.UntrustedSignerError):
        ovseal.read_model(core, sealed["mlp"].signed, key_file=secrets.key_file,
                          trust=[secrets.other_publisher.public_key])


def test_unsigned_file_with_a_trust_list(core, sealed, secrets):
    with pytest.raises(ovseal.SignatureRequiredError):
        ovseal.read_model(core, sealed["mlp"].with_key, key_file=secrets.key_file,
                          trust=[secrets.publisher.public_key])


def test_license_for_another_model(core, sealed, secrets):
    with pytest.raises(ovseal.LicenseWrongModelError):
        ovseal.read_model(core, sealed["mlp"].signed, identity=secrets.device.identity,
                          licenses=[sealed["cnn"].license], trust=[secrets.publisher.public_key])


def test_core_must_be_a_core(sealed, secrets):
    with pytest.raises(TypeError):
        ovseal.read_model(None, sealed["mlp"].with_key, key_file=secrets.key_file)
