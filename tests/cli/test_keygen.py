# SPDX-License-Identifier: Apache-2.0
"""ovseal keygen"""

import os
import stat


def test_keygen_mode_0600(cli, wd):
    old = os.umask(0o022)
    try:
        k = wd / "new"
        r = cli.ok("keygen", "-o", k)
    finally:
        os.umask(old)
    assert k.is_file()
    assert stat.S_IMODE(k.stat().st_mode) == 0o600, oct(k.stat().st_mode)
    assert k.stat().st_size > 0


def test_keygen_keys_differ(cli, wd):
    cli.ok("keygen", "-o", wd / "a")
    cli.ok("keygen", "-o", wd / "b")
    assert (wd / "a").read_bytes() != (wd / "b").read_bytes()


def test_keygen_refuses_to_overwrite(cli, h, wd):
    k = wd / "k"
    cli.ok("keygen", "-o", k)
    before = k.read_bytes()
    r = cli("keygen", "-o", k)
    h.assert_error(r, "io", "exists")
    assert k.read_bytes() == before
    # Nor any other existing file.
    other = wd / "other"
    other.write_bytes(b"precious")
    h.assert_error(cli("keygen", "-o", other), "io", "exists")
    assert other.read_bytes() == b"precious"


def test_generated_key_works(cli, h, wd, models):
    k = wd / "k"
    cli.ok("keygen", "-o", k)
    out = wd / "m.ovseal"
    cli.ok("seal", models["mlp"], "-o", out, "--key-file", k)
    r = cli.ok("verify", out, "--key-file", k)
    assert "OK" in r.stdout
