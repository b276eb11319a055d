# SPDX-License-Identifier: Apache-2.0
"""--json on verify (and the JSON form of errors, on standard output, with the exit code kept)."""

import json


def verify_json(cli, *args):
    r = cli("verify", *args, "--json")
    return r, json.loads(r.stdout)


def error_line(r):
    line = next(line for line in r.stderr.splitlines() if line.startswith("ovseal: error: "))
    return line[len("ovseal: error: "):]


def test_verify_json(cli, h, seal, secrets):
    sealed = seal("mlp")
    r, j = verify_json(cli, sealed, "--key-file", secrets.key1)
    assert r.returncode == 0, r.describe()
    assert sorted(j) == ["chunk_count", "entries", "file", "file_size", "license_only", "model_id",
                         "opened_unsigned_by_device", "seconds", "signature_verified", "signed", "signer_key_id",
                         "verified"]
    assert sorted(j) == sorted(h.man_json_keys(cli, "verify"))  # the man page lists them
    info = h.inspect_json(cli, sealed)
    assert j["verified"] is True and j["file"] == str(sealed)
    assert (j["entries"], j["chunk_count"], j["file_size"]) == (len(info["entries"]), info["chunk_count"],
                                                                info["file_size"])
    assert j["signed"] is False and j["signer_key_id"] is None and j["model_id"] is None
    assert j["signature_verified"] is False and j["opened_unsigned_by_device"] is False
    assert j["license_only"] is False
    assert isinstance(j["seconds"], float) and j["seconds"] >= 0


def test_verify_json_wrong_key(cli, h, seal, secrets):
    r, j = verify_json(cli, seal("mlp"), "--key-file", secrets.key2)
    h.assert_error(r, "no_matching_key")
    assert j == {"error": {"code": 7, "name": "no_matching_key", "message": error_line(r)}}


def test_verify_json_damaged_file(cli, h, wd, seal, secrets):
    data = bytearray(seal("mlp").read_bytes())
    data[-100] ^= 1
    bad = wd / "bad.ovseal"
    bad.write_bytes(bytes(data))
    r, j = verify_json(cli, bad, "--key-file", secrets.key1)
    h.assert_error(r, "payload_auth_failed")
    assert (j["error"]["code"], j["error"]["name"]) == (9, "payload_auth_failed")


def test_verify_json_missing_file(cli, h, wd, secrets):
    r, j = verify_json(cli, wd / "absent.ovseal", "--key-file", secrets.key1)
    h.assert_error(r, "io", "absent.ovseal")
    assert (j["error"]["code"], j["error"]["name"]) == (3, "io")


def test_verify_json_usage_error(cli, h):
    r, j = verify_json(cli)  # no file
    h.assert_error(r, "usage")
    assert (j["error"]["code"], j["error"]["name"]) == (2, "usage")


def test_inspect_json_error(cli, h, wd):
    bad = wd / "plain.txt"
    bad.write_bytes(b"hello, not sealed\n" * 10)
    r = cli("inspect", bad, "--json")
    h.assert_error(r, "not_ovseal_file")
    assert json.loads(r.stdout) == {"error": {"code": 4, "name": "not_ovseal_file", "message": error_line(r)}}


def test_no_json_without_the_flag(cli, h, seal, secrets):
    r = cli("verify", seal("mlp"), "--key-file", secrets.key2)
    h.assert_error(r, "no_matching_key")
    assert r.stdout == ""
