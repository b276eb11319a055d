# SPDX-License-Identifier: Apache-2.0
"""Device identities: `ovseal device init/show`, sealing to devices (-r, -R), opening with --identity under a
trust list (FORMAT.md §7.3, §12.3, §14), and --allow-unsigned."""

import os
import stat

import pytest

from conftest_identity import device, ih, plain_outputs, publisher  # noqa: F401  (pytest fixtures)


@pytest.fixture(scope="module")
def signed_to_dev1(cli, wd_module, models, device, publisher):
    """mlp sealed to device d1 only (no key file, no passphrase) and signed."""
    out = wd_module / "to-d1.ovseal"
    cli.ok("seal", models["mlp"], "-o", out, "-r", device("d1").pub, "--sign", publisher.key)
    return out


# ---------------------------------------------------------------------------------------------------------
# device init / show

def test_device_init_and_show(cli, ih, wd):
    d = wd / "idn"
    r = cli.ok("device", "init", "-o", d)
    identity, pub = d / "identity", d / "identity.pub"
    assert identity.is_file() and pub.is_file()
    assert stat.S_IMODE(os.stat(identity).st_mode) == 0o600, oct(os.stat(identity).st_mode)
    # §14: the private key line.
    lines = [ln for ln in identity.read_text().splitlines() if ln and not ln.startswith("#")]
    assert len(lines) == 1 and lines[0].startswith("OVSEAL-X25519-PRIVATE-1:"), identity.read_text()
    assert ih.HEX64_RE.match(lines[0].split(":", 1)[1])
    # The public key: its form and checksum, printed by init, identical to identity.pub and to `device show`.
    text = pub.read_text().strip()
    assert ih.DEVICE_PUB_RE.match(text), text
    ih.decode_public_key(text)
    assert text in r.stdout.split(), "device init must print the public key\n" + r.describe()
    shown = cli.ok("device", "show", d)
    assert shown.stdout.strip() == text
    # The private key never shows up on stdout.
    assert lines[0].split(":", 1)[1] not in r.stdout + r.stderr + shown.stdout + shown.stderr


def test_device_init_makes_distinct_keys(cli, wd):
    keys = set()
    for i in range(3):
        cli.ok("device", "init", "-o", wd / f"i{i}")
        keys.add(cli.ok("device", "show", wd / f"i{i}").stdout.strip())
    assert len(keys) == 3


def test_device_init_refuses_to_overwrite(cli, ih, wd):
    d = wd / "idn"
    cli.ok("device", "init", "-o", d)
    before = (d / "identity").read_bytes(), (d / "identity.pub").read_bytes()
    r = cli("device", "init", "-o", d)
    ih.assert_error(r, "io", "exists")
    assert ((d / "identity").read_bytes(), (d / "identity.pub").read_bytes()) == before


def test_device_show_missing_identity(cli, ih, wd):
    ih.assert_error(cli("device", "show", wd / "nothing-here"), "io", "nothing-here")


# ---------------------------------------------------------------------------------------------------------
# Sealed to a device, signed: opens with --identity + --trust, outputs equal the plain model's

def test_sealed_to_device_runs(cli, h, ih, wd, signed_to_dev1, device, publisher, plain_outputs):
    info = h.inspect_json(cli, signed_to_dev1)
    assert [s["type"] for s in info["stanzas"]] == ["x25519-tagged"]
    assert info["signature"]["signer_key_id"] == publisher.key_id
    out, _ = ih.run_outputs(wd, "dev", signed_to_dev1, "--identity", device("d1").dir, "--trust", publisher.pub)
    h.assert_same_outputs(plain_outputs("mlp"), out)
    r = cli.ok("verify", signed_to_dev1, "--identity", device("d1").dir, "--trust", publisher.pub)
    assert "OK" in r.stdout and info["signature"]["model_id"] in r.stdout


def test_recipients_files(cli, h, ih, wd, models, device, publisher, plain_outputs):
    """-R files with comments and blank lines, two -R files and a -r together: one stanza per device, and
    every listed device opens the model."""
    names = ["r1", "r2", "r3", "r4"]
    f1 = wd / "list-a.txt"
    f1.write_text(f"# devices of site A\n\n{device('r1').pub}\n   \n# the second one\n{device('r2').pub}\n\n")
    f2 = wd / "list-b.txt"
    f2.write_text(f"{device('r3').pub}\r\n")
    out = wd / "multi.ovseal"
    cli.ok("seal", models["mlp"], "-o", out, "-R", f1, "-R", f2, "-r", device("r4").pub, "--sign", publisher.key)
    info = h.inspect_json(cli, out)
    assert [s["type"] for s in info["stanzas"]] == ["x25519-tagged"] * 4
    for n in names:
        o, _ = ih.run_outputs(wd, f"o-{n}", out, "--identity", device(n).dir, "--trust", publisher.pub)
        h.assert_same_outputs(plain_outputs("mlp"), o)
    # Several identities given: the one that matches opens it.
    cli.ok("verify", out, "--identity", device("nobody").dir, "--identity", device("r2").dir,
           "--trust", publisher.pub)
    # A device that is not listed.
    ih.fails_both(wd, out, "no_matching_key", "key", "--identity", device("nobody").dir, "--trust", publisher.pub)


def test_other_device_no_matching_key(cli, ih, wd, signed_to_dev1, device, publisher):
    ih.fails_both(wd, signed_to_dev1, "no_matching_key", "key",
                  "--identity", device("d2").dir, "--trust", publisher.pub)


def test_key_file_does_not_open_device_file(cli, ih, wd, secrets, signed_to_dev1, publisher):
    ih.fails_both(wd, signed_to_dev1, "no_matching_key", "key", "--key-file", secrets.key1,
                  "--trust", publisher.pub)


def test_identity_without_trust_is_usage(cli, ih, wd, signed_to_dev1, device):
    """§12.3: opening through a device identity always requires a trust list."""
    ih.fails_both(wd, signed_to_dev1, "usage", "trust", "--identity", device("d1").dir)


# ---------------------------------------------------------------------------------------------------------
# Unsigned files sealed to a device

@pytest.fixture(scope="module")
def unsigned_to_dev1(cli, wd_module, models, device):
    out = wd_module / "unsigned-to-d1.ovseal"
    cli.ok("seal", models["mlp"], "-o", out, "-r", device("d1").pub)
    return out


def test_unsigned_device_file_needs_signature(cli, h, ih, wd, unsigned_to_dev1, device, publisher):
    assert h.inspect_json(cli, unsigned_to_dev1)["signature"] is None
    ih.fails_both(wd, unsigned_to_dev1, "signature_required", "signed",
                  "--identity", device("d1").dir, "--trust", publisher.pub)
    ih.fails_both(wd, unsigned_to_dev1, "usage", "trust", "--identity", device("d1").dir)


def test_allow_unsigned_run_warns(cli, h, ih, wd, unsigned_to_dev1, device, plain_outputs):
    out, r = ih.run_outputs(wd, "o", unsigned_to_dev1, "--identity", device("d1").dir, "--allow-unsigned")
    h.assert_same_outputs(plain_outputs("mlp"), out)
    assert "WARNING" in r.stderr, "--allow-unsigned must warn on stderr\n" + r.describe()
    assert "WARNING" not in r.stdout


def test_allow_unsigned_verify_warns(cli, ih, unsigned_to_dev1, device):
    r = cli.ok("verify", unsigned_to_dev1, "--identity", device("d1").dir, "--allow-unsigned")
    assert "OK" in r.stdout
    assert "WARNING" in r.stderr, "--allow-unsigned must warn on stderr\n" + r.describe()


def test_allow_unsigned_other_device(cli, ih, wd, unsigned_to_dev1, device):
    ih.fails_both(wd, unsigned_to_dev1, "no_matching_key", "key",
                  "--identity", device("d2").dir, "--allow-unsigned")


def test_allow_unsigned_is_for_device_stanzas_only(cli, ih, wd, seal, secrets, publisher):
    """§12.3: --allow-unsigned does not relax a trust list for a key-file stanza."""
    sealed = seal("mlp")
    ih.fails_both(wd, sealed, "signature_required", "signed", "--key-file", secrets.key1,
                  "--trust", publisher.pub, "--allow-unsigned")


# ---------------------------------------------------------------------------------------------------------
# Bad device keys

def test_bad_device_key_checksum(cli, ih, wd, models, device):
    good = device("d1").pub
    bad = ih.typo(good)
    assert bad != good and ih.DEVICE_PUB_RE.match(bad)
    out = wd / "x.ovseal"
    ih.assert_error(cli("seal", models["mlp"], "-o", out, "-r", bad), "invalid_key", "key")
    assert not out.exists()
    f = wd / "list.txt"
    f.write_text(f"# list\n{device('d2').pub}\n{bad}\n")
    ih.assert_error(cli("seal", models["mlp"], "-o", out, "-R", f), "invalid_key", "key")
    assert not out.exists()


@pytest.mark.parametrize("case", ["short", "long", "prefix", "publisher-key", "garbage"])
def test_bad_device_key_forms(cli, ih, wd, models, device, publisher, case):
    good = device("d1").pub
    bad = {
        "short": good[:-1],
        "long": good + "A",
        "prefix": good.replace("ovseal-x25519:", "ovseal-x25518:"),
        "publisher-key": publisher.text,
        "garbage": "ovseal-x25519:" + "!" * 48,
    }[case]
    out = wd / "x.ovseal"
    ih.assert_error(cli("seal", models["mlp"], "-o", out, "-r", bad), "invalid_key", "key")
    assert not out.exists()


def test_damaged_identity_file(cli, ih, wd, signed_to_dev1, device, publisher):
    d = wd / "idn"
    d.mkdir()
    text = (device("d1").dir / "identity").read_text()
    (d / "identity").write_text(text.replace("OVSEAL-X25519-PRIVATE-1:", "OVSEAL-X25519-PRIVATE-1:0"))
    os.chmod(d / "identity", 0o600)
    ih.fails_both(wd, signed_to_dev1, "invalid_key", "device identity", "--identity", d, "--trust", publisher.pub)
