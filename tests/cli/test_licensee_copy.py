"""A licensee who tries to keep the model after the licence ends: with the shipped CLI, rewrap and reseal refuse a
licence or a device identity."""

import time

import pytest

from conftest_identity import device, ih, publisher  # noqa: F401  (pytest fixtures)


@pytest.fixture(scope="module")
def wd_module(tmp_path_factory):
    return tmp_path_factory.mktemp("w")


@pytest.fixture(scope="module")
def licensed(cli, wd_module, models, secrets, publisher, device):
    """mlp sealed with the publisher's master key (key1) only, signed, and a one-hour licence for device l1."""
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
    cli.ok("verify", model, *licensee(device, publisher, lic))  # the licence itself is good
    out = wd / "extracted.ovseal"
    add = "--add-key-file" if command == "rewrap" else "--to-key-file"
    r = cli(command, model, *licensee(device, publisher, lic), add, secrets.key2, "-o", out)
    ih.assert_error(r, "usage", "licence")
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
        assert "licence or a device identity is refused" in text
        assert "guard of the tool, not of the format" in text
