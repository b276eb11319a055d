"""Tests for the independent Python opener (ovseal_reference.py), written from docs/FORMAT.md alone.

Two parts:
  * the C++ team's vectors (tests/vectors/manifest.json, FORMAT.md §15) must open, or fail, exactly as
    the manifest says; a missing manifest is a FAILURE, not a skip;
  * unit tests on files built here by a small writer written from the spec.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ovseal_reference as ref  # noqa: E402
from ovseal_reference import OvsealError, open_file  # noqa: E402

HERE = Path(__file__).resolve().parent
MANIFEST = HERE.parent / "vectors" / "manifest.json"

# =============================================================================================
# Part 1: the vectors of §15
# =============================================================================================


def _vector_params():
    try:
        manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
        vectors = manifest["vectors"]
    except FileNotFoundError:
        return [pytest.param({"__missing__": f"{MANIFEST} does not exist"}, id="manifest-missing")]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [pytest.param({"__missing__": f"{MANIFEST} unreadable: {exc!r}"}, id="manifest-unreadable")]
    if not vectors:
        return [pytest.param({"__missing__": f"{MANIFEST} lists no vectors"}, id="manifest-empty")]
    return [pytest.param(v, id=str(v.get("name"))) for v in vectors]


def test_manifest_present_and_well_formed():
    assert MANIFEST.is_file(), f"{MANIFEST} is missing"
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    assert manifest.get("format_version") == 1
    names = [v["name"] for v in manifest["vectors"]]
    assert names and len(names) == len(set(names)), "vector names must be present and unique"
    for v in manifest["vectors"]:
        assert v["expect"] == "success" or v["expect"] in ref.ERRORS, v
        assert v["identity"]["type"] in ("key", "passphrase"), v
        if v["expect"] == "success":
            assert "entries" in v, v


@pytest.mark.parametrize("vector", _vector_params())
def test_vector(vector):
    if "__missing__" in vector:
        pytest.fail(vector["__missing__"])
    data = (MANIFEST.parent / vector["file"]).read_bytes()
    ident = vector["identity"]
    if ident["type"] == "key":
        kw = {"key": bytes.fromhex(ident["key_hex"])}
    elif ident["type"] == "passphrase":
        kw = {"passphrase": ident["passphrase"].encode("utf-8")}
    else:
        pytest.fail(f"unknown identity type {ident['type']!r}")
    if vector["expect"] == "success":
        entries = open_file(data, **kw)
        got = [(n, k, len(c), hashlib.sha256(c).hexdigest()) for n, k, c in entries]
        want = [(e["name"], e["kind"], e["size"], e["sha256"].lower()) for e in vector["entries"]]
        assert got == want
    else:
        with pytest.raises(OvsealError) as ei:
            open_file(data, **kw)
        assert ei.value.name == vector["expect"], ei.value.detail


# =============================================================================================
# Part 2: a writer written from the spec, and unit tests against it
# =============================================================================================

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
PASS = b"correct horse battery staple"


def u16(v: int) -> bytes:
    return v.to_bytes(2, "little")


def u32(v: int) -> bytes:
    return v.to_bytes(4, "little")


def u64(v: int) -> bytes:
    return v.to_bytes(8, "little")


def enc_stanza(stype: bytes, args: list[bytes], body: bytes) -> bytes:
    out = bytes([len(stype)]) + stype + bytes([len(args)])
    for a in args:
        out += u16(len(a)) + a
    return out + u16(len(body)) + body


def enc_record(rtype: int, value: bytes) -> bytes:
    return u16(rtype) + u32(len(value)) + value


def entry_record(name: bytes, kind: int, size: int, reserved: int = 0) -> bytes:
    return enc_record(0x8001, bytes([kind, reserved]) + u16(len(name)) + u64(size) + name)


def _wrap(okm: bytes, file_key: bytes) -> bytes:
    return okm[32:64] + AESGCM(okm[:32]).encrypt(bytes(12), file_key, None)


def key_stanza(secret: bytes, salt: bytes | None = None):
    def build(file_key: bytes, rng: random.Random) -> bytes:
        s = salt if salt is not None else rng.randbytes(32)
        okm = ref.hkdf(secret, s, b"ovseal-v1 key stanza", 64)
        return enc_stanza(b"key", [s], _wrap(okm, file_key))

    return build


def scrypt_stanza(passphrase: bytes, log2_n: int = 16, r: int = 8, p: int = 1, derive: bool = True):
    def build(file_key: bytes, rng: random.Random) -> bytes:
        s = rng.randbytes(32)
        if derive:
            k = Scrypt(salt=b"ovseal-v1 scrypt" + s, length=32, n=1 << log2_n, r=r, p=p).derive(passphrase)
            body = _wrap(ref.hkdf(k, b"", b"ovseal-v1 scrypt stanza", 64), file_key)
        else:  # parameters a reader must refuse before deriving anything
            body = rng.randbytes(80)
        return enc_stanza(b"scrypt", [s, bytes([log2_n, r, p])], body)

    return build


def raw_stanza(stype: bytes, args: list[bytes], body: bytes):
    return lambda file_key, rng: enc_stanza(stype, args, body)


@dataclass
class Sealed:
    data: bytes
    file_key: bytes
    h: int
    s: int
    cs: int
    n_chunks: int


def seal(
    entries: list[tuple[bytes, int, bytes]],
    stanzas=None,
    *,
    cs_log2: int = 16,
    records_before: list[bytes] = (),
    records_after: list[bytes] = (),
    entry_records: list[bytes] | None = None,
    trailer: bytes = b"",
    trailer_length: int | None = None,
    version: int = 1,
    stanza_count: int | None = None,
    reserved: bytes = b"\0\0\0",
    commitment: bytes | None = None,
    seed: int = 1,
) -> Sealed:
    """Seal `entries` (name, kind, content) as FORMAT.md describes, with hooks to break the rules."""
    rng = random.Random(seed)
    file_key = rng.randbytes(32)
    payload_salt = rng.randbytes(32)
    if stanzas is None:
        stanzas = [key_stanza(KEY)]
    stanza_bytes = b"".join(build(file_key, rng) for build in stanzas)
    s = len(stanza_bytes)
    if entry_records is None:
        entry_records = [entry_record(n, k, len(c)) for n, k, c in entries]
    records = b"".join(list(records_before) + entry_records + list(records_after))
    t = len(trailer) if trailer_length is None else trailer_length
    if commitment is None:
        commitment = ref.hkdf(file_key, b"", b"ovseal-v1 file key commitment", 32)
    body = payload_salt + bytes([cs_log2]) + reserved + u32(t) + commitment + records
    h = 20 + s + len(body) + 32
    pre = b"\x89OVSEAL\n" + u16(version) + u16(len(stanzas) if stanza_count is None else stanza_count)
    pre += u32(h) + u32(s)
    header = pre + stanza_bytes + body
    header += ref.hmac_sha256(ref.hkdf(file_key, b"", b"ovseal-v1 header mac", 32), header)
    cs = 1 << cs_log2
    plains = []
    for _n, _k, content in entries:
        n_e = max(1, -(-len(content) // cs))
        padded = content + bytes(n_e * cs - len(content))
        plains += [padded[j * cs : (j + 1) * cs] for j in range(n_e)]
    aead = AESGCM(ref.hkdf(file_key, payload_salt, b"ovseal-v1 payload", 32))
    n = len(plains)
    payload = b"".join(aead.encrypt(ref.chunk_nonce(i, i == n - 1), p, None) for i, p in enumerate(plains))
    return Sealed(header + payload + trailer, file_key, h, s, cs, n)


def err(data: bytes, **kw) -> str:
    if not kw:
        kw = {"key": KEY}
    try:
        open_file(data, **kw)
    except OvsealError as e:
        return e.name
    return "ok"


SMALL = [(b"model.xml", 1, b"<net/>" * 10), (b"model.bin", 2, bytes(range(256)) * 3)]


def _mutate(data: bytes, off: int, xor: int) -> bytes:
    b = bytearray(data)
    b[off] ^= xor
    return bytes(b)


# ---- round trips ---------------------------------------------------------------------------


def test_roundtrip_key_stanza():
    rng = random.Random(7)
    cs = 1 << 16
    entries = [
        (b"model.xml", 1, b"<?xml version='1.0'?><net/>"),
        (b"model.bin", 2, rng.randbytes(2 * cs + 5)),  # three chunks
        (b"exact", 7, rng.randbytes(cs)),  # exactly one chunk, reserved kind: opaque data
        (b"empty", 4, b""),  # an empty entry is one chunk of zeros
        ("mod\u00e8le \u2713.onnx".encode(), 3, b"x"),
    ]
    meta = [
        enc_record(0x0001, b"resnet"),
        enc_record(0x0002, b"1.2"),
        enc_record(0x0003, b"a \x1b[31m description \xff"),  # invalid UTF-8 is not an error
        enc_record(0x0004, u64(1_700_000_000)),
        enc_record(0x0005, b"2025.3"),
        enc_record(0x0006, b"ovseal 1.0"),
    ]
    sealed = seal(entries, records_before=meta[:3], records_after=meta[3:])
    assert sealed.n_chunks == 1 + 3 + 1 + 1 + 1
    opened = ref.open_file_full(sealed.data, key=KEY)
    assert opened.entries == [(n.decode(), k, c) for n, k, c in entries]
    assert opened.metadata["created"] == 1_700_000_000
    assert opened.metadata["model_name"] == b"resnet"


@pytest.mark.parametrize("cs_log2", [16, 17, 22])
def test_roundtrip_chunk_sizes(cs_log2):
    content = random.Random(cs_log2).randbytes((1 << 16) * 3 + 1)
    sealed = seal([(b"w.bin", 2, content)], cs_log2=cs_log2)
    assert open_file(sealed.data, key=KEY) == [("w.bin", 2, content)]


def test_roundtrip_scrypt_and_key_stanza():
    sealed = seal(SMALL, [scrypt_stanza(PASS, 16), key_stanza(KEY)])
    want = [(n.decode(), k, c) for n, k, c in SMALL]
    assert open_file(sealed.data, passphrase=PASS) == want
    assert open_file(sealed.data, key=KEY) == want
    assert err(sealed.data, passphrase=PASS + b"!") == "no_matching_key"


def test_wrong_key_is_no_matching_key():
    sealed = seal(SMALL, [key_stanza(KEY), key_stanza(bytes(32))])
    assert err(sealed.data, key=OTHER_KEY) == "no_matching_key"
    assert err(sealed.data, passphrase=PASS) == "no_matching_key"  # no scrypt stanza at all


def test_second_stanza_opens():
    sealed = seal(SMALL, [key_stanza(OTHER_KEY), key_stanza(KEY)])
    assert open_file(sealed.data, key=KEY)[0][0] == "model.xml"
    assert open_file(sealed.data, key=OTHER_KEY)[0][0] == "model.xml"


def test_invalid_secrets():
    sealed = seal(SMALL)
    assert err(sealed.data, key=KEY[:31]) == "invalid_key"
    assert err(sealed.data, passphrase=b"") == "invalid_key"


# ---- damage (§10.1) -------------------------------------------------------------------------


def _header_regions(sealed: Sealed):
    """Map header offset -> set of errors §10.1 allows, for a file with a single `key` stanza."""
    s0 = 20
    regions = {}

    def put(a, b, allowed):
        for i in range(a, b):
            regions[i] = allowed

    put(0, 8, {"not_ovseal_file"})
    put(8, 10, {"unsupported_version"})
    put(10, 12, {"malformed_header"})
    put(12, 16, {"truncated", "malformed_header", "header_auth_failed"})
    put(16, 20, {"malformed_header"})
    put(s0, s0 + 1, {"malformed_header"})  # type_length
    put(s0 + 1, s0 + 4, {"no_matching_key", "malformed_header"})  # type "key"
    put(s0 + 4, s0 + 5, {"malformed_header"})  # arg_count
    put(s0 + 5, s0 + 7, {"malformed_header"})  # arg_length
    put(s0 + 7, s0 + 39, {"no_matching_key"})  # salt
    put(s0 + 39, s0 + 41, {"malformed_header"})  # body_length
    put(s0 + 41, s0 + 73, {"no_matching_key"})  # commitment
    put(s0 + 73, s0 + 121, {"header_auth_failed"})  # wrapped file key
    assert sealed.s == 121
    put(s0 + 121, sealed.h, {"header_auth_failed"})  # body, records, header MAC
    return regions


@pytest.mark.parametrize("xor", [0x01, 0x80, 0xFF])
def test_flip_every_header_byte(xor):
    sealed = seal(SMALL, records_after=[enc_record(0x0001, b"m"), enc_record(0x0040, b"opt")])
    regions = _header_regions(sealed)
    for off in range(sealed.h):
        got = err(_mutate(sealed.data, off, xor))
        assert got in regions[off], f"offset {off} xor {xor:#x}: {got}, allowed {regions[off]}"


def test_flip_header_length_exact():
    sealed = seal(SMALL)
    n = len(sealed.data)
    for off in range(12, 16):
        for xor in (0x01, 0x02, 0x10, 0x80, 0xFF):
            data = _mutate(sealed.data, off, xor)
            h = int.from_bytes(data[12:16], "little")
            if h > 16 * 1024 * 1024 or h < 20 + sealed.s + 72 + 32:
                want = "malformed_header"
            elif h > n:
                want = "truncated"
            else:
                want = "header_auth_failed"
            assert err(data) == want, (off, xor, h)


def test_flip_payload_bytes():
    sealed = seal([(b"a", 1, b"x" * 70000), (b"b", 2, b"y")])
    step = sealed.cs + 16
    offs = []
    for i in range(sealed.n_chunks):
        base = sealed.h + i * step
        offs += [base, base + 1, base + sealed.cs // 2, base + sealed.cs - 1, base + sealed.cs, base + step - 1]
    for off in offs:
        assert err(_mutate(sealed.data, off, 0x20)) == "payload_auth_failed", off


def test_damage_to_other_stanza_is_caught_by_header_mac():
    # §10.1 speaks of the stanza that opens; damage to another stanza is caught by the header MAC.
    sealed = seal(SMALL, [key_stanza(OTHER_KEY), key_stanza(KEY)])
    for off in (20 + 7, 20 + 41, 20 + 100):  # salt, commitment, wrapped key of the first stanza
        assert err(_mutate(sealed.data, off, 1)) == "header_auth_failed"


def test_damaged_wrapped_key_with_valid_commitment():
    sealed = seal(SMALL)
    assert err(_mutate(sealed.data, 20 + 73, 1)) == "header_auth_failed"
    assert err(_mutate(sealed.data, 20 + 120, 1)) == "header_auth_failed"  # the wrap tag


def test_truncation():
    sealed = seal([(b"a", 1, b"x" * 70000), (b"b", 2, b"")])
    n = len(sealed.data)
    step = sealed.cs + 16
    lengths = set(range(1, sealed.h + 40))
    for i in range(sealed.n_chunks + 1):
        b = sealed.h + i * step
        lengths |= {b - 1, b, b + 1, b + 16, b + sealed.cs}
    lengths |= {n - 16, n - 1}
    for ln in sorted(x for x in lengths if 1 <= x < n):
        assert err(sealed.data[:ln]) == "truncated", ln


def test_swap_chunks():
    sealed = seal([(b"a", 1, random.Random(3).randbytes(3 * 65536))])
    h, step = sealed.h, sealed.cs + 16
    d = sealed.data
    c = [d[h + i * step : h + (i + 1) * step] for i in range(3)]
    assert err(d[:h] + c[1] + c[0] + c[2]) == "payload_auth_failed"
    assert err(d[:h] + c[0] + c[2] + c[1]) == "payload_auth_failed"  # moves the final-chunk flag
    other = seal([(b"a", 1, random.Random(3).randbytes(3 * 65536))], seed=99)
    assert err(d[:h] + c[0] + other.data[other.h : other.h + step] + c[2]) == "payload_auth_failed"


def test_appended_bytes():
    sealed = seal(SMALL)
    for extra in (b"\0", b"garbage", bytes(65552)):
        assert err(sealed.data + extra) == "trailing_data"
    # a dropped final chunk is caught by the length check
    two = seal([(b"a", 1, b"x" * 70000)])
    assert err(two.data[: two.h + two.cs + 16]) == "truncated"


def test_not_ovseal_file():
    assert err(b"") == "not_ovseal_file"
    rng = random.Random(5)
    for ln in (1, 5, 8, 19, 20, 100, 5000):
        junk = bytearray(rng.randbytes(ln))
        if junk[0] == 0x89:
            junk[0] = 0
        assert err(bytes(junk)) == "not_ovseal_file"
    assert err(b"\x89OVSEAl\n" + bytes(100)) == "not_ovseal_file"
    assert err(b"\x89OVX") == "not_ovseal_file"  # short, but not a prefix of the magic


def test_short_prefixes():
    sealed = seal(SMALL)
    for ln in range(1, 20):
        assert err(sealed.data[:ln]) == "truncated", ln


def test_unsupported_version():
    sealed = seal(SMALL, version=2)
    assert err(sealed.data) == "unsupported_version"
    assert err(sealed.data[:10]) == "unsupported_version"  # version is checked before the preamble length
    assert err(seal(SMALL, version=0).data) == "unsupported_version"


def test_unknown_critical_record():
    assert err(seal(SMALL, records_after=[enc_record(0x8002, b"")]).data) == "unsupported_version"
    assert err(seal(SMALL, records_before=[enc_record(0xFFFF, b"zz")]).data) == "unsupported_version"


def test_unknown_noncritical_record_ignored():
    sealed = seal(SMALL, records_before=[enc_record(0x0007, b"abc"), enc_record(0x7FFF, bytes(65536))])
    assert open_file(sealed.data, key=KEY) == [(n.decode(), k, c) for n, k, c in SMALL]


def test_unknown_stanza_is_not_mine():
    odd = raw_stanza(b"x25519-future", [b"a" * 7, b"", b"b" * 4096], b"c" * 16384)
    sealed = seal(SMALL, [odd, key_stanza(KEY), raw_stanza(b"scrypt2", [], b"")])
    assert open_file(sealed.data, key=KEY)[1][0] == "model.bin"
    assert err(seal(SMALL, [odd]).data) == "no_matching_key"


def test_two_scrypt_stanzas():
    s = [scrypt_stanza(PASS, derive=False), key_stanza(KEY), scrypt_stanza(PASS, derive=False)]
    assert err(seal(SMALL, s).data) == "malformed_header"
    assert err(seal(SMALL, s).data, passphrase=PASS) == "malformed_header"


@pytest.mark.parametrize("params", [(21, 8, 1), (15, 8, 1), (255, 8, 1), (16, 4, 1), (16, 8, 2), (16, 8, 0)])
def test_scrypt_params_refused_before_deriving(params):
    st = scrypt_stanza(PASS, *params, derive=False)
    assert err(seal(SMALL, [st]).data, passphrase=PASS) == "malformed_header"
    assert err(seal(SMALL, [key_stanza(KEY), st]).data) == "malformed_header"  # even when not needed


# ---- preamble and stanza structure ------------------------------------------------------------


def _patch_preamble(data: bytes, count=None, h=None, s=None) -> bytes:
    b = bytearray(data)
    if count is not None:
        b[10:12] = u16(count)
    if h is not None:
        b[12:16] = u32(h)
    if s is not None:
        b[16:20] = u32(s)
    return bytes(b)


def test_preamble_bounds():
    sealed = seal(SMALL)
    d = sealed.data
    assert err(_patch_preamble(d, count=0)) == "malformed_header"
    assert err(_patch_preamble(d, count=1025)) == "malformed_header"
    assert err(_patch_preamble(d, count=2)) == "malformed_header"
    assert err(_patch_preamble(d, h=16 * 1024 * 1024 + 1)) == "malformed_header"
    assert err(_patch_preamble(d, h=0xFFFFFFFF)) == "malformed_header"
    assert err(_patch_preamble(d, h=20 + sealed.s + 72 + 31)) == "malformed_header"
    assert err(_patch_preamble(d, h=20 + sealed.s + 72 + 32)) == "header_auth_failed"
    assert err(_patch_preamble(d, h=len(d) + 1)) == "truncated"
    assert err(_patch_preamble(d, s=0xFFFFFFFF)) == "malformed_header"
    assert err(_patch_preamble(d, s=sealed.s - 1)) == "malformed_header"
    assert err(_patch_preamble(d, s=sealed.s + 1)) == "malformed_header"
    # a well-formed file of 1024 unknown stanzas plus ours is fine (1025 are not)
    many = [raw_stanza(b"z", [], b"")] * 1023 + [key_stanza(KEY)]
    assert open_file(seal(SMALL, many).data, key=KEY)[0][0] == "model.xml"
    assert err(seal(SMALL, many + [raw_stanza(b"z", [], b"")]).data) == "malformed_header"


@pytest.mark.parametrize(
    "stanza",
    [
        raw_stanza(b"", [], b""),
        raw_stanza(b"a" * 33, [], b""),
        raw_stanza(b"Key", [], b""),
        raw_stanza(b"k_y", [], b""),
        raw_stanza(b"k y", [], b""),
        raw_stanza(b"a", [b""] * 17, b""),
        raw_stanza(b"a", [b"x" * 4097], b""),
        raw_stanza(b"a", [], b"x" * 16385),
        raw_stanza(b"key", [bytes(32), b""], bytes(80)),
        raw_stanza(b"key", [bytes(31)], bytes(80)),
        raw_stanza(b"key", [bytes(32)], bytes(81)),
        raw_stanza(b"scrypt", [bytes(32)], bytes(80)),
        raw_stanza(b"scrypt", [bytes(32), bytes([16, 8, 1]), b""], bytes(80)),
        raw_stanza(b"scrypt", [bytes(32), bytes([16, 8, 1, 0])], bytes(80)),
        raw_stanza(b"scrypt", [bytes(33), bytes([16, 8, 1])], bytes(80)),
        raw_stanza(b"scrypt", [bytes(32), bytes([16, 8, 1])], bytes(79)),
    ],
)
def test_bad_stanzas(stanza):
    # malformed_header comes before the file key (§9 step 2 before step 3), even with a good stanza
    assert err(seal(SMALL, [key_stanza(KEY), stanza]).data) == "malformed_header"


def test_stanza_maxima_accepted():
    odd = raw_stanza(b"a" * 32 + b"", [b"x" * 4096] * 16, b"y" * 16384)
    assert open_file(seal(SMALL, [odd, key_stanza(KEY)]).data, key=KEY)[0][1] == 1


# ---- body and records --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kw",
    [
        {"cs_log2": 15},
        {"cs_log2": 23},
        {"reserved": b"\0\0\1"},
        {"trailer": b"", "trailer_length": 1024 * 1024 + 1},
        {"entry_records": []},
        {"entry_records": [entry_record(b"a", 0, 0)]},
        {"entry_records": [entry_record(b"a", 1, 0, reserved=1)]},
        {"entry_records": [entry_record(b"a", 1, (1 << 60) + 1)]},
        {"entry_records": [entry_record(b"", 1, 0)]},
        {"entry_records": [entry_record(b"x" * 256, 1, 0)]},
        {"entry_records": [entry_record(b".", 1, 0)]},
        {"entry_records": [entry_record(b"..", 1, 0)]},
        {"entry_records": [entry_record(b"a/b", 1, 0)]},
        {"entry_records": [entry_record(b"a\\b", 1, 0)]},
        {"entry_records": [entry_record(b"a\nb", 1, 0)]},
        {"entry_records": [entry_record(b"a\x7fb", 1, 0)]},
        {"entry_records": [entry_record(b"a\xffb", 1, 0)]},
        {"entry_records": [entry_record(b"a", 1, 0), entry_record(b"a", 2, 0)]},
        {"entry_records": [entry_record(f"e{i}".encode(), 4, 0) for i in range(257)]},
        {"entry_records": [enc_record(0x8001, bytes([1, 0]) + u16(2) + u64(0) + b"a")]},
        {"entry_records": [enc_record(0x8001, bytes([1, 0]) + u16(0))]},
        {"records_after": [enc_record(0x0001, b"a"), enc_record(0x0001, b"b")]},
        {"records_after": [enc_record(0x0001, b"a" * 1025)]},
        {"records_after": [enc_record(0x0006, b"a" * 1025)]},
        {"records_after": [enc_record(0x0004, u32(5))]},
        {"records_after": [enc_record(0x0004, u64(5)), enc_record(0x0004, u64(6))]},
        {"records_after": [enc_record(0x0040, bytes(65537))]},
        {"records_after": [b"\x01\x00\x05\x00"]},  # record header cut by H - 32
        {"records_after": [u16(0x0040) + u32(10) + b"abc"]},  # value overruns H - 32
        {"records_after": [enc_record(0x0040, b"")] * 4095},  # 4097 records with the two entries
    ],
)
def test_malformed_body(kw):
    entries = SMALL if "entry_records" not in kw else []
    assert err(seal(entries, **kw).data) == "malformed_header"


def test_body_limits_accepted():
    names = [f"e{i}".encode() for i in range(256)]
    sealed = seal([(n, 4, b"") for n in names])
    assert len(open_file(sealed.data, key=KEY)) == 256
    many = seal(SMALL, records_after=[enc_record(0x0040, b"")] * 4094)  # 4096 records in all
    assert len(open_file(many.data, key=KEY)) == 2
    name = ("\u00e9" * 127).encode() + b"x"  # 255 bytes
    assert open_file(seal([(name, 1, b"")]).data, key=KEY)[0][0] == name.decode()


def test_file_key_commitment_mismatch():
    assert err(seal(SMALL, commitment=bytes(32)).data) == "header_auth_failed"


# ---- trailer (§8) ------------------------------------------------------------------------------


def test_trailer():
    ok = seal(SMALL, trailer=enc_record(0x0001, b"sig") + enc_record(0x7000, b""))
    assert len(open_file(ok.data, key=KEY)) == 2
    assert err(seal(SMALL, trailer=enc_record(0x8001, b"sig")).data) == "unsupported_version"
    assert err(seal(SMALL, trailer=b"\x01\x00\x05").data) == "malformed_header"
    assert err(seal(SMALL, trailer=u16(1) + u32(5) + b"abc").data) == "malformed_header"
    # the trailer is not covered by any MAC: its damage is structural or nothing
    damaged = bytearray(ok.data)
    damaged[-7] ^= 0xFF  # inside the value "sig"
    assert len(open_file(bytes(damaged), key=KEY)) == 2
    # T counts in the expected length
    assert err(ok.data[:-1]) == "truncated"
    assert err(ok.data + b"\0") == "trailing_data"


# ---- §9 order ----------------------------------------------------------------------------------


def test_order_malformed_stanzas_before_key():
    bad = seal(SMALL, [key_stanza(KEY), raw_stanza(b"key", [], b"")])
    assert err(bad.data, key=OTHER_KEY) == "malformed_header"


def test_order_truncated_before_stanzas():
    sealed = seal(SMALL, [raw_stanza(b"key", [], b"")])
    assert err(sealed.data[: sealed.h - 1]) == "truncated"


def test_order_header_mac_before_body():
    # a body that is malformed but the header MAC is wrong: header_auth_failed
    sealed = seal(SMALL, cs_log2=23)
    assert err(sealed.data) == "malformed_header"
    assert err(_mutate(sealed.data, sealed.h - 1, 1)) == "header_auth_failed"


def test_order_body_before_length():
    sealed = seal(SMALL, records_after=[enc_record(0x8123, b"")])
    assert err(sealed.data[: sealed.h + 5]) == "unsupported_version"


def test_order_length_before_payload():
    sealed = seal(SMALL)
    d = _mutate(sealed.data, sealed.h + 3, 1)
    assert err(d + b"\0") == "trailing_data"


# ---- command line ------------------------------------------------------------------------------


def test_cli(tmp_path):
    sealed = seal(SMALL)
    f = tmp_path / "m.ovseal"
    f.write_bytes(sealed.data)
    script = str(HERE / "ovseal_reference.py")
    run = lambda *a: subprocess.run([sys.executable, script, *a], capture_output=True, text=True)  # noqa: E731
    r = run(str(f), "--key-hex", KEY.hex())
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[1].split("\t") == ["model.bin", "2", str(len(SMALL[1][2])), hashlib.sha256(SMALL[1][2]).hexdigest()]
    r = run(str(f), "--key-hex", OTHER_KEY.hex())
    assert (r.returncode, r.stderr.split()[0]) == (7, "no_matching_key")
    f.write_bytes(sealed.data[:100])
    assert run(str(f), "--key-hex", KEY.hex()).returncode == 10
    assert run(str(f), "--key-hex", "abc").returncode == 12
    assert run(str(tmp_path / "nope"), "--key-hex", KEY.hex()).returncode == 3
    assert run(str(f)).returncode == 2
