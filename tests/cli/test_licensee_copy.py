# SPDX-License-Identifier: Apache-2.0
"""A licensee who tries to keep the model after the license ends. With the shipped CLI, rewrap and reseal refuse a
license or a device identity. Following the format by hand, it can still add a key stanza of its own (the signature
does not cover stanzas): a model sealed --license-only refuses such a copy under a trust list (FORMAT.md §9 step
5a), a model sealed without it opens it as it did before revision 5."""

import json
import os
import struct
import sys
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from conftest_identity import device, ih, other_publisher, publisher  # noqa: F401  (pytest fixtures)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "spec_check"))
import ovseal_reference as ref  # noqa: E402


@pytest.fixture(scope="module")
def licensed(cli, wd_module, models, secrets, publisher, device):
    """mlp sealed with the publisher's master key (key1) only, signed, and a one-hour license for device l1."""
    model = wd_module / "m.ovseal"
    cli.ok("seal", models["mlp"], "-o", model, "--key-file", secrets.key1, "--sign", publisher.key)
    lic = wd_module / "l1.lic"
    cli.ok("license", "issue", "--model", model, "--key-file", secrets.key1, "--sign", publisher.key,
           "--device", device("l1").pub, "--expires", str(int(time.time()) + 3600), "-o", lic)
    return model, lic


def licensee(device, publisher, lic):
    return ["--identity", device("l1").dir, "--license", lic, "--trust", publisher.pub]


@pytest.mark.parametrize("command", ["rewrap", "reseal"])
def test_licensee_cannot_rewrap_or_reseal(cli, ih, wd, licensed, secrets, device, publisher, command):
    """`rewrap/reseal --license ... --add-key-file stolen.key` would give a copy that opens with the key file
    forever: refused as a usage error that says why, and nothing is written."""
    model, lic = licensed
    cli.ok("verify", model, *licensee(device, publisher, lic))  # the license itself is good
    out = wd / "extracted.ovseal"
    add = "--add-key-file" if command == "rewrap" else "--to-key-file"
    r = cli(command, model, *licensee(device, publisher, lic), add, secrets.key2, "-o", out)
    ih.assert_error(r, "usage", "license")
    assert "publisher" in r.error_message()
    assert not out.exists() and list(wd.iterdir()) == []
    # A device identity alone (a model sealed to it) is refused the same way.
    r = cli(command, model, "--identity", device("l1").dir, "--trust", publisher.pub, add, secrets.key2, "-o", out)
    ih.assert_error(r, "usage", "device identity")
    assert not out.exists()


def test_publisher_still_rewraps_and_reseals(cli, wd, licensed, secrets, publisher):
    model, _ = licensed
    cli.ok("rewrap", model, "--key-file", secrets.key1, "--trust", publisher.pub, "--add-key-file", secrets.key2,
           "-o", wd / "rewrapped.ovseal")
    cli.ok("reseal", model, "--key-file", secrets.key1, "--to-key-file", secrets.key2, "--sign", publisher.key,
           "-o", wd / "resealed.ovseal")
    cli.ok("verify", wd / "rewrapped.ovseal", "--key-file", secrets.key2, "--trust", publisher.pub)


def test_help_says_it_is_a_guard_of_the_tool(cli):
    for command in ("rewrap", "reseal"):
        text = " ".join(cli.ok(command, "--help").stdout.split())
        assert "license or a device identity is refused" in text
        assert "guard of the tool, not of the format" in text


# ---------------------------------------------------------------------------------------------------------
# The same licensee, following the format by hand (FORMAT.md §12.1: stanzas are outside the signature): it takes
# the file key out through its license with the independent reference opener and adds a key stanza of its own.

def extract_with_stolen_key(model, lic, device_dir, publisher_pub, stolen_key, out):
    data = model.read_bytes()
    count, h, s = ref._parse_preamble(data)
    body = ref._parse_body(data, s, h)
    end, _, _ = ref._expected_length(h, body)
    claimed = ref._parse_trailer(data, end - body.trailer_length, end)
    device = ref.DeviceIdentity.from_private(ref.parse_device_identity((device_dir / "identity").read_text()))
    trusted = ref.parse_public_key(publisher_pub.read_text().strip(), "ed25519")
    file_key = ref.open_license(lic.read_bytes(), claimed.model_id, [trusted], [device], int(time.time()))
    # §7.1: a `key` stanza for the stolen key file, then a header MAC under the file key (§5).
    secret = ref.parse_key_file(stolen_key.read_text())
    salt = os.urandom(32)
    okm = ref.hkdf(secret, salt, b"ovseal-v1 key stanza", 64)
    wrapped = okm[32:] + AESGCM(okm[:32]).encrypt(bytes(12), file_key, None)
    stanza = bytes([3]) + b"key" + bytes([1]) + struct.pack("<H", 32) + salt + struct.pack("<H", 80) + wrapped
    stanzas = data[20:20 + s] + stanza
    rest = data[20 + s:h - 32]
    new_h = 20 + len(stanzas) + len(rest) + 32
    header = data[:8] + struct.pack("<HHII", 1, count + 1, new_h, len(stanzas)) + stanzas + rest
    header += ref.hmac_sha256(ref.hkdf(file_key, b"", b"ovseal-v1 header mac", 32), header)
    out.write_bytes(header + data[h:])
    return out


@pytest.fixture(scope="module")
def license_only(cli, wd_module, models, secrets, publisher, device):
    """mlp sealed --license-only with the master key (key1), and a one-hour license for device l1."""
    model = wd_module / "only.ovseal"
    r = cli.ok("seal", models["mlp"], "-o", model, "--key-file", secrets.key1, "--sign", publisher.key,
               "--license-only")
    assert "License only" in r.stdout
    lic = wd_module / "only.lic"
    r = cli.ok("license", "issue", "--model", model, "--key-file", secrets.key1, "--sign", publisher.key,
               "--device", device("l1").pub, "--expires", str(int(time.time()) + 3600), "-o", lic)
    assert "warning" not in r.stderr
    return model, lic


def test_extracted_copy_of_a_license_only_model_is_refused(cli, ih, wd, license_only, secrets, device, publisher):
    model, lic = license_only
    copy = extract_with_stolen_key(model, lic, device("l1").dir, publisher.pub, secrets.key2, wd / "copy.ovseal")
    assert cli.ok("inspect", copy, "--json").stdout.count('"type": "key"') == 2
    ih.fails_both(wd, copy, "license_required", "only through a license", "--trust", publisher.pub,
                  "--key-file", secrets.key2)
    # The license itself still opens the model (and the copy: same file key, same license).
    cli.ok("verify", model, *licensee(device, publisher, lic))
    cli.ok("verify", copy, *licensee(device, publisher, lic))


def test_extracted_copy_without_the_flag_opens_anywhere(cli, ih, wd, licensed, secrets, device, publisher):
    """Revision 4 behaviour, kept for models sealed without --license-only (what the flag is for)."""
    model, lic = licensed
    copy = extract_with_stolen_key(model, lic, device("l1").dir, publisher.pub, secrets.key2, wd / "copy.ovseal")
    r = cli.ok("verify", copy, "--trust", publisher.pub, "--key-file", secrets.key2)
    assert "trusted publisher" in r.stdout


def test_license_only_shown_by_inspect_and_verify(cli, h, license_only, device, publisher):
    model, lic = license_only
    assert h.inspect_json(cli, model)["license_only"] is True
    assert "License only" in cli.ok("inspect", model).stdout
    r = cli.ok("verify", model, *licensee(device, publisher, lic), "--json")
    assert json.loads(r.stdout)["license_only"] is True
    assert "License only" in cli.ok("verify", model, *licensee(device, publisher, lic)).stdout


def test_license_only_needs_sign_and_no_device(cli, ih, wd, models, secrets, publisher, device):
    out = wd / "x.ovseal"
    ih.assert_error(cli("seal", models["mlp"], "-o", out, "--key-file", secrets.key1, "--license-only"),
                    "usage", "signed")
    ih.assert_error(cli("seal", models["mlp"], "-o", out, "--key-file", secrets.key1, "--sign", publisher.key,
                        "--license-only", "-r", device("l1").pub), "usage", "devices")
    assert not out.exists()


def test_license_issue_warns_without_the_flag(cli, wd, licensed, secrets, publisher, device):
    model, _ = licensed
    r = cli.ok("license", "issue", "--model", model, "--key-file", secrets.key1, "--sign", publisher.key,
               "--device", device("l1").pub, "-o", wd / "x.lic")
    assert "warning" in r.stderr and "--license-only" in r.stderr


def test_license_only_licenses_come_from_its_signer(cli, ih, wd, license_only, secrets, other_publisher, device):
    model, _ = license_only
    r = cli("license", "issue", "--model", model, "--key-file", secrets.key1, "--sign", other_publisher.key,
            "--device", device("l1").pub, "-o", wd / "x.lic")
    ih.assert_error(r, "usage", "license-only")
    assert not (wd / "x.lic").exists()


def test_reseal_keeps_license_only(cli, h, wd, license_only, secrets, publisher):
    model, _ = license_only
    out = wd / "resealed.ovseal"
    cli.ok("reseal", model, "--key-file", secrets.key1, "--to-key-file", secrets.key1, "--sign", publisher.key,
           "-o", out)
    assert h.inspect_json(cli, out)["license_only"] is True
    r = cli("reseal", model, "--key-file", secrets.key1, "--to-key-file", secrets.key1, "-o", wd / "u.ovseal")
    assert r.returncode == 2 and not (wd / "u.ovseal").exists()
