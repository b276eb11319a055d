# SPDX-License-Identifier: Apache-2.0
"""Every failure raises the ovseal.Error subclass for its code, from the C++ API through the native module.
(Loading through OpenVINO raises the same classes: test_loading.py.)"""

import os
import shutil
import subprocess
import sys
import time

import pytest

import ovseal
from ovseal import errors

HEADER_MAC = 32


def damaged(path, work, change):
    data = bytearray(path.read_bytes())
    out = work / "damaged.ovseal"
    out.write_bytes(change(data, ovseal.inspect(path).header_size))
    return out


def flip(data, offset):
    data[offset] ^= 0x01
    return bytes(data)


# (case, change of the file, expected class)
DAMAGE = [
    ("header-mac", lambda d, h: flip(d, h - HEADER_MAC + 7), ovseal.HeaderAuthenticationError),
    ("payload-first-chunk", lambda d, h: flip(d, h + 10), ovseal.PayloadAuthenticationError),
    ("payload-last-byte", lambda d, h: flip(d, len(d) - 1), ovseal.PayloadAuthenticationError),
    ("truncated-by-one", lambda d, h: bytes(d[:-1]), ovseal.TruncatedError),
    ("truncated-in-header", lambda d, h: bytes(d[:h - 1]), ovseal.TruncatedError),
    ("trailing-byte", lambda d, h: bytes(d) + b"\0", ovseal.TrailingDataError),
    ("magic", lambda d, h: flip(d, 3), ovseal.NotOvsealFileError),
]


def test_every_code_has_its_class_named_as_the_cpp_api_names_it():
    assert sorted(errors.ERROR_CLASSES) == list(range(1, 35))
    for code, cls in errors.ERROR_CLASSES.items():
        assert issubclass(cls, ovseal.Error)
        assert cls.code == code
        assert cls.name == ovseal._native.error_name(code)
        error = errors.error_for_code(code, "message")
        assert type(error) is cls and str(error) == "message"


def test_groups():
    assert issubclass(ovseal.HeaderAuthenticationError, ovseal.AuthenticationError)
    assert issubclass(ovseal.PayloadAuthenticationError, ovseal.AuthenticationError)
    assert issubclass(ovseal.UntrustedSignerError, ovseal.SignatureError)
    assert issubclass(ovseal.LicenseExpiredError, ovseal.LicenseError)
    assert issubclass(ovseal.LicenseRequiredError, ovseal.LicenseError)
    assert issubclass(ovseal.TpmBusyError, ovseal.TpmError)
    assert issubclass(ovseal.TokenLoginFailedError, ovseal.TokenError)
    assert issubclass(ovseal.TruncatedError, ovseal.FormatError)
    assert issubclass(ovseal.IoError, OSError) and issubclass(ovseal.UsageError, ValueError)


def test_unknown_code_keeps_its_number():
    error = errors.error_for_code(99, "future")
    assert type(error) is ovseal.Error and error.code == 99


@pytest.mark.parametrize("case,change,expected", DAMAGE, ids=[c[0] for c in DAMAGE])
def test_damaged_file(sealed, secrets, work, case, change, expected):
    path = damaged(sealed["cnn"].with_key, work, change)
    with pytest.raises(expected) as raised:
        ovseal.verify(path, key_file=secrets.key_file)
    assert raised.value.code == expected.code and raised.value.name == expected.name


def test_wrong_key_file(sealed, secrets):
    with pytest.raises(ovseal.NoMatchingKeyError):
        ovseal.verify(sealed["mlp"].with_key, key_file=secrets.other_key_file)


def test_wrong_passphrase(sealed):
    with pytest.raises(ovseal.NoMatchingKeyError):
        ovseal.verify(sealed["mlp"].with_passphrase, passphrase="not the passphrase")


def test_missing_key_file(sealed, work):
    with pytest.raises(ovseal.IoError) as raised:
        ovseal.verify(sealed["mlp"].with_key, key_file=work / "absent.key")
    assert "absent.key" in str(raised.value)


def test_not_a_key_file(sealed, work):
    (work / "bad.key").write_bytes(b"not a key file\n")
    with pytest.raises(ovseal.InvalidKeyError):
        ovseal.verify(sealed["mlp"].with_key, key_file=work / "bad.key")


def test_not_an_ovseal_file(models, secrets):
    with pytest.raises(ovseal.NotOvsealFileError):
        ovseal.verify(models["mlp"], key_file=secrets.key_file)
    with pytest.raises(ovseal.NotOvsealFileError):
        ovseal.model_id(models["mlp"])


def test_untrusted_signer(sealed, secrets):
    with pytest.raises(ovseal.UntrustedSignerError):
        ovseal.verify(sealed["mlp"].signed, key_file=secrets.key_file, trust=[secrets.other_publisher.public_key])


def test_trust_requires_a_signature(sealed, secrets):
    with pytest.raises(ovseal.SignatureRequiredError):
        ovseal.verify(sealed["mlp"].with_key, key_file=secrets.key_file, trust=[secrets.publisher.public_key])


def test_empty_trust_folder_is_a_usage_error(sealed, secrets, work):
    (work / "empty").mkdir()
    with pytest.raises(ovseal.UsageError):
        ovseal.verify(sealed["mlp"].with_key, key_file=secrets.key_file, trust=work / "empty")


@pytest.mark.parametrize("field", ["licenses", "trust"])
def test_unreadable_folder_is_an_io_error(sealed, secrets, work, field):
    """Key rings are loaded by the library's own loader (as the CLI's and the frontend's are): a folder of licenses
    or trusted keys that cannot be listed is ovseal's IoError, not an escaping filesystem exception. Root lists
    any folder, so the check runs in a process without the capabilities that allow it."""
    folder = work / "unreadable"
    folder.mkdir()
    os.chmod(folder, 0)
    script = (
        "import ovseal\n"
        "try:\n"
        f"    ovseal.verify({str(sealed['mlp'].with_key)!r}, key_file={str(secrets.key_file)!r},"
        f" {field}=[{str(folder)!r}])\n"
        "except ovseal.IoError as e:\n"
        "    print('IoError:', e)\n"
        "except Exception as e:\n"
        "    print('other:', type(e).__name__, e)\n"
    )
    command = [sys.executable, "-c", script]
    if os.geteuid() == 0:
        assert shutil.which("setpriv"), "util-linux's setpriv is needed"
        command = ["setpriv", "--bounding-set", "-dac_read_search,-dac_override"] + command
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    finally:
        os.chmod(folder, 0o700)
    assert result.stdout.startswith("IoError:"), result.stdout + result.stderr
    assert "cannot list the folder" in result.stdout and str(folder) in result.stdout, result.stdout


def test_license_for_another_device(sealed, secrets):
    with pytest.raises(ovseal.LicenseError):
        ovseal.verify(sealed["mlp"].signed, identity=secrets.other_device.identity,
                      licenses=[sealed["mlp"].license], trust=[secrets.publisher.public_key])


def test_license_for_another_model(sealed, secrets):
    with pytest.raises(ovseal.LicenseWrongModelError):
        ovseal.verify(sealed["mlp"].signed, identity=secrets.device.identity,
                      licenses=[sealed["cnn"].license], trust=[secrets.publisher.public_key])


def test_expired_license(sealed, secrets, work):
    [license] = ovseal.issue_licenses(sealed["mlp"].signed, [secrets.device.public_text],
                                      signer=str(secrets.publisher.signing_key), key_file=secrets.key_file,
                                      expires=int(time.time()) - 3600)
    (work / "expired.lic").write_bytes(license)
    with pytest.raises(ovseal.LicenseExpiredError):
        ovseal.verify(sealed["mlp"].signed, identity=secrets.device.identity,
                      licenses=[work / "expired.lic"], trust=[secrets.publisher.public_key])


def test_license_only_model(models, secrets, work):
    """seal(license_only=True): under a trust list only the license opens it; the key file does not."""
    signer = str(secrets.publisher.signing_key)
    path = work / "license-only.ovseal"
    ovseal.seal(models["mlp"], path, key_file=secrets.key_file, sign=signer, license_only=True)
    assert ovseal.inspect(path).license_only
    [license] = ovseal.issue_licenses(path, [secrets.device.public_text], signer=signer, key_file=secrets.key_file)
    (work / "device.lic").write_bytes(license)
    info = ovseal.verify(path, identity=secrets.device.identity, licenses=[work / "device.lic"],
                         trust=[secrets.publisher.public_key])
    assert info.license_only and info.signature_verified
    with pytest.raises(ovseal.LicenseRequiredError) as raised:
        ovseal.verify(path, key_file=secrets.key_file, trust=[secrets.publisher.public_key])
    assert raised.value.code == 34 and "license" in str(raised.value)
    assert ovseal.verify(path, key_file=secrets.key_file).verified  # the publisher, without a trust list
    with pytest.raises(ovseal.UsageError):
        ovseal.seal(models["mlp"], work / "unsigned.ovseal", key_file=secrets.key_file, license_only=True)


def test_license_for_an_unsigned_model_is_refused(sealed, secrets):
    with pytest.raises(ovseal.SignatureError):
        ovseal.issue_licenses(sealed["mlp"].with_key, [secrets.device.public_text],
                              signer=str(secrets.publisher.signing_key), key_file=secrets.key_file)


def test_bad_public_key_text(sealed, secrets, work):
    with pytest.raises(ovseal.InvalidKeyError):
        ovseal.seal(work / "absent.xml", work / "out.ovseal", key_file=secrets.key_file,
                    devices=["ovseal-x25519:not-a-key"])


def test_sealing_a_model_openvino_refuses(secrets, work):
    (work / "broken.xml").write_text("<net><layers><layer/></net>")
    with pytest.raises(ovseal.ModelError):
        ovseal.seal(work / "broken.xml", work / "out.ovseal", key_file=secrets.key_file)
    assert not (work / "out.ovseal").exists()


def test_sealing_a_missing_model(secrets, work):
    with pytest.raises(ovseal.IoError):
        ovseal.seal(work / "absent.xml", work / "out.ovseal", key_file=secrets.key_file)


def test_unknown_identity_storage(work):
    with pytest.raises(ovseal.UsageError):
        ovseal.create_identity(work / "id", storage="paper")


def test_errors_survive_pickling():
    import pickle
    error = pickle.loads(pickle.dumps(ovseal.TruncatedError("cut")))
    assert type(error) is ovseal.TruncatedError and error.code == 10 and str(error) == "cut"
