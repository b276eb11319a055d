# SPDX-License-Identifier: Apache-2.0
"""Damaged files, wrong secrets and bad inputs: each gives its error of FORMAT.md §10, from `verify` and from
`run`, and `run` writes no outputs."""

import struct

import numpy as np
import pytest


# ---------------------------------------------------------------------------------------------------------
# The file every damage case starts from: the marker model (several 64 KiB chunks) sealed with key1, and a
# second seal of the same model for splicing.

class Layout:
    pass


@pytest.fixture(scope="module")
def lay(cli, h, seal):
    base = seal("marker", "key1", "--chunk-size", h.SMALL_CHUNK)
    other = seal("marker", "key1", "--chunk-size", h.SMALL_CHUNK, tag="other")
    L = Layout()
    L.data = base.read_bytes()
    L.other = other.read_bytes()
    L.H = h.header_length(L.data)
    L.S = struct.unpack_from("<I", L.data, 16)[0]
    L.CS = h.inspect_json(cli, base)["chunk_size"]
    assert L.CS == 65536
    L.N, rem = divmod(len(L.data) - L.H, L.CS + 16)
    assert rem == 0 and L.N >= 5, (len(L.data), L.H, L.CS)
    assert h.header_length(L.other) == L.H and len(L.other) == len(L.data)
    # The first stanza (FORMAT.md §4): type_length, type, arg_count, args, body_length, body.
    p = 20
    tl = L.data[p]
    L.stanza_type = L.data[p + 1:p + 1 + tl]
    p += 1 + tl
    argc = L.data[p]
    p += 1
    for _ in range(argc):
        (al,) = struct.unpack_from("<H", L.data, p)
        p += 2 + al
    (bl,) = struct.unpack_from("<H", L.data, p)
    L.stanza_body = p + 2          # offset of the body: commitment (32) || wrapped file key (48)
    assert L.stanza_type == b"key" and bl == 80
    return L


def chunk_off(L, i):
    return L.H + i * (L.CS + 16)


def flip(data, off, mask=0x01):
    b = bytearray(data)
    b[off] ^= mask
    return bytes(b)


def put(data, off, value):
    b = bytearray(data)
    b[off:off + len(value)] = value
    return bytes(b)


def swap_chunks(L, i, j):
    b = bytearray(L.data)
    n = L.CS + 16
    ci, cj = L.data[chunk_off(L, i):chunk_off(L, i) + n], L.data[chunk_off(L, j):chunk_off(L, j) + n]
    b[chunk_off(L, i):chunk_off(L, i) + n] = cj
    b[chunk_off(L, j):chunk_off(L, j) + n] = ci
    return bytes(b)


def splice_chunk(L, i):
    n = L.CS + 16
    return put(L.data, chunk_off(L, i), L.other[chunk_off(L, i):chunk_off(L, i) + n])


def random_bytes(n):
    b = bytearray(np.random.default_rng(99).integers(0, 256, n, dtype=np.uint8).tobytes())
    b[0] = 0x00
    return bytes(b)


# (case id, function of the layout giving the damaged file, error name)
CASES = [
    ("empty", lambda L: b"", "not_ovseal_file"),
    ("random", lambda L: random_bytes(4096), "not_ovseal_file"),
    ("text", lambda L: b"this is not a sealed model\n" * 20, "not_ovseal_file"),
    ("magic-flip", lambda L: flip(L.data, 3), "not_ovseal_file"),
    ("version-2", lambda L: put(L.data, 8, struct.pack("<H", 2)), "unsupported_version"),
    ("version-65535", lambda L: put(L.data, 8, struct.pack("<H", 0xFFFF)), "unsupported_version"),
    ("stanza-count+1", lambda L: put(L.data, 10, struct.pack("<H", 2)), "malformed_header"),
    ("stanzas-length+1", lambda L: put(L.data, 16, struct.pack("<I", L.S + 1)), "malformed_header"),
    ("header-length-tiny", lambda L: put(L.data, 12, struct.pack("<I", 21)), "malformed_header"),
    ("header-length-huge", lambda L: put(L.data, 12, struct.pack("<I", 16 * 2**20 + 1)), "malformed_header"),
    ("header-length-past-end", lambda L: put(L.data, 12, struct.pack("<I", len(L.data) + 1)), "truncated"),
    ("stanza-commitment-flip", lambda L: flip(L.data, L.stanza_body + 5), "no_matching_key"),
    ("stanza-wrapped-key-flip", lambda L: flip(L.data, L.stanza_body + 40), "header_auth_failed"),
    ("body-flip", lambda L: flip(L.data, 20 + L.S + 3), "header_auth_failed"),
    ("header-mac-flip", lambda L: flip(L.data, L.H - 32 + 7), "header_auth_failed"),
    ("header-mac-last-byte", lambda L: flip(L.data, L.H - 1, 0x80), "header_auth_failed"),
    ("truncate-1", lambda L: L.data[:1], "truncated"),
    ("truncate-7", lambda L: L.data[:7], "truncated"),
    ("truncate-8", lambda L: L.data[:8], "truncated"),
    ("truncate-19", lambda L: L.data[:19], "truncated"),
    ("truncate-100", lambda L: L.data[:100], "truncated"),
    ("truncate-header-end-1", lambda L: L.data[:L.H - 1], "truncated"),
    ("truncate-header-end", lambda L: L.data[:L.H], "truncated"),
    ("truncate-header-end+chunk", lambda L: L.data[:L.H + L.CS + 16], "truncated"),
    ("truncate-last-chunk", lambda L: L.data[:chunk_off(L, L.N - 1)], "truncated"),
    ("truncate-length-1", lambda L: L.data[:-1], "truncated"),
    ("append-1", lambda L: L.data + b"\x00", "trailing_data"),
    ("append-100", lambda L: L.data + bytes(range(100)), "trailing_data"),
    ("append-chunk", lambda L: L.data + L.data[chunk_off(L, L.N - 1):], "trailing_data"),
    ("payload-flip-chunk0", lambda L: flip(L.data, chunk_off(L, 0) + 10), "payload_auth_failed"),
    ("payload-flip-middle", lambda L: flip(L.data, chunk_off(L, 2) + L.CS // 2, 0x40), "payload_auth_failed"),
    ("payload-flip-tag", lambda L: flip(L.data, chunk_off(L, L.N - 1) + L.CS + 3), "payload_auth_failed"),
    ("payload-flip-last-byte", lambda L: flip(L.data, len(L.data) - 1), "payload_auth_failed"),
    ("chunks-swapped-1-2", lambda L: swap_chunks(L, 1, 2), "payload_auth_failed"),
    ("chunks-swapped-0-last", lambda L: swap_chunks(L, 0, L.N - 1), "payload_auth_failed"),
    ("chunk-spliced", lambda L: splice_chunk(L, 2), "payload_auth_failed"),
    ("chunk-spliced-last", lambda L: splice_chunk(L, L.N - 1), "payload_auth_failed"),
]


def run_no_outputs(cli, h, wd, path, secret, name, keyword=None):
    out = wd / "out"
    out.mkdir()
    r = cli("run", path, "-d", "CPU", *secret, "--save-outputs", out)
    h.assert_error(r, name, keyword)
    left = sorted(p.name for p in out.iterdir()) if out.exists() else []
    assert left == [], f"run failed but wrote outputs: {left}"


@pytest.mark.parametrize("cmd", ["verify", "run"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_damaged_file(cli, h, wd, secrets, lay, case, cmd):
    _, make, name = case
    data = make(lay)
    path = wd / "x.ovseal"
    path.write_bytes(data)
    secret = ["--key-file", secrets.key1]
    if cmd == "verify":
        h.assert_error(cli("verify", path, *secret), name)
    else:
        run_no_outputs(cli, h, wd, path, secret, name)


def test_undamaged_file_verifies(cli, secrets, lay, wd):
    """The untouched base file of the damage cases verifies and runs."""
    path = wd / "x.ovseal"
    path.write_bytes(lay.data)
    r = cli.ok("verify", path, "--key-file", secrets.key1)
    assert "OK" in r.stdout
    out = wd / "out"
    out.mkdir()
    cli.ok("run", path, "--key-file", secrets.key1, "--save-outputs", out)
    assert [p.name for p in out.iterdir()] == ["logits.npy"]


# ---------------------------------------------------------------------------------------------------------
# Wrong and unusable secrets

@pytest.mark.parametrize("cmd", ["verify", "run"])
def test_wrong_key_file(cli, h, wd, secrets, seal, cmd):
    sealed = seal("mlp")
    if cmd == "verify":
        h.assert_error(cli("verify", sealed, "--key-file", secrets.key2), "no_matching_key", "key")
    else:
        run_no_outputs(cli, h, wd, sealed, ["--key-file", secrets.key2], "no_matching_key", "key")


@pytest.mark.parametrize("cmd", ["verify", "run"])
def test_wrong_passphrase(cli, h, wd, secrets, seal, cmd):
    sealed = seal("mlp", "pass1")
    if cmd == "verify":
        h.assert_error(cli("verify", sealed, "--passphrase-file", secrets.pass2), "no_matching_key", "passphrase")
    else:
        run_no_outputs(cli, h, wd, sealed, ["--passphrase-file", secrets.pass2], "no_matching_key", "passphrase")


def test_key_file_for_passphrase_file(cli, h, secrets, seal):
    """A file sealed for a passphrase has no key stanza, and the reverse."""
    h.assert_error(cli("verify", seal("mlp", "pass1"), "--key-file", secrets.key1), "no_matching_key", "key")
    h.assert_error(cli("verify", seal("mlp"), "--passphrase-file", secrets.pass1),
                   "no_matching_key", "passphrase")


@pytest.mark.parametrize("content", [b"", b"not a key\n", b"\x00" * 7], ids=["empty", "text", "short"])
def test_invalid_key_file(cli, h, wd, models, seal, content):
    k = wd / "k"
    k.write_bytes(content)
    h.assert_error(cli("verify", seal("mlp"), "--key-file", k), "invalid_key", "key")
    h.assert_error(cli("seal", models["mlp"], "-o", wd / "x.ovseal", "--key-file", k), "invalid_key", "key")
    assert not (wd / "x.ovseal").exists()


@pytest.mark.parametrize("content", [b"", b"\n"], ids=["empty", "newline-only"])
def test_empty_passphrase(cli, h, wd, models, content):
    p = wd / "p"
    p.write_bytes(content)
    r = cli("seal", models["mlp"], "-o", wd / "x.ovseal", "--passphrase-file", p, "--scrypt-log2n", "16")
    h.assert_error(r, "invalid_key", "passphrase")
    assert not (wd / "x.ovseal").exists()


# ---------------------------------------------------------------------------------------------------------
# Files that are missing or not models

def test_missing_input_file(cli, h, wd, secrets):
    missing = wd / "no-such-input.ovseal"
    h.assert_error(cli("verify", missing, "--key-file", secrets.key1), "io", "no-such-input")
    h.assert_error(cli("inspect", missing), "io", "no-such-input")


def test_missing_key_file(cli, h, wd, seal):
    h.assert_error(cli("verify", seal("mlp"), "--key-file", wd / "no-such-keyfile"), "io", "no-such-keyfile")


def test_seal_missing_model(cli, h, wd, secrets):
    r = cli("seal", wd / "no-such-model.xml", "-o", wd / "x.ovseal", "--key-file", secrets.key1)
    h.assert_error(r, "io", "no-such-model")
    assert not (wd / "x.ovseal").exists()


def test_seal_unsupported_model(cli, h, wd, secrets):
    notes = wd / "notes.txt"
    notes.write_text("not a model\n")
    r = cli("seal", notes, "-o", wd / "x.ovseal", "--key-file", secrets.key1)
    h.assert_error(r, "unsupported_model")
    assert not (wd / "x.ovseal").exists()


def test_run_broken_plain_model(cli, h, wd):
    d = wd / "broken"
    d.mkdir()
    (d / "model.xml").write_text('<?xml version="1.0"?>\n<net name="broken" version="11"><layers>\n')
    (d / "model.bin").write_bytes(b"\x00" * 64)
    run_no_outputs(cli, h, wd, d / "model.xml", [], "model_rejected")
