# SPDX-License-Identifier: Apache-2.0
"""Sealing, inspecting and verifying through the Python package; keys, identities and licenses."""

import os
import stat
import subprocess
import sys

import pytest

import ovseal
from conftest import PASSPHRASE


def test_inspect_reads_the_public_header(sealed, models):
    info = ovseal.inspect(sealed["mlp"].with_key)
    assert isinstance(info, ovseal.FileInfo)
    assert info.format_version == 1
    assert info.file_size == os.path.getsize(sealed["mlp"].with_key)
    assert info.chunk_size == 65536
    assert info.stanza_types == ("key",)
    assert [(e.name, e.kind) for e in info.entries] == [("model.xml", 1), ("model.bin", 2)]
    sizes = {e.name: e.size for e in info.entries}
    assert sizes["model.bin"] == os.path.getsize(models["mlp"].with_suffix(".bin"))
    assert info.model_name == "model"
    assert info.signer_key_id is None and info.model_id is None
    assert info.sealed_by == f"ovseal {ovseal.__version__}"
    assert not info.verified and not info.signature_verified


def test_inspect_signed_file_names_signer_and_model(sealed, secrets):
    info = ovseal.inspect(sealed["mlp"].signed)
    assert info.model_name == "mlp-model" and info.model_version == "1.2"
    assert info.model_id == ovseal.model_id(sealed["mlp"].signed)
    assert info.signer_key_id == ovseal._native.publisher_key_id(secrets.publisher.public_text)


def test_verify_with_key_file(sealed, secrets):
    info = ovseal.verify(sealed["cnn"].with_key, key_file=secrets.key_file)
    assert info.verified and not info.signature_verified
    assert info.chunk_count >= 2


def test_verify_with_passphrase(sealed):
    assert ovseal.verify(sealed["mlp"].with_passphrase, passphrase=PASSPHRASE).verified
    assert ovseal.inspect(sealed["mlp"].with_passphrase).stanza_types == ("scrypt",)


def test_verify_with_passphrase_file(sealed, work):
    (work / "pass.txt").write_text(PASSPHRASE + "\n")
    assert ovseal.verify(sealed["mlp"].with_passphrase, passphrase_file=work / "pass.txt").verified


def test_inspect_lists_device_stanzas(sealed):
    assert sorted(ovseal.inspect(sealed["mlp"].to_device).stanza_types) == sorted(["key", "x25519-tagged"])


def test_verify_with_identity_through_device_stanza(sealed, secrets):
    info = ovseal.verify(sealed["cnn"].to_device, identity=secrets.device.identity, trust=secrets.publisher.public_key)
    assert info.verified and info.signature_verified


def test_verify_with_identity_license_and_trust(sealed, secrets):
    info = ovseal.verify(sealed["mlp"].signed, identity=secrets.device.identity,
                         licenses=[sealed["mlp"].license], trust=[secrets.publisher.public_key])
    assert info.verified and info.signature_verified


def test_trust_and_licenses_as_folders(sealed, secrets, work):
    (work / "trust").mkdir()
    (work / "trust" / "publisher.pub").write_bytes(secrets.publisher.public_key.read_bytes())
    (work / "licenses").mkdir()
    (work / "licenses" / "device.lic").write_bytes(sealed["mlp"].license.read_bytes())
    info = ovseal.verify(sealed["mlp"].signed, identity=secrets.device.identity, licenses=work / "licenses",
                         trust=work / "trust")
    assert info.signature_verified


def test_model_id_needs_no_key_and_is_stable(sealed):
    first = ovseal.model_id(sealed["cnn"].signed)
    assert len(first) == 64 and int(first, 16) >= 0
    assert ovseal.model_id(sealed["cnn"].signed) == first
    assert ovseal.model_id(sealed["mlp"].signed) != first


def test_is_sealed_file(sealed, models):
    assert ovseal.is_sealed_file(sealed["mlp"].with_key)
    assert not ovseal.is_sealed_file(models["mlp"])


def test_generated_key_file_is_private_and_not_overwritten(work):
    ovseal.generate_key(work / "k.key")
    assert stat.S_IMODE(os.stat(work / "k.key").st_mode) == 0o600
    before = (work / "k.key").read_bytes()
    with pytest.raises(ovseal.Error):
        ovseal.generate_key(work / "k.key")
    assert (work / "k.key").read_bytes() == before


def test_identity_public_key_round_trip(secrets):
    text = ovseal.identity_public_key(secrets.device.identity)
    assert text == secrets.device.public_text and text.startswith("ovseal-x25519:")
    assert (secrets.device.identity / "identity.pub").read_text().strip() == text


def test_signing_key_with_passphrase(work):
    text = ovseal.generate_signing_key(work / "pub.key", passphrase="signing secret", scrypt_log2_n=16)
    assert text.startswith("ovseal-ed25519:")
    assert (work / "pub.key.pub").read_text().strip() == text
    assert ovseal._native.signing_public_key(str(work / "pub.key"), "signing secret") == text
    with pytest.raises(ovseal.Error):
        ovseal._native.signing_public_key(str(work / "pub.key"), "wrong")
    # Passphrases cross into the native module as its secret type, from str or bytes alike; nothing else passes.
    assert ovseal._native.signing_public_key(str(work / "pub.key"), b"signing secret") == text
    with pytest.raises(TypeError):
        ovseal._native.signing_public_key(str(work / "pub.key"), 1234)


def test_passphrase_as_bytes_opens_as_str_does(sealed):
    assert ovseal.verify(sealed["mlp"].with_passphrase, passphrase=PASSPHRASE.encode()).verified
    with pytest.raises(ovseal.Error):
        ovseal.verify(sealed["mlp"].with_passphrase, passphrase=b"not " + PASSPHRASE.encode())


def test_inspect_license(sealed, secrets):
    info = ovseal.inspect_license(sealed["cnn"].license)
    assert isinstance(info, ovseal.LicenseInfo)
    assert info.model_id == ovseal.model_id(sealed["cnn"].signed)
    assert info.device == secrets.device.public_text
    assert info.signer == secrets.publisher.public_text
    assert (info.not_before, info.expires, info.note) == (0, 0, "tests")
    assert info.size == os.path.getsize(sealed["cnn"].license)


def test_write_licenses_names_files_by_device(sealed, secrets, work):
    written = ovseal.write_licenses(sealed["mlp"].signed,
                                    [secrets.device.identity / "identity.pub", secrets.other_device.public_text],
                                    work, signer=str(secrets.publisher.signing_key), key_file=secrets.key_file,
                                    not_before=1000, expires=4102444800)
    assert [os.path.basename(p) for p in written] == [
        ovseal._native.device_key_id(secrets.device.public_text) + ".lic",
        ovseal._native.device_key_id(secrets.other_device.public_text) + ".lic"]
    info = ovseal.inspect_license(written[1])
    assert info.device == secrets.other_device.public_text
    assert (info.not_before, info.expires) == (1000, 4102444800)


def test_sealing_replaces_an_existing_output(models, secrets, work):
    out = work / "m.ovseal"
    ovseal.seal(models["mlp"], out, key_file=secrets.key_file)
    ovseal.seal(models["mlp"], out, key_file=secrets.other_key_file)
    assert ovseal.verify(out, key_file=secrets.other_key_file).verified
    with pytest.raises(ovseal.NoMatchingKeyError):
        ovseal.verify(out, key_file=secrets.key_file)


def test_thread_count_set_after_import_is_honoured(tmp_path, secrets):
    """OVSEAL_THREADS set by the program after `import ovseal` applies to the next verify, as it did when the library
    read it itself: the pool that verifies a 64-chunk file starts that many threads less one (clone(2) calls counted
    with strace; everything else the process starts is the same for both counts)."""
    import numpy as np
    import openvino as ov
    import openvino.opset13 as ops
    param = ops.parameter([1, 1024], np.float32)
    weights = ops.constant(np.random.default_rng(0).standard_normal((1024, 1024)).astype(np.float32))
    ov.save_model(ov.Model([ops.matmul(param, weights, False, False)], [param]), tmp_path / "big.xml",
                  compress_to_fp16=False)
    ovseal.seal(tmp_path / "big.xml", tmp_path / "big.ovseal", key_file=secrets.key_file)
    script = ("import os, sys, ovseal\n"
              "os.environ['OVSEAL_THREADS'] = sys.argv[1]\n"
              "ovseal.verify(sys.argv[2], key_file=sys.argv[3])\n")

    def threads_started(count):
        trace = tmp_path / f"trace-{count}"
        result = subprocess.run(["strace", "-f", "-qq", "-e", "trace=clone,clone3", "-o", str(trace), sys.executable,
                                 "-c", script, str(count), str(tmp_path / "big.ovseal"), str(secrets.key_file)],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return trace.read_text().count("clone")

    assert threads_started(4) - threads_started(1) == 3
