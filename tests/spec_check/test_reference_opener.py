# SPDX-License-Identifier: Apache-2.0
"""Tests for the independent Python opener (ovseal_reference.py), written from docs/FORMAT.md alone.

Two parts:
  * the C++ team's vectors (tests/vectors/manifest.json, FORMAT.md §15) must open, or fail, exactly as
    the manifest says; a missing manifest is a FAILURE, not a skip;
  * unit tests on files built here by a small writer written from the spec, including revision 2:
    device (`x25519`) stanzas, the publisher signature and trust (§8.1, §9 2a/7a, §12), licenses (§13,
    built by `make_license`) and the text forms of keys (§14); and revision 3: `p256` stanzas (§7.5),
    version-2 licenses (§13.5) and the `ovseal-p256:` text form (§14), also checked against the committed
    P-256 vectors field by field.
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
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
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


VECTOR_KEYS = {"name", "description", "file", "identity", "expect", "entries", "trust", "licenses", "now", "allow_unsigned"}


def test_manifest_present_and_well_formed():
    assert MANIFEST.is_file(), f"{MANIFEST} is missing"
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    assert manifest.get("format_version") == 1
    names = [v["name"] for v in manifest["vectors"]]
    assert names and len(names) == len(set(names)), "vector names must be present and unique"
    for v in manifest["vectors"]:
        assert set(v) <= VECTOR_KEYS, f"field(s) this opener does not drive: {set(v) - VECTOR_KEYS}"
        assert v["expect"] == "success" or v["expect"] in ref.ERRORS, v
        assert v["identity"]["type"] in ("key", "passphrase", "device", "device_p256", "cache"), v
        if v["expect"] == "success":
            assert "entries" in v, v
        assert isinstance(v.get("trust", []), list) and isinstance(v.get("licenses", []), list), v
        assert isinstance(v.get("now", 0), int) and isinstance(v.get("allow_unsigned", False), bool), v


def test_every_vector_file_is_driven():
    """Every .ovseal and .lic file beside the manifest is used by some vector, and every file used exists."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    used = set()
    for v in manifest["vectors"]:
        used.add(v["file"])
        used.update(v.get("licenses", []))
    on_disk = {p.name for p in MANIFEST.parent.iterdir() if p.suffix in (".ovseal", ".lic")}
    assert on_disk == used, (sorted(on_disk - used), sorted(used - on_disk))


def _vector_kwargs(vector) -> dict:
    ident = vector["identity"]
    if ident["type"] == "key":
        kw = {"key": bytes.fromhex(ident["key_hex"])}
    elif ident["type"] == "passphrase":
        kw = {"passphrase": ident["passphrase"].encode("utf-8")}
    elif ident["type"] == "device":
        kw = {"device_key": bytes.fromhex(ident["private_key_hex"])}
    elif ident["type"] == "device_p256":
        # a P-256 private scalar; §15 does not name its byte order: big-endian, as for `e` in §7.5
        kw = {"device_p256_key": bytes.fromhex(ident["private_key_hex"])}
    else:
        pytest.fail(f"unknown identity type {ident['type']!r}")
    if "trust" in vector:
        kw["trust"] = [ref.parse_public_key(t, "ed25519") for t in vector["trust"]]
    if "licenses" in vector:
        kw["licenses"] = [(MANIFEST.parent / f).read_bytes() for f in vector["licenses"]]
    if "now" in vector:
        kw["now"] = vector["now"]
    if "allow_unsigned" in vector:
        kw["allow_unsigned"] = vector["allow_unsigned"]
    return kw


def _check_cache_vector(vector, data: bytes) -> None:
    """Revision 4 (§15, §16.6): the model's file key, the binding, the entry's name, then the entry."""
    ident = vector["identity"]
    model = (MANIFEST.parent / ident["model_file"]).read_bytes()
    binding = ref.cache_binding(ident["openvino_version"], ident["device"],
                                ref.canonical_options(ident["options"]), ref.cache_model_ref(model))
    assert ref.cache_entry_name(binding) == ident["entry_name"]
    file_key = ref.model_file_key(model, bytes.fromhex(ident["model_key_hex"]))
    device = None
    if "device_identity" in ident:  # revision 5: a device-bound reader (§16.4)
        d = ident["device_identity"]
        raw = bytes.fromhex(d["private_key_hex"])
        device = (ref.DeviceIdentity.from_private(raw) if d["type"] == "device"
                  else ref.DeviceIdentity.from_p256_scalar(raw))
    if vector["expect"] == "success":
        name, kind, content = ref.open_cache_entry(data, file_key, binding, device)
        want = vector["entries"][0]
        assert (name, kind, len(content), hashlib.sha256(content).hexdigest()) == (
            want["name"], want["kind"], want["size"], want["sha256"].lower())
    else:
        with pytest.raises(OvsealError) as ei:
            ref.open_cache_entry(data, file_key, binding, device)
        assert ei.value.name == vector["expect"], ei.value.detail


@pytest.mark.parametrize("vector", _vector_params())
def test_vector(vector):
    if "__missing__" in vector:
        pytest.fail(vector["__missing__"])
    data = (MANIFEST.parent / vector["file"]).read_bytes()
    if vector["identity"]["type"] == "cache":
        _check_cache_vector(vector, data)
        return
    kw = _vector_kwargs(vector)
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


def x25519_public(d: bytes) -> bytes:
    return X25519PrivateKey.from_private_bytes(d).public_key().public_bytes_raw()


def x25519(d: bytes, peer: bytes) -> bytes:
    """X25519(d, peer); a writer refuses an all-zero result (§7.3: invalid_key)."""
    try:
        shared = X25519PrivateKey.from_private_bytes(d).exchange(X25519PublicKey.from_public_bytes(peer))
    except ValueError:
        shared = bytes(32)
    if shared == bytes(32):
        raise OvsealError("invalid_key", "unusable device key (low-order point)")
    return shared


def recipient_tag(device_public: bytes) -> bytes:
    """§7.3 (revision 5): the first 4 bytes of the device's key id."""
    return hashlib.sha256(b"ovseal-v1 key id" + device_public).digest()[:4]


def x25519_stanza(device_public: bytes, tagged: bool = False):
    """§7.3 writer: a fresh ephemeral key per stanza; `tagged`: the x25519-tagged form of revision 5."""

    def build(file_key: bytes, rng: random.Random) -> bytes:
        e = rng.randbytes(32)
        ephemeral = x25519_public(e)
        shared = x25519(e, device_public)
        okm = ref.hkdf(shared, ephemeral + device_public, b"ovseal-v1 x25519 stanza", 64)
        if tagged:
            return enc_stanza(b"x25519-tagged", [recipient_tag(device_public), ephemeral], _wrap(okm, file_key))
        return enc_stanza(b"x25519", [ephemeral], _wrap(okm, file_key))

    return build


# ---- P-256 (§7.5), written here from the spec; `cryptography` does the point arithmetic -------------

P256_P = 2**256 - 2**224 + 2**192 + 2**96 - 1  # the field prime
P256_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # the group order


def p256_rhs(x: int) -> int:
    return (pow(x, 3, P256_P) - 3 * x + P256_B) % P256_P


def p256_x_on_curve(x: int) -> bool:
    """Whether some y satisfies y^2 = x^3 - 3x + b (Euler's criterion), for 0 <= x < p."""
    rhs = p256_rhs(x)
    return rhs == 0 or pow(rhs, (P256_P - 1) // 2, P256_P) == 1


def p256_decompress(point: bytes) -> tuple[int, int] | None:
    """SEC 1 §2.3.4 for a 33-byte compressed point, independently of `cryptography` (p = 3 mod 4)."""
    if len(point) != 33 or point[0] not in (2, 3):
        return None
    x = int.from_bytes(point[1:], "big")
    if x >= P256_P or not p256_x_on_curve(x):
        return None
    y = pow(p256_rhs(x), (P256_P + 1) // 4, P256_P)
    if y % 2 != point[0] - 2:
        y = P256_P - y
    return x, y


def off_curve_points(count: int = 3) -> list[bytes]:
    """Compressed 33-byte encodings that decode to no point: x with no y, x >= p, a bad prefix byte."""
    xs = [x for x in range(1, 64) if not p256_x_on_curve(x)][:count]
    out = [bytes([2]) + x.to_bytes(32, "big") for x in xs]
    out.append(bytes([3]) + P256_P.to_bytes(32, "big"))  # x = p (x = 0 is on the curve)
    return out


def p256_public(d: bytes) -> bytes:
    """The compressed point d·G of a 32-byte big-endian scalar."""
    key = ec.derive_private_key(int.from_bytes(d, "big"), ec.SECP256R1())
    return key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)


def p256_x(d: bytes, peer: bytes) -> bytes:
    """The 32-byte big-endian x-coordinate of d·peer; a writer refuses a peer not on the curve (invalid_key)."""
    if p256_decompress(peer) is None:
        raise OvsealError("invalid_key", "the P-256 device key is not on the curve")
    point = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), peer)
    return ec.derive_private_key(int.from_bytes(d, "big"), ec.SECP256R1()).exchange(ec.ECDH(), point)


def p256_scalar(rng: random.Random) -> bytes:
    """§7.5: 32 random bytes as a big-endian integer, drawn again until 1 <= e < n."""
    while True:
        e = rng.randbytes(32)
        if 1 <= int.from_bytes(e, "big") < P256_N:
            return e


def p256_stanza(device_public: bytes, tagged: bool = False):
    """§7.5 writer: a fresh ephemeral scalar per stanza; `tagged`: the p256-tagged form of revision 5."""

    def build(file_key: bytes, rng: random.Random) -> bytes:
        e = p256_scalar(rng)
        ephemeral = p256_public(e)
        shared = p256_x(e, device_public)
        okm = ref.hkdf(shared, ephemeral + device_public, b"ovseal-v1 p256 stanza", 64)
        if tagged:
            return enc_stanza(b"p256-tagged", [recipient_tag(device_public), ephemeral], _wrap(okm, file_key))
        return enc_stanza(b"p256", [ephemeral], _wrap(okm, file_key))

    return build


def ed25519_public(seed: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()


def ed25519_sign(seed: bytes, msg: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(seed).sign(msg)


def spec_signed_message(version: int, body: bytes, stored_chunks: list[bytes]) -> bytes:
    """§12.1, written here independently of the reference opener."""
    digests = b"".join(hashlib.sha256(c).digest() for c in stored_chunks)
    payload_digest = hashlib.sha256(b"ovseal-v1 chunk digests" + digests).digest()
    return (
        b"ovseal-v1 model signature\x00"
        + u16(version)
        + u32(len(body))
        + body
        + u64(len(stored_chunks))
        + payload_digest
    )


def spec_model_id(message: bytes) -> bytes:
    return hashlib.sha256(b"ovseal-v1 model id" + message).digest()


def signature_record(model_id: bytes, signer_public: bytes, sig: bytes, algorithm: int = 1) -> bytes:
    return enc_record(0x0001, bytes([algorithm]) + model_id + signer_public + sig)


@dataclass
class Sealed:
    data: bytes
    file_key: bytes
    h: int
    s: int
    cs: int
    n_chunks: int
    payload_key: bytes = b""
    model_id: bytes = b""  # §12.2, as this writer computes it
    message: bytes = b""  # M of §12.1
    trailer_offset: int = 0


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
    sign: bytes | None = None,
    signature_hook=None,
    trailer_before: list[bytes] = (),
    trailer_after: list[bytes] = (),
    file_key: bytes | None = None,
    payload_salt: bytes | None = None,
) -> Sealed:
    """Seal `entries` (name, kind, content) as FORMAT.md describes, with hooks to break the rules.

    sign: an Ed25519 seed; the trailer is then trailer_before + SIGNATURE + trailer_after (§8.1, §12).
    signature_hook(model_id, public_key, sig) -> record bytes, to write a damaged SIGNATURE record.
    """
    rng = random.Random(seed)
    fk = rng.randbytes(32)
    salt = rng.randbytes(32)
    file_key = fk if file_key is None else file_key
    payload_salt = salt if payload_salt is None else payload_salt
    if stanzas is None:
        stanzas = [key_stanza(KEY)]
    stanza_bytes = b"".join(build(file_key, rng) for build in stanzas)
    s = len(stanza_bytes)
    if entry_records is None:
        entry_records = [entry_record(n, k, len(c)) for n, k, c in entries]
    records = b"".join(list(records_before) + entry_records + list(records_after))
    sig_len = 6 + 129 if sign is not None else 0
    if sign is not None:
        t_natural = sum(map(len, trailer_before)) + sig_len + sum(map(len, trailer_after))
    else:
        t_natural = len(trailer)
    t = t_natural if trailer_length is None else trailer_length
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
    payload_key = ref.hkdf(file_key, payload_salt, b"ovseal-v1 payload", 32)
    aead = AESGCM(payload_key)
    n = len(plains)
    chunks = [aead.encrypt(ref.chunk_nonce(i, i == n - 1), p, None) for i, p in enumerate(plains)]
    message = spec_signed_message(version, body, chunks)
    model_id = spec_model_id(message)
    if sign is not None:
        pub, sig = ed25519_public(sign), ed25519_sign(sign, message)
        rec = signature_hook(model_id, pub, sig) if signature_hook else signature_record(model_id, pub, sig)
        trailer = b"".join(trailer_before) + rec + b"".join(trailer_after)
    payload = b"".join(chunks)
    return Sealed(header + payload + trailer, file_key, h, s, cs, n, payload_key, model_id, message, h + len(payload))


def rewrap(sealed: Sealed, stanzas, seed: int = 5) -> bytes:
    """Re-wrap the file key of a sealed file for other readers (§12.1): new stanzas, same body and chunks."""
    d = sealed.data
    body = d[20 + sealed.s : sealed.h - 32]
    rng = random.Random(seed)
    stanza_bytes = b"".join(build(sealed.file_key, rng) for build in stanzas)
    h = 20 + len(stanza_bytes) + len(body) + 32
    header = b"\x89OVSEAL\n" + u16(1) + u16(len(stanzas)) + u32(h) + u32(len(stanza_bytes)) + stanza_bytes + body
    header += ref.hmac_sha256(ref.hkdf(sealed.file_key, b"", b"ovseal-v1 header mac", 32), header)
    return header + d[sealed.h :]


def make_license(
    model_id: bytes,
    device_public: bytes,
    file_key: bytes,
    signer: bytes,
    *,
    not_before: int = 0,
    expires: int = 0,
    note: bytes = b"",
    seed: int = 11,
    version: int | None = None,
    algorithm: int = 1,
    ephemeral: bytes | None = None,
    wrapped: bytes | None = None,
    note_length: int | None = None,
    info_prefix: bytes | None = None,
) -> bytes:
    """§13 writer: a license for (model, device, window), signed by the Ed25519 seed `signer`.

    A 33-byte device_public is a P-256 point: the license is then version 2 (§13.5), else version 1 (§13.1);
    `version` overrides only the version field. info_prefix overrides the HKDF info's prefix.
    """
    rng = random.Random(seed)
    p256 = len(device_public) == 33
    if version is None:
        version = 2 if p256 else 1
    if ephemeral is None:
        if p256:
            e = p256_scalar(rng)
            ephemeral, shared = p256_public(e), p256_x(e, device_public)
            prefix = b"ovseal-v1 licence p256"
        else:
            e = rng.randbytes(32)
            ephemeral, shared = x25519_public(e), x25519(e, device_public)
            prefix = b"ovseal-v1 licence"
        info = (prefix if info_prefix is None else info_prefix) + model_id + u64(not_before) + u64(expires)
        okm = ref.hkdf(shared, ephemeral + device_public, info, 64)
        if wrapped is None:
            wrapped = okm[32:64] + AESGCM(okm[:32]).encrypt(bytes(12), file_key, None)
    assert wrapped is not None and len(wrapped) == 80
    head = b"\x89OVLICE\n" + u16(version) + u16(len(note) if note_length is None else note_length)
    head += model_id + device_public + u64(not_before) + u64(expires) + ephemeral + wrapped + note
    head += bytes([algorithm]) + ed25519_public(signer)
    return head + ed25519_sign(signer, b"ovseal-v1 licence\x00" + head)


def resign_license(lic: bytes, signer: bytes, p256: bool | None = None) -> bytes:
    """Re-sign a (possibly edited) license, so that only the edit is wrong.

    The signer key sits at 205 + n (§13.1) or, for the P-256 layout, at 207 + n (§13.5); the layout
    follows the version field unless `p256` says otherwise (for licenses whose version is edited).
    """
    n = int.from_bytes(lic[10:12], "little")
    if p256 is None:
        p256 = int.from_bytes(lic[8:10], "little") == 2
    head = lic[: (207 if p256 else 205) + n] + ed25519_public(signer)
    return head + ed25519_sign(signer, b"ovseal-v1 licence\x00" + head)


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
    assert err(seal(SMALL, records_after=[enc_record(0x8042, b"")]).data) == "unsupported_version"
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
    ok = seal(SMALL, trailer=enc_record(0x0042, b"sig") + enc_record(0x7000, b""))
    assert len(open_file(ok.data, key=KEY)) == 2
    assert err(seal(SMALL, trailer=enc_record(0x8001, b"sig")).data) == "unsupported_version"
    # type 0x0001 is the SIGNATURE record of revision 2: its structure is checked in step 6 (§8.1)
    assert err(seal(SMALL, trailer=enc_record(0x0001, b"sig")).data) == "malformed_header"
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


# =============================================================================================
# Revision 2: device stanzas, publisher signature, trust, licenses, key text forms
# =============================================================================================

DEV_A = bytes(range(100, 132))  # device X25519 private keys
DEV_B = bytes(range(140, 172))
PUB_A = x25519_public(DEV_A)
PUB_B = x25519_public(DEV_B)
SIGNER_P = bytes(range(200, 232))  # publisher Ed25519 seeds
SIGNER_Q = bytes(range(33, 65))
P = ed25519_public(SIGNER_P)
Q = ed25519_public(SIGNER_Q)
NOW = 1_790_000_000
WANT_SMALL = [(n.decode(), k, c) for n, k, c in SMALL]

# Low-order X25519 public keys (and non-canonical encodings of them): X25519(d, u) is all zero for every d.
_P25519 = 2**255 - 19
LOW_ORDER = [
    bytes(32),
    (1).to_bytes(32, "little"),
    bytes.fromhex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
    (_P25519 - 1).to_bytes(32, "little"),
    _P25519.to_bytes(32, "little"),
    (_P25519 + 1).to_bytes(32, "little"),
]


def dev_kw(device=DEV_A, trust=(P,), **extra) -> dict:
    return {"device_key": device, "trust": list(trust), **extra}


def signed_device_file(**kw) -> Sealed:
    kw.setdefault("sign", SIGNER_P)
    return seal(SMALL, [x25519_stanza(PUB_A)], **kw)


def signed_key_file(**kw) -> Sealed:
    kw.setdefault("sign", SIGNER_P)
    return seal(SMALL, [key_stanza(KEY)], **kw)


def lic_kw(lic, device=DEV_A, trust=(P,), now=NOW, p256=None) -> dict:
    """p256: P-256 device scalar(s) held besides the X25519 identity `device` (revision 3)."""
    kw = {"device_key": device, "trust": list(trust), "licenses": [lic] if isinstance(lic, bytes) else lic, "now": now}
    if p256 is not None:
        kw["device_p256_key"] = p256
    return kw


# ---- text forms (§14) ---------------------------------------------------------------------------


def test_public_key_text_round_trip():
    for kind, key in (("ed25519", P), ("x25519", PUB_A)):
        text = ref.format_public_key(kind, key)
        prefix = "ovseal-ed25519:" if kind == "ed25519" else "ovseal-x25519:"
        assert text.startswith(prefix) and len(text) == len(prefix) + 48
        # the checksum, computed here from §14 directly
        raw = key + hashlib.sha256(prefix.encode() + key).digest()[:4]
        import base64

        assert text == prefix + base64.urlsafe_b64encode(raw).decode().rstrip("=")
        assert ref.parse_public_key(text, kind) == key


def test_manifest_trust_keys_parse():
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    texts = {t for v in manifest["vectors"] for t in v.get("trust", [])}
    assert texts
    for t in texts:
        assert ref.format_public_key("ed25519", ref.parse_public_key(t, "ed25519")) == t


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # checksum
        lambda t: t[:20] + ("x" if t[20] != "x" else "y") + t[21:],  # key (checksum no longer matches)
        lambda t: t[:-1],  # 47 characters
        lambda t: t + "A",  # 49 characters
        lambda t: t + "==",  # padding
        lambda t: t.replace("ovseal-ed25519:", "ovseal-x25519:"),  # the other kind
        lambda t: t.replace("ovseal-ed25519:", "OVSEAL-ED25519:"),
        lambda t: t.replace("ovseal-ed25519:", "ovseal-ed25519"),
        lambda t: t[:15] + "+" + t[16:],  # not base64url
        lambda t: t[:15] + "/" + t[16:],
        lambda t: " " + t,
        lambda t: "",
    ],
)
def test_public_key_text_rejected(mutate):
    good = ref.format_public_key("ed25519", P)
    with pytest.raises(OvsealError) as ei:
        ref.parse_public_key(mutate(good), "ed25519")
    assert ei.value.name == "invalid_key"
    # and as a trust list given to the opener
    assert err(signed_device_file().data, device_key=DEV_A, trust=[mutate(good)]) == "invalid_key"


def test_x25519_text_is_not_a_trusted_publisher_key():
    assert err(signed_device_file().data, **dev_kw(trust=[ref.format_public_key("x25519", P)])) == "invalid_key"


def test_hex_key_texts():
    assert ref.parse_key_file(f"# my key\n\nOVSEAL-KEY-1:{KEY.hex().upper()}\n") == KEY
    assert ref.parse_device_identity(f"OVSEAL-X25519-PRIVATE-1:{DEV_A.hex()}\r\n") == DEV_A
    for bad in (
        "",
        f"OVSEAL-KEY-1:{KEY.hex()[:-1]}",
        f"OVSEAL-KEY-1:{KEY.hex()}0",
        f"OVSEAL-KEY-1:{KEY.hex()[:-1]}g",
        f"OVSEAL-KEY-2:{KEY.hex()}",
        f"OVSEAL-KEY-1:{KEY.hex()}\nOVSEAL-KEY-1:{KEY.hex()}",
        f"OVSEAL-X25519-PRIVATE-1:{KEY.hex()}",
    ):
        with pytest.raises(OvsealError) as ei:
            ref.parse_key_file(bad)
        assert ei.value.name == "invalid_key", bad


def test_key_id():
    assert ref.key_id(P) == hashlib.sha256(b"ovseal-v1 key id" + P).digest()[:8].hex()
    assert len(ref.key_id(P)) == 16


# ---- policy (§12.3) -------------------------------------------------------------------------------


def test_usage_errors():
    d = signed_device_file().data
    lic = make_license(bytes(32), PUB_A, bytes(32), SIGNER_P)
    assert err(d, device_key=DEV_A) == "usage"  # a device identity needs a trust list
    assert err(d, device_key=DEV_A, trust=[]) == "usage"
    assert err(d, licenses=[lic], device_key=DEV_A) == "usage"  # a license needs a trust list
    assert err(d, licenses=[lic], device_key=DEV_A, allow_unsigned=True) == "usage"  # x25519 stanzas only
    assert err(d, trust=[P]) == "usage"  # no secret at all
    # usage comes before reading the file
    assert err(b"", device_key=DEV_A) == "usage"


def test_invalid_device_and_trust_keys():
    d = signed_device_file().data
    assert err(d, **dev_kw(device=DEV_A[:31])) == "invalid_key"
    assert err(d, **dev_kw(trust=[P[:31]])) == "invalid_key"
    assert err(b"", **dev_kw(device=DEV_A + b"\0")) == "invalid_key"  # before the file is read


# ---- device stanzas (§7.3) -------------------------------------------------------------------------


def test_signed_device_round_trip():
    sealed = signed_device_file()
    opened = ref.open_file_full(sealed.data, **dev_kw())
    assert opened.entries == WANT_SMALL
    assert opened.opened_by == "x25519" and opened.signature_verified
    assert opened.model_id == sealed.model_id == opened.signature.model_id
    assert opened.signature.public_key == P
    # a trust list may hold several keys, and text forms work too
    assert open_file(sealed.data, **dev_kw(trust=[Q, ref.format_public_key("ed25519", P)])) == WANT_SMALL
    # the reader may hold several device identities
    assert open_file(sealed.data, **dev_kw(device=[DEV_B, DEV_A])) == WANT_SMALL
    assert err(sealed.data, **dev_kw(device=DEV_B)) == "no_matching_key"


def test_signed_file_opened_by_key_under_trust():
    sealed = signed_key_file()
    opened = ref.open_file_full(sealed.data, key=KEY, trust=[P])
    assert opened.entries == WANT_SMALL and opened.signature_verified and opened.opened_by == "key"
    # without a trust list nothing is verified (and nothing is required)
    assert open_file(sealed.data, key=KEY) == WANT_SMALL


def test_device_and_key_stanzas_together():
    sealed = seal(SMALL, [key_stanza(OTHER_KEY), x25519_stanza(PUB_B), x25519_stanza(PUB_A)], sign=SIGNER_P)
    assert open_file(sealed.data, **dev_kw()) == WANT_SMALL
    assert open_file(sealed.data, **dev_kw(device=DEV_B)) == WANT_SMALL
    assert open_file(sealed.data, key=OTHER_KEY, trust=[P]) == WANT_SMALL


def test_unsigned_device_file_allowed():
    sealed = seal(SMALL, [x25519_stanza(PUB_A)])
    opened = ref.open_file_full(sealed.data, device_key=DEV_A, allow_unsigned=True)
    assert opened.entries == WANT_SMALL and not opened.signature_verified and opened.signature is None
    # a trust list always requires a trusted signature, allow_unsigned or not
    assert err(sealed.data, **dev_kw(allow_unsigned=True)) == "signature_required"
    # with allow_unsigned and no trust list, a signed file opens and its signature is not checked
    bad = signed_device_file(signature_hook=lambda m, pk, sig: signature_record(m, pk, bytes(64)))
    assert open_file(bad.data, device_key=DEV_A, allow_unsigned=True) == WANT_SMALL


@pytest.mark.parametrize("point", LOW_ORDER)
def test_low_order_ephemeral_is_malformed(point):
    assert ref.x25519_shared(DEV_A, point) is None
    low = raw_stanza(b"x25519", [point], random.Random(2).randbytes(80))
    sealed = seal(SMALL, [low, x25519_stanza(PUB_A)], sign=SIGNER_P)
    assert err(sealed.data, **dev_kw()) == "malformed_header"
    assert err(sealed.data, device_key=DEV_A, allow_unsigned=True) == "malformed_header"
    # a reader without a device identity never computes it: the stanza is not its type
    both = seal(SMALL, [low, key_stanza(KEY)])
    assert open_file(both.data, key=KEY) == WANT_SMALL
    # after the stanza that opens, it is never reached
    assert open_file(seal(SMALL, [x25519_stanza(PUB_A), low], sign=SIGNER_P).data, **dev_kw()) == WANT_SMALL


@pytest.mark.parametrize("point", LOW_ORDER)
def test_writer_refuses_low_order_device_key(point):
    with pytest.raises(OvsealError) as ei:
        seal(SMALL, [x25519_stanza(point)])
    assert ei.value.name == "invalid_key"


@pytest.mark.parametrize(
    "stanza",
    [
        raw_stanza(b"x25519", [], bytes(80)),
        raw_stanza(b"x25519", [bytes(32), bytes(32)], bytes(80)),
        raw_stanza(b"x25519", [bytes(31)], bytes(80)),
        raw_stanza(b"x25519", [bytes(33)], bytes(80)),
        raw_stanza(b"x25519", [bytes(32)], bytes(79)),
        raw_stanza(b"x25519", [bytes(32)], bytes(81)),
    ],
)
def test_bad_x25519_stanzas(stanza):
    assert err(seal(SMALL, [key_stanza(KEY), stanza]).data) == "malformed_header"


def test_x25519_stanza_damage():
    sealed = signed_device_file()
    s0 = 20 + 1 + 6 + 1 + 2  # type_length, "x25519", arg_count, arg_length
    assert err(_mutate(sealed.data, s0 + 5, 1), **dev_kw()) in ("no_matching_key", "malformed_header")  # ephemeral
    assert err(_mutate(sealed.data, s0 + 32 + 2 + 3, 1), **dev_kw()) == "no_matching_key"  # commitment
    assert err(_mutate(sealed.data, s0 + 32 + 2 + 40, 1), **dev_kw()) == "header_auth_failed"  # wrapped key


# ---- publisher signature (§8.1, §9 steps 2a and 7a, §12) --------------------------------------------


def test_signed_message_and_model_id():
    sealed = signed_device_file()
    opened = ref.open_file_full(sealed.data, **dev_kw())
    assert opened.model_id == sealed.model_id
    # the trailer of a signed file written by a single SIGNATURE record is 135 bytes
    assert len(sealed.data) - sealed.trailer_offset == 135
    rec = sealed.data[sealed.trailer_offset :]
    assert rec[:6] == u16(1) + u32(129) and rec[6] == 1 and rec[7:39] == sealed.model_id and rec[39:71] == P


def test_signature_required():
    unsigned_dev = seal(SMALL, [x25519_stanza(PUB_A)])
    assert err(unsigned_dev.data, **dev_kw()) == "signature_required"
    unsigned_key = seal(SMALL)
    assert err(unsigned_key.data, key=KEY, trust=[P]) == "signature_required"
    # a trailer with other records but no SIGNATURE
    other = seal(SMALL, [x25519_stanza(PUB_A)], trailer=enc_record(0x0042, b"x"))
    assert err(other.data, **dev_kw()) == "signature_required"
    # step 2a comes before step 3: no key is needed to learn that the file is unsigned
    assert err(unsigned_dev.data, **dev_kw(device=DEV_B)) == "signature_required"
    assert err(unsigned_key.data, key=OTHER_KEY, trust=[P]) == "signature_required"


def test_untrusted_signer():
    sealed = signed_device_file()
    assert err(sealed.data, **dev_kw(trust=[Q])) == "untrusted_signer"
    assert err(sealed.data, **dev_kw(device=DEV_B, trust=[Q])) == "untrusted_signer"  # before step 3
    assert err(signed_key_file(sign=SIGNER_Q).data, key=KEY, trust=[P]) == "untrusted_signer"


def test_step_2a_parses_body_and_length_first():
    sealed = signed_device_file()
    assert err(sealed.data[:-1], **dev_kw(device=DEV_B)) == "truncated"
    assert err(sealed.data + b"\0", **dev_kw(device=DEV_B)) == "trailing_data"
    bad_body = seal(SMALL, [x25519_stanza(PUB_A)], cs_log2=23)
    assert err(bad_body.data, **dev_kw(device=DEV_B)) == "malformed_header"
    # without a trust list the same damage meets the key first
    assert err(sealed.data[:-1], device_key=DEV_B, allow_unsigned=True) == "no_matching_key"


@pytest.mark.parametrize("where", ["sig0", "sig63", "model_id", "signer", "alien_signature"])
def test_bad_signature(where):
    sealed = signed_device_file()
    t = sealed.trailer_offset + 6  # the SIGNATURE record's value
    if where == "sig0":
        data = _mutate(sealed.data, t + 65, 0x01)
    elif where == "sig63":
        data = _mutate(sealed.data, t + 128, 0x80)
    elif where == "model_id":
        data = _mutate(sealed.data, t + 1 + 7, 0x04)
    elif where == "signer":  # the record now names Q, which is trusted too, but P signed
        data = sealed.data[: t + 33] + Q + sealed.data[t + 65 :]
    else:  # Q signs M but the record claims P
        data = signed_device_file(
            signature_hook=lambda m, pk, sig: signature_record(m, P, ed25519_sign(SIGNER_Q, sealed.message))
        ).data
    assert err(data, **dev_kw(trust=[P, Q])) == "bad_signature"
    # the trailer is not under the header MAC: without a trust list the damage is not seen
    assert open_file(data, device_key=DEV_A, allow_unsigned=True) == WANT_SMALL


def test_payload_reencrypted_by_key_holder():
    content = random.Random(4).randbytes(70000)
    sealed = seal([(b"w.bin", 2, content)], [key_stanza(KEY)], sign=SIGNER_P)
    # the key holder knows the file key, so it can make a valid GCM chunk 0 with other content
    forged_plain = b"evil" + bytes(sealed.cs - 4)
    forged = AESGCM(sealed.payload_key).encrypt(ref.chunk_nonce(0, False), forged_plain, None)
    data = sealed.data[: sealed.h] + forged + sealed.data[sealed.h + sealed.cs + 16 :]
    assert open_file(data, key=KEY)[0][2][:4] == b"evil"  # GCM is valid: unnoticed without a trust list
    assert err(data, key=KEY, trust=[P]) == "bad_signature"


def test_payload_damage_under_trust_is_payload_auth_failed():
    sealed = signed_device_file()
    assert err(_mutate(sealed.data, sealed.h + 10, 1), **dev_kw()) == "payload_auth_failed"
    assert err(_mutate(sealed.data, sealed.h - 1, 1), **dev_kw()) == "header_auth_failed"
    assert err(_mutate(sealed.data, sealed.h - 40, 1), **dev_kw()) == "header_auth_failed"  # body


def test_signature_covers_body_not_stanzas():
    sealed = signed_device_file()
    # re-wrapping the file key (new stanzas, same body and chunks) keeps the signature valid
    again = rewrap(sealed, [key_stanza(KEY), x25519_stanza(PUB_B)])
    opened = ref.open_file_full(again, **dev_kw(device=DEV_B))
    assert opened.entries == WANT_SMALL and opened.model_id == sealed.model_id
    assert open_file(again, key=KEY, trust=[P]) == WANT_SMALL
    # sealing again (new file key, salt, chunks) gives another model id
    other = signed_device_file(seed=2)
    assert ref.open_file_full(other.data, **dev_kw()).model_id != sealed.model_id


@pytest.mark.parametrize(
    "hook",
    [
        lambda m, pk, sig: enc_record(0x0001, bytes([1]) + m + pk + sig[:63]),  # 128 bytes
        lambda m, pk, sig: enc_record(0x0001, bytes([1]) + m + pk + sig + b"\0"),  # 130 bytes
        lambda m, pk, sig: signature_record(m, pk, sig, algorithm=2),
        lambda m, pk, sig: signature_record(m, pk, sig, algorithm=0),
        lambda m, pk, sig: signature_record(m, pk, sig) * 2,  # at most once
    ],
)
def test_malformed_signature_record(hook):
    # T is computed for one 135-byte record; give the right T for what the hook writes
    probe = hook(bytes(32), bytes(32), bytes(64))
    sealed = signed_device_file(signature_hook=hook, trailer_length=len(probe))
    assert err(sealed.data, **dev_kw()) == "malformed_header"
    assert err(sealed.data, device_key=DEV_A, allow_unsigned=True) == "malformed_header"


def test_signature_trailer_records():
    # unknown records beside the SIGNATURE record
    ok = signed_device_file(trailer_before=[enc_record(0x0042, b"a")], trailer_after=[enc_record(0x7FFF, b"")])
    assert open_file(ok.data, **dev_kw()) == WANT_SMALL
    damaged = _mutate(ok.data, ok.trailer_offset + 6, 0xFF)  # inside the non-critical value: not detected
    assert open_file(damaged, **dev_kw()) == WANT_SMALL
    crit = signed_device_file(trailer_after=[enc_record(0x8042, b"")])
    assert err(crit.data, **dev_kw()) == "unsupported_version"
    # the SIGNATURE type with the critical bit set is an unknown critical record
    as_critical = signed_device_file(signature_hook=lambda m, pk, sig: enc_record(0x8001, bytes([1]) + m + pk + sig))
    assert err(as_critical.data, **dev_kw()) == "unsupported_version"


# ---- licenses (§13) -----------------------------------------------------------------------------


def licensed_file(**kw) -> Sealed:
    """A signed model sealed only to a key file; devices open it through licenses."""
    kw.setdefault("sign", SIGNER_P)
    return seal(SMALL, [key_stanza(KEY)], **kw)


def good_license(sealed: Sealed, **kw) -> bytes:
    kw.setdefault("not_before", NOW - 100)
    kw.setdefault("expires", NOW + 100)
    signer = kw.pop("signer", SIGNER_P)
    device = kw.pop("device", PUB_A)
    model_id = kw.pop("model_id", sealed.model_id)
    file_key = kw.pop("file_key", sealed.file_key)
    return make_license(model_id, device, file_key, signer, **kw)


def test_license_success():
    sealed = licensed_file()
    lic = good_license(sealed, note="for the lab \u2713".encode())
    assert len(lic) == 301 + len("for the lab \u2713".encode())
    opened = ref.open_file_full(sealed.data, **lic_kw(lic))
    assert opened.entries == WANT_SMALL and opened.opened_by == "license" and opened.signature_verified
    # window bounds: now == not_before opens, now == expires - 1 opens
    assert open_file(sealed.data, **lic_kw(lic, now=NOW - 100)) == WANT_SMALL
    assert open_file(sealed.data, **lic_kw(lic, now=NOW + 99)) == WANT_SMALL
    # 0 means unbounded
    forever = good_license(sealed, not_before=0, expires=0)
    assert open_file(sealed.data, **lic_kw(forever, now=0)) == WANT_SMALL
    assert open_file(sealed.data, **lic_kw(forever, now=2**63)) == WANT_SMALL
    # a license signed by another trusted key
    assert open_file(sealed.data, **lic_kw(good_license(sealed, signer=SIGNER_Q), trust=(P, Q))) == WANT_SMALL
    # the license survives re-wrapping the file key
    assert open_file(rewrap(sealed, [key_stanza(OTHER_KEY)]), **lic_kw(lic)) == WANT_SMALL
    # the device holds several identities
    assert open_file(sealed.data, **lic_kw(lic, device=[DEV_B, DEV_A])) == WANT_SMALL


def test_license_wrong_device():
    sealed = licensed_file()
    assert err(sealed.data, **lic_kw(good_license(sealed), device=DEV_B)) == "license_wrong_device"
    assert err(sealed.data, **lic_kw(good_license(sealed, device=PUB_B))) == "license_wrong_device"
    # no device identity at all: no identity's public key is D
    assert err(sealed.data, trust=[P], licenses=[good_license(sealed)], now=NOW) == "license_wrong_device"
    # a license that fails does not stop a key that opens a stanza (§13.3: then the stanzas are tried)
    assert open_file(sealed.data, key=KEY, trust=[P], licenses=[good_license(sealed)], now=NOW) == WANT_SMALL


def test_license_wrong_model():
    sealed = licensed_file()
    other = licensed_file(seed=3)
    assert err(sealed.data, **lic_kw(good_license(other))) == "license_wrong_model"
    # a license made for the model id the record claims passes step 2b, then 7a finds the claim false
    forged_id = bytes(b ^ 1 for b in sealed.model_id)
    lied = licensed_file(signature_hook=lambda m, pk, sig: signature_record(forged_id, pk, sig))
    lic = good_license(sealed, model_id=forged_id)
    assert err(lied.data, **lic_kw(lic)) == "bad_signature"


def test_license_window():
    sealed = licensed_file()
    assert err(sealed.data, **lic_kw(good_license(sealed, expires=NOW))) == "license_expired"  # now == expires
    assert err(sealed.data, **lic_kw(good_license(sealed, not_before=NOW + 1))) == "license_not_yet_valid"
    assert err(sealed.data, **lic_kw(good_license(sealed, not_before=NOW + 1, expires=0))) == "license_not_yet_valid"
    assert err(sealed.data, **lic_kw(good_license(sealed, not_before=0, expires=1))) == "license_expired"


# offsets in a license with a 1-byte note: 12 model_id, 44 D, 76 not_before, 84 expires, 92 ephemeral,
# 124 wrapped key (commitment, ciphertext, tag), 204 note, 205 algorithm, 206 signer, 238 signature, 302 end
@pytest.mark.parametrize("offset", [10, 12, 44, 76, 84, 91, 92, 124, 160, 203, 204, 205, 206, 237, 238, 301])
def test_damaged_license(offset):
    sealed = licensed_file()
    lic = good_license(sealed, note=b"n")
    assert len(lic) == 302
    # a flipped byte breaks the structure (note_length, algorithm) or the signature: license_invalid
    assert err(sealed.data, **lic_kw(_mutate(lic, offset, 0x01))) == "license_invalid"


def test_damaged_license_version():
    sealed = licensed_file()
    assert err(sealed.data, **lic_kw(_mutate(good_license(sealed), 8, 0x01))) == "unsupported_version"


def test_license_signer_flipped_is_invalid_not_untrusted():
    sealed = licensed_file()
    lic = good_license(sealed)
    # signer key flipped: the signature no longer verifies under it (step 1 checks it before trust)
    assert err(sealed.data, **lic_kw(_mutate(lic, 205 + 3, 1))) == "license_invalid"


def test_license_untrusted_signer():
    sealed = licensed_file()
    assert err(sealed.data, **lic_kw(good_license(sealed, signer=SIGNER_Q))) == "untrusted_signer"
    # the license's signer must be trusted even if the file's signer is
    sealed_q = licensed_file(sign=SIGNER_Q)
    assert err(sealed_q.data, **lic_kw(good_license(sealed_q, signer=SIGNER_P), trust=(Q,))) == "untrusted_signer"


@pytest.mark.parametrize(
    "edit, want",
    [
        (lambda lic: b"\x89OVLICF\n" + lic[8:], "license_invalid"),  # magic
        (lambda lic: lic[:8] + u16(2) + lic[10:], "license_invalid"),  # version 2 is 303 + n bytes (§13.5)
        (lambda lic: lic[:8] + u16(3) + lic[10:], "unsupported_version"),
        (lambda lic: lic[:8] + u16(0xFFFF) + lic[10:], "unsupported_version"),
        (lambda lic: lic[:8] + u16(0) + lic[10:], "unsupported_version"),
        (lambda lic: lic + b"\0", "license_invalid"),  # length
        (lambda lic: lic[:-1], "license_invalid"),
        (lambda lic: lic[:11], "license_invalid"),
        (lambda lic: lic[:7], "license_invalid"),
        (lambda lic: b"", "license_invalid"),
    ],
)
def test_license_structure(edit, want):
    sealed = licensed_file()
    assert err(sealed.data, **lic_kw(edit(good_license(sealed)))) == want


def test_license_structure_signed():
    """Structural errors of correctly signed licenses (the signer wrote them so)."""
    sealed = licensed_file()
    d = sealed.data
    long_note = make_license(sealed.model_id, PUB_A, sealed.file_key, SIGNER_P, note=b"x" * 1025)
    assert err(d, **lic_kw(long_note)) == "license_invalid"
    max_note = make_license(sealed.model_id, PUB_A, sealed.file_key, SIGNER_P, note=b"x" * 1024)
    assert open_file(d, **lic_kw(max_note)) == WANT_SMALL
    alg2 = make_license(sealed.model_id, PUB_A, sealed.file_key, SIGNER_P, algorithm=2)
    assert err(d, **lic_kw(alg2)) == "license_invalid"
    for nb, ex in ((NOW, NOW), (NOW + 1, NOW)):
        window = make_license(sealed.model_id, PUB_A, sealed.file_key, SIGNER_P, not_before=nb, expires=ex)
        assert err(d, **lic_kw(window)) == "license_invalid"  # not_before >= expires, both set
    # the note length says more than the file holds
    lic = good_license(sealed)
    assert err(d, **lic_kw(resign_license(lic[:10] + u16(5) + lic[12:], SIGNER_P))) == "license_invalid"


def test_license_unwrap_failures():
    sealed = licensed_file()
    d = sealed.data
    # low-order ephemeral key, correctly signed
    for point in LOW_ORDER[:3]:
        lic = make_license(sealed.model_id, PUB_A, sealed.file_key, SIGNER_P, ephemeral=point, wrapped=bytes(80))
        assert err(d, **lic_kw(lic)) == "license_invalid"
    # commitment mismatch, correctly signed
    lic = good_license(sealed)
    lic = resign_license(lic[:124] + bytes(32) + lic[156:], SIGNER_P)
    assert err(d, **lic_kw(lic)) == "license_invalid"
    # GCM failure with the right commitment, correctly signed
    lic = good_license(sealed)
    lic = resign_license(_mutate(lic, 170, 1), SIGNER_P)
    assert err(d, **lic_kw(lic)) == "license_invalid"
    # the window is in the derivation: the same wrapped key under another window does not open
    lic = good_license(sealed)
    moved = resign_license(lic[:84] + u64(NOW + 101) + lic[92:], SIGNER_P)
    assert err(d, **lic_kw(moved)) == "license_invalid"
    # a license that opens to another file key: the header MAC catches it
    wrong_key = good_license(sealed, file_key=bytes(32))
    assert err(d, **lic_kw(wrong_key)) == "header_auth_failed"


def test_license_order():
    """§13.3: signature, trust, model, device, window, unwrap."""
    sealed = licensed_file()
    other = licensed_file(seed=3)
    d = sealed.data
    k = lambda **kw: lic_kw(good_license(**kw))  # noqa: E731
    # untrusted signer beats wrong model, wrong device and window
    assert err(d, **k(sealed=other, signer=SIGNER_Q, device=PUB_B, expires=NOW)) == "untrusted_signer"
    # a bad signature beats the untrusted signer
    assert err(d, **lic_kw(_mutate(good_license(other, signer=SIGNER_Q), 50, 1))) == "license_invalid"
    # wrong model beats wrong device and window
    assert err(d, **k(sealed=other, device=PUB_B, not_before=NOW + 5)) == "license_wrong_model"
    # wrong device beats window
    assert err(d, **k(sealed=sealed, device=PUB_B, expires=NOW)) == "license_wrong_device"
    # window beats unwrap
    assert err(d, **k(sealed=sealed, expires=NOW, file_key=bytes(32))) == "license_expired"


def test_license_needs_signed_trusted_file():
    unsigned = seal(SMALL, [key_stanza(KEY)])
    lic = make_license(bytes(32), PUB_A, unsigned.file_key, SIGNER_P)
    assert err(unsigned.data, **lic_kw(lic)) == "signature_required"  # 2a before 2b
    sealed_q = licensed_file(sign=SIGNER_Q)
    assert err(sealed_q.data, **lic_kw(good_license(sealed_q))) == "untrusted_signer"  # the file's signer
    # 2a (no key) comes before the license: a truncated file is truncated, whatever the license
    sealed = licensed_file()
    assert err(sealed.data[:-1], **lic_kw(b"junk")) == "truncated"


def test_stanza_opens_when_the_license_fails():
    # the file has a stanza for device A: an expired license does not stop it (§13.3)
    sealed = seal(SMALL, [x25519_stanza(PUB_A)], sign=SIGNER_P)
    assert open_file(sealed.data, **lic_kw(good_license(sealed, expires=NOW))) == WANT_SMALL
    assert open_file(sealed.data, **lic_kw(good_license(sealed))) == WANT_SMALL


def test_first_license_that_opens_is_used():
    sealed = licensed_file()
    good, expired = good_license(sealed), good_license(sealed, expires=NOW)
    not_yet = good_license(sealed, not_before=NOW + 1)
    assert open_file(sealed.data, **lic_kw([good, good_license(sealed, seed=12)])) == WANT_SMALL
    assert open_file(sealed.data, **lic_kw([good, expired])) == WANT_SMALL
    assert open_file(sealed.data, **lic_kw([expired, good])) == WANT_SMALL
    # none opens and no stanza does: the first license's error
    assert err(sealed.data, **lic_kw([expired, not_yet])) == "license_expired"
    assert err(sealed.data, **lic_kw([not_yet, expired])) == "license_not_yet_valid"


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


def test_cli_revision_2(tmp_path):
    script = str(HERE / "ovseal_reference.py")
    run = lambda *a: subprocess.run([sys.executable, script, *map(str, a)], capture_output=True, text=True)  # noqa: E731
    p_text = ref.format_public_key("ed25519", P)
    ident = tmp_path / "identity"
    ident.write_text(f"# device A\nOVSEAL-X25519-PRIVATE-1:{DEV_A.hex()}\n")
    keyf = tmp_path / "key"
    keyf.write_text(f"OVSEAL-KEY-1:{KEY.hex()}\n")
    trustf = tmp_path / "trusted"
    trustf.write_text(f"# publishers\n{ref.format_public_key('ed25519', Q)}\n{p_text}\n")

    dev = tmp_path / "dev.ovseal"
    sealed = signed_device_file()
    dev.write_bytes(sealed.data)
    r = run(dev, "--identity", ident, "--trust", p_text, "--show-model-id")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == f"model_id\t{sealed.model_id.hex()}"
    assert r.stdout.splitlines()[2].split("\t")[0] == "model.bin"
    assert run(dev, "--device-key-hex", DEV_A.hex(), "--trust", trustf).returncode == 0
    assert run(dev, "--identity", ident).returncode == 2  # usage: no trust list
    assert run(dev, "--identity", ident, "--allow-unsigned").returncode == 0
    assert run(dev, "--identity", ident, "--trust", ref.format_public_key("ed25519", Q)).returncode == 16
    assert run(dev, "--identity", ident, "--trust", p_text[:-1] + "A").returncode == 12
    assert run(dev, "--device-key-hex", DEV_B.hex(), "--trust", p_text).returncode == 7
    assert run(dev, "--key-file", keyf, "--trust", p_text).returncode == 7
    unsigned = tmp_path / "unsigned.ovseal"
    unsigned.write_bytes(seal(SMALL, [x25519_stanza(PUB_A)]).data)
    assert run(unsigned, "--identity", ident, "--trust", p_text).returncode == 15

    lf = licensed_file()
    model = tmp_path / "lic.ovseal"
    model.write_bytes(lf.data)
    good, expired = tmp_path / "good.lic", tmp_path / "expired.lic"
    good.write_bytes(good_license(lf))
    expired.write_bytes(good_license(lf, expires=NOW))
    assert run(model, "--identity", ident, "--trust", p_text, "--license", good, "--now", NOW).returncode == 0
    assert run(model, "--identity", ident, "--trust", p_text, "--license", expired, "--now", NOW).returncode == 22
    assert run(model, "--identity", ident, "--license", good, "--now", NOW).returncode == 2
    assert run(model, "--identity", ident, "--trust", p_text, "--license", tmp_path / "none.lic").returncode == 3
    assert run(model, "--key-file", keyf).returncode == 0


# =============================================================================================
# Revision 3: P-256 device keys (§7.5), license version 2 (§13.5), the `ovseal-p256:` text form (§14)
# =============================================================================================

DEV_C = bytes(range(60, 92))  # P-256 device scalars of this writer (big-endian, in [1, n))
DEV_E = bytes(range(10, 42))
PUB_C = p256_public(DEV_C)
PUB_E = p256_public(DEV_E)


def _vector(name: str) -> dict:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return next(v for v in manifest["vectors"] if v["name"] == name)


def p256_kw(device=DEV_C, trust=(P,), **extra) -> dict:
    return {"device_p256_key": device, "trust": list(trust), **extra}


def signed_p256_file(**kw) -> Sealed:
    kw.setdefault("sign", SIGNER_P)
    return seal(SMALL, [p256_stanza(PUB_C)], **kw)


def test_off_curve_helpers_agree_with_cryptography():
    """The test's own SEC 1 decoding agrees with the reference's (which uses `cryptography`)."""
    for pt in off_curve_points(6):
        assert p256_decompress(pt) is None and not ref.p256_is_on_curve(pt)
    for d in (DEV_C, DEV_E, (1).to_bytes(32, "big"), (P256_N - 1).to_bytes(32, "big")):
        pub = p256_public(d)
        assert len(pub) == 33 and p256_decompress(pub) is not None and ref.p256_is_on_curve(pub)
        assert ref.p256_public_from_scalar(d) == pub
    # x = 0 is on the curve; x = p is not (it is not below p); 04 is the uncompressed form's prefix
    assert p256_x_on_curve(0) and ref.p256_is_on_curve(bytes([2]) + bytes(32))
    assert not ref.p256_is_on_curve(bytes([4]) + PUB_C[1:])
    assert not ref.p256_is_on_curve(bytes([0]) + PUB_C[1:])


# ---- the committed vectors, field by field ---------------------------------------------------------


def test_p256_vector_identity_is_big_endian_scalar():
    """§15 says `private_key_hex` is "a P-256 private scalar" but not its byte order: the vectors use
    big-endian (as §7.5 does for the ephemeral scalar). The license's D is that scalar's public point."""
    c_hex = _vector("license_p256_success")["identity"]["private_key_hex"]
    lic = (MANIFEST.parent / "license_p256_success.lic").read_bytes()
    assert p256_public(bytes.fromhex(c_hex)) == lic[44:77]
    assert p256_public(bytes.fromhex(c_hex)[::-1]) != lic[44:77]


def test_p256_license_vector_layout():
    """license_p256_success.lic parsed by the offsets of §13.5 alone, and every derivation checked."""
    v = _vector("license_p256_success")
    lic = (MANIFEST.parent / v["licenses"][0]).read_bytes()
    model = (MANIFEST.parent / v["file"]).read_bytes()
    c = bytes.fromhex(v["identity"]["private_key_hex"])
    signer_p = ref.parse_public_key(v["trust"][0], "ed25519")

    assert lic[0:8] == b"\x89OVLICE\n"
    assert int.from_bytes(lic[8:10], "little") == 2
    n = int.from_bytes(lic[10:12], "little")
    assert n <= 1024
    assert len(lic) == 303 + n
    model_id = lic[12:44]
    d_point = lic[44:77]
    not_before = int.from_bytes(lic[77:85], "little")
    expires = int.from_bytes(lic[85:93], "little")
    ephemeral = lic[93:126]
    wrapped = lic[126:206]
    note = lic[206 : 206 + n]
    algorithm = lic[206 + n]
    signer = lic[207 + n : 239 + n]
    signature = lic[239 + n : 303 + n]

    # D and the ephemeral key are compressed points on the curve; D is device C's
    assert p256_decompress(d_point) is not None and p256_decompress(ephemeral) is not None
    assert d_point == p256_public(c)
    assert ephemeral != d_point
    # the window holds the manifest's "now"
    assert (not_before == 0 or not_before <= v["now"]) and (expires == 0 or v["now"] < expires)
    assert not (not_before and expires and not_before >= expires)
    note.decode("utf-8")  # UTF-8, shown escaped
    assert algorithm == 1
    assert signer == signer_p
    # the signature covers "ovseal-v1 licence" || 0x00 || license[0 : 239 + n], and nothing else
    assert ref.ed25519_verify(signer, signature, b"ovseal-v1 licence\x00" + lic[: 239 + n])
    assert not ref.ed25519_verify(signer, signature, b"ovseal-v1 licence\x00" + lic[: 237 + n])
    assert not ref.ed25519_verify(signer, signature, lic[: 239 + n])
    assert not ref.ed25519_verify(signer, signature, b"ovseal-v1 licence p256\x00" + lic[: 239 + n])

    # the model id is the model's (§12.2): computed by the reference from the file, and claimed by its trailer
    opened = ref.open_file_full(model, **_vector_kwargs(v))
    assert opened.opened_by == "license" and opened.signature_verified
    assert model_id == opened.model_id == opened.signature.model_id

    # the wrap of §13.2 with the x-coordinate of c·ephemeral and the info string of §13.5
    shared = p256_x(c, ephemeral)
    info = b"ovseal-v1 licence p256" + model_id + u64(not_before) + u64(expires)
    okm = ref.hkdf(shared, ephemeral + d_point, info, 64)
    assert hmac.compare_digest(okm[32:64], wrapped[:32])
    file_key = AESGCM(okm[:32]).decrypt(bytes(12), wrapped[32:], None)
    # the version-1 info string does not open it
    okm1 = ref.hkdf(shared, ephemeral + d_point, b"ovseal-v1 licence" + model_id + u64(not_before) + u64(expires), 64)
    assert okm1[32:64] != wrapped[:32]
    # that file key is the model's: it verifies the header MAC (§6.1)
    h = int.from_bytes(model[12:16], "little")
    mac_key = ref.hkdf(file_key, b"", b"ovseal-v1 header mac", 32)
    assert ref.hmac_sha256(mac_key, model[: h - 32]) == model[h - 32 : h]

    # and the reference's parser reads the same fields
    parsed = ref.parse_license(lic)
    assert (parsed.version, parsed.model_id, parsed.device, parsed.ephemeral) == (2, model_id, d_point, ephemeral)
    assert (parsed.not_before, parsed.expires, parsed.wrapped, parsed.note) == (not_before, expires, wrapped, note)
    assert (parsed.signer, parsed.signature, parsed.signed_part) == (signer, signature, lic[: 239 + n])


def test_p256_stanza_vector_layout():
    """p256_signed_success.ovseal: its p256 stanza has one 33-byte ephemeral point and an 80-byte body."""
    v = _vector("p256_signed_success")
    data = (MANIFEST.parent / v["file"]).read_bytes()
    c = bytes.fromhex(v["identity"]["private_key_hex"])
    count, h, s = ref._parse_preamble(data)
    stanzas = ref._parse_stanzas(data, count, s)
    mine = [st for st in stanzas if st.type == b"p256"]
    assert mine
    st = mine[0]
    assert len(st.args) == 1 and len(st.args[0]) == 33 and len(st.body) == 80
    assert p256_decompress(st.args[0]) is not None
    okm = ref.hkdf(p256_x(c, st.args[0]), st.args[0] + p256_public(c), b"ovseal-v1 p256 stanza", 64)
    assert okm[32:64] == st.body[:32]
    file_key = AESGCM(okm[:32]).decrypt(bytes(12), st.body[32:], None)
    assert ref.hmac_sha256(ref.hkdf(file_key, b"", b"ovseal-v1 header mac", 32), data[: h - 32]) == data[h - 32 : h]
    assert ref.open_file_full(data, **_vector_kwargs(v)).opened_by == "p256"


def test_p256_off_curve_vector_is_off_curve():
    v = _vector("p256_ephemeral_off_curve")
    data = (MANIFEST.parent / v["file"]).read_bytes()
    count, _h, s = ref._parse_preamble(data)
    points = [st.args[0] for st in ref._parse_stanzas(data, count, s) if st.type == b"p256"]
    assert points and p256_decompress(points[0]) is None
    # a reader that never reaches the stanza (an X25519 device identity) does not fail on it
    x_dev = X25519PrivateKey.generate().private_bytes_raw()
    assert err(data, device_key=x_dev, trust=v["trust"]) == "no_matching_key"


# ---- license version 2 on the committed license, edited and re-signed ------------------------------


def _committed_p256_license():
    v = _vector("license_p256_success")
    lic = (MANIFEST.parent / v["licenses"][0]).read_bytes()
    model = (MANIFEST.parent / v["file"]).read_bytes()
    file_signer = ref.parse_public_key(v["trust"][0], "ed25519")
    kw = {
        "device_p256_key": bytes.fromhex(v["identity"]["private_key_hex"]),
        "trust": [file_signer, P],  # the file's signer, and our SIGNER_P that re-signs edited licenses
        "now": v["now"],
    }
    return lic, model, kw


def test_committed_p256_license_resigned_by_our_key_opens():
    lic, model, kw = _committed_p256_license()
    resigned = resign_license(lic, SIGNER_P)
    assert resigned[:-96] == lic[:-96] and resigned != lic
    want = [(e["name"], e["kind"], e["size"]) for e in _vector("license_p256_success")["entries"]]
    got = [(n, k, len(c)) for n, k, c in open_file(model, licenses=[resigned], **kw)]
    assert got == want
    # our key is not trusted: untrusted_signer (step 1)
    assert err(model, licenses=[resigned], **{**kw, "trust": kw["trust"][:1]}) == "untrusted_signer"


@pytest.mark.parametrize("point", off_curve_points(3) + [bytes([4]) + bytes(32), bytes(33)])
def test_p256_license_device_off_curve(point):
    """§13.5: D not on the curve is license_invalid, checked while parsing, after the length: before the
    signature (§13.3 step 1), so it wins over an untrusted signer and over a wrong device."""
    lic, model, kw = _committed_p256_license()
    edited = lic[:44] + point + lic[77:]
    assert len(edited) == len(lic)
    trusted = resign_license(edited, SIGNER_P)  # signed by a trusted key: only D is wrong
    assert err(model, licenses=[trusted], **kw) == "license_invalid"
    untrusted = resign_license(edited, SIGNER_Q)
    assert err(model, licenses=[untrusted], **kw) == "license_invalid"
    with pytest.raises(OvsealError) as ei:
        ref.parse_license(untrusted)
    assert ei.value.name == "license_invalid"


def test_p256_license_device_off_curve_after_length():
    """The exact-length check comes first: an off-curve D in a license of the wrong length is still
    license_invalid (the only error either check can give), and a version-3 license is
    unsupported_version whatever its D."""
    lic, model, kw = _committed_p256_license()
    bad_d = lic[:44] + off_curve_points(1)[0] + lic[77:]
    assert err(model, licenses=[resign_license(bad_d, SIGNER_P) + b"\0"], **kw) == "license_invalid"
    v3 = bad_d[:8] + u16(3) + bad_d[10:]
    assert err(model, licenses=[resign_license(v3, SIGNER_P, p256=True)], **kw) == "unsupported_version"


@pytest.mark.parametrize("version", [0, 3, 4, 0x0102, 0xFFFF])
def test_license_other_versions_unsupported(version):
    """§13.5: any version other than 1 and 2 is unsupported_version, signed by a trusted key or not."""
    lic, model, kw = _committed_p256_license()
    edited = lic[:8] + u16(version) + lic[10:]
    assert err(model, licenses=[resign_license(edited, SIGNER_P, p256=True)], **kw) == "unsupported_version"
    assert err(model, licenses=[edited], **kw) == "unsupported_version"
    # version is read before n and the length
    assert err(model, licenses=[edited[:12]], **kw) == "unsupported_version"


def test_license_version_and_layout_must_agree():
    lic, model, kw = _committed_p256_license()
    # a version-2 license labelled 1 is 2 bytes too long for §13.1 (301 + n)
    as_v1 = resign_license(lic[:8] + u16(1) + lic[10:], SIGNER_P, p256=True)
    assert err(model, licenses=[as_v1], **kw) == "license_invalid"


# offsets in a version-2 license with a 1-byte note: 12 model_id, 44 D, 77 not_before, 85 expires,
# 93 ephemeral, 126 wrapped key, 206 note, 207 algorithm, 208 signer, 240 signature, 304 end
@pytest.mark.parametrize(
    "offset", [10, 12, 44, 45, 76, 77, 85, 92, 93, 94, 125, 126, 160, 205, 206, 207, 208, 239, 240, 303]
)
def test_damaged_p256_license(offset):
    sealed = licensed_file()
    lic = make_license(sealed.model_id, PUB_C, sealed.file_key, SIGNER_P, note=b"n", not_before=NOW - 1)
    assert len(lic) == 304
    assert open_file(sealed.data, **lic_kw(lic, device=[], p256=DEV_C)) == WANT_SMALL
    assert err(sealed.data, **lic_kw(_mutate(lic, offset, 0x01), device=[], p256=DEV_C)) == "license_invalid"


# ---- license version 2 from this writer ----------------------------------------------------------


def _lic_kw_p256(lic, device=DEV_C, **kw) -> dict:
    return lic_kw(lic, device=[], p256=device, **kw)


def test_p256_license_success():
    sealed = licensed_file()
    note = "for device C \u2713".encode()
    lic = good_license(sealed, device=PUB_C, note=note)
    assert len(lic) == 303 + len(note) and lic[8:10] == u16(2)
    opened = ref.open_file_full(sealed.data, **_lic_kw_p256(lic))
    assert opened.entries == WANT_SMALL and opened.opened_by == "license" and opened.signature_verified
    # a reader holding an X25519 identity as well, and both kinds of license
    v1 = good_license(sealed)  # for X25519 device A
    both = lic_kw([v1, lic], device=[DEV_A], p256=[DEV_E, DEV_C])
    assert open_file(sealed.data, **both) == WANT_SMALL
    only_p = lic_kw([v1, lic], device=[], p256=DEV_C)  # the v1 license fails (wrong device), the v2 opens
    assert open_file(sealed.data, **only_p) == WANT_SMALL
    # the license survives re-wrapping
    assert open_file(rewrap(sealed, [p256_stanza(PUB_E)]), **_lic_kw_p256(lic)) == WANT_SMALL


def test_p256_license_wrong_device_and_type():
    sealed = licensed_file()
    lic = good_license(sealed, device=PUB_C)
    assert err(sealed.data, **_lic_kw_p256(lic, device=DEV_E)) == "license_wrong_device"
    # an X25519 identity never matches a 33-byte D
    assert err(sealed.data, **lic_kw(lic, device=DEV_A)) == "license_wrong_device"
    # an X25519 identity whose private bytes equal the P-256 scalar is still another key type
    assert err(sealed.data, **lic_kw(lic, device=DEV_C)) == "license_wrong_device"
    # a version-1 license is not for a P-256 identity
    assert err(sealed.data, **_lic_kw_p256(good_license(sealed))) == "license_wrong_device"


def test_p256_license_window_and_order():
    sealed = licensed_file()
    other = licensed_file(seed=3)
    d = sealed.data
    assert err(d, **_lic_kw_p256(good_license(sealed, device=PUB_C, expires=NOW))) == "license_expired"
    assert err(d, **_lic_kw_p256(good_license(sealed, device=PUB_C, not_before=NOW + 1))) == "license_not_yet_valid"
    k = lambda **kw: _lic_kw_p256(good_license(device=kw.pop("device", PUB_C), **kw))  # noqa: E731
    assert err(d, **k(sealed=other, signer=SIGNER_Q, device=PUB_E, expires=NOW)) == "untrusted_signer"
    assert err(d, **k(sealed=other, device=PUB_E, not_before=NOW + 5)) == "license_wrong_model"
    assert err(d, **k(sealed=sealed, device=PUB_E, expires=NOW)) == "license_wrong_device"
    assert err(d, **k(sealed=sealed, expires=NOW, file_key=bytes(32))) == "license_expired"


def test_p256_license_unwrap_failures():
    sealed = licensed_file()
    d = sealed.data
    base = dict(model_id=sealed.model_id, device_public=PUB_C, file_key=sealed.file_key, signer=SIGNER_P)
    # the version-1 info string instead of "ovseal-v1 licence p256"
    wrong_info = make_license(**base, info_prefix=b"ovseal-v1 licence")
    assert err(d, **_lic_kw_p256(wrong_info)) == "license_invalid"
    # the commitment, then the GCM ciphertext, damaged and re-signed
    lic = make_license(**base)
    assert err(d, **_lic_kw_p256(resign_license(lic[:126] + bytes(32) + lic[158:], SIGNER_P))) == "license_invalid"
    assert err(d, **_lic_kw_p256(resign_license(_mutate(lic, 170, 1), SIGNER_P))) == "license_invalid"
    # the window is in the derivation
    moved = resign_license(lic[:85] + u64(2**40) + lic[93:], SIGNER_P)
    assert err(d, **_lic_kw_p256(moved)) == "license_invalid"
    # another file key: the header MAC catches it
    assert err(d, **_lic_kw_p256(make_license(**{**base, "file_key": bytes(32)}))) == "header_auth_failed"


@pytest.mark.parametrize("point", off_curve_points(3) + [bytes([4]) + bytes(32)])
def test_p256_license_ephemeral_off_curve(point):
    """§13.5: "an ephemeral key not on the curve is license_invalid". FORMAT.md does not say at which step;
    this reader checks it when it uses it (§13.3 step 5), like the all-zero check of §13.2."""
    sealed = licensed_file()
    base = dict(model_id=sealed.model_id, file_key=sealed.file_key, signer=SIGNER_P, wrapped=bytes(80))
    lic = make_license(device_public=PUB_C, ephemeral=point, **base)
    assert err(sealed.data, **_lic_kw_p256(lic)) == "license_invalid"
    # the reader's choice of step: device and window come first
    assert err(sealed.data, **_lic_kw_p256(lic, device=DEV_E)) == "license_wrong_device"
    expired = make_license(device_public=PUB_C, ephemeral=point, expires=NOW, **base)
    assert err(sealed.data, **_lic_kw_p256(expired)) == "license_expired"


def test_p256_writer_refuses_off_curve_device():
    sealed = licensed_file()
    for point in off_curve_points(2):
        with pytest.raises(OvsealError) as ei:
            make_license(sealed.model_id, point, sealed.file_key, SIGNER_P)
        assert ei.value.name == "invalid_key"
        with pytest.raises(OvsealError) as ei:
            seal(SMALL, [p256_stanza(point)])
        assert ei.value.name == "invalid_key"


# ---- p256 stanzas (§7.4, §7.5) from this writer -------------------------------------------------------


def test_p256_stanza_round_trip():
    sealed = signed_p256_file()
    opened = ref.open_file_full(sealed.data, **p256_kw())
    assert opened.entries == WANT_SMALL and opened.opened_by == "p256" and opened.signature_verified
    assert opened.model_id == sealed.model_id
    assert err(sealed.data, **p256_kw(device=DEV_E)) == "no_matching_key"
    assert open_file(sealed.data, **p256_kw(device=[DEV_E, DEV_C])) == WANT_SMALL
    # unsigned: allowed only without a trust list and with allow_unsigned (§7.5: the rule of §7.3)
    unsigned = seal(SMALL, [p256_stanza(PUB_C)])
    assert open_file(unsigned.data, device_p256_key=DEV_C, allow_unsigned=True) == WANT_SMALL
    assert err(unsigned.data, **p256_kw()) == "signature_required"
    assert err(unsigned.data, device_p256_key=DEV_C) == "usage"


def test_p256_stanza_opens_with_committed_device_scalar():
    """A p256 stanza written here opens with the vectors' device C (and with nothing else)."""
    c = bytes.fromhex(_vector("p256_signed_success")["identity"]["private_key_hex"])
    sealed = seal(SMALL, [key_stanza(OTHER_KEY), p256_stanza(p256_public(c))], sign=SIGNER_P)
    assert open_file(sealed.data, **p256_kw(device=c)) == WANT_SMALL
    d_other = bytes.fromhex(_vector("p256_wrong_device")["identity"]["private_key_hex"])
    assert err(sealed.data, **p256_kw(device=d_other)) == "no_matching_key"
    # the reference's §7.5 derivation for that stanza, against this writer's
    count, _h, s = ref._parse_preamble(sealed.data)
    st = ref._parse_stanzas(sealed.data, count, s)[1]
    okm = ref._device_okm(st, ref.DeviceIdentity.from_p256_scalar(c))
    assert okm[32:] == st.body[:32]


def test_device_identity_tries_only_its_own_type():
    """§7.4: an X25519 identity never tries a p256 stanza, nor a P-256 identity an x25519 stanza."""
    both = seal(SMALL, [p256_stanza(PUB_C), x25519_stanza(PUB_A)], sign=SIGNER_P)
    assert ref.open_file_full(both.data, **dev_kw()).opened_by == "x25519"
    assert ref.open_file_full(both.data, **p256_kw()).opened_by == "p256"
    assert ref.open_file_full(both.data, device_key=DEV_A, device_p256_key=DEV_C, trust=[P]).opened_by == "p256"
    # same 32 private bytes, other key type
    assert err(signed_p256_file().data, **dev_kw(device=DEV_C)) == "no_matching_key"
    assert err(signed_device_file().data, **p256_kw(device=DEV_A)) == "no_matching_key"
    # the observable part: a P-256 identity never reaches an x25519 stanza, so never makes its all-zero
    # check (§14), and an X25519 identity never decodes a p256 stanza's ephemeral key
    low = raw_stanza(b"x25519", [LOW_ORDER[0]], bytes(80))
    assert open_file(seal(SMALL, [low, p256_stanza(PUB_C)], sign=SIGNER_P).data, **p256_kw()) == WANT_SMALL
    off = raw_stanza(b"p256", [off_curve_points(1)[0]], bytes(80))
    assert open_file(seal(SMALL, [off, x25519_stanza(PUB_A)], sign=SIGNER_P).data, **dev_kw()) == WANT_SMALL


@pytest.mark.parametrize("point", off_curve_points(3) + [bytes([4]) + PUB_C[1:], bytes([0]) + PUB_C[1:], bytes(33)])
def test_p256_ephemeral_off_curve_is_malformed_when_reached(point):
    bad = raw_stanza(b"p256", [point], random.Random(2).randbytes(80))
    sealed = seal(SMALL, [bad, p256_stanza(PUB_C)], sign=SIGNER_P)
    assert err(sealed.data, **p256_kw()) == "malformed_header"
    assert err(sealed.data, device_p256_key=DEV_C, allow_unsigned=True) == "malformed_header"
    # step 2 checks sizes only: a reader that does not reach it opens the file
    with_key = seal(SMALL, [bad, key_stanza(KEY)])
    assert open_file(with_key.data, key=KEY) == WANT_SMALL
    with_x = seal(SMALL, [bad, x25519_stanza(PUB_A)], sign=SIGNER_P)
    assert open_file(with_x.data, **dev_kw()) == WANT_SMALL
    # after the stanza that opens, it is not reached
    after = seal(SMALL, [p256_stanza(PUB_C), bad], sign=SIGNER_P)
    assert open_file(after.data, **p256_kw()) == WANT_SMALL


@pytest.mark.parametrize(
    "stanza",
    [
        raw_stanza(b"p256", [], bytes(80)),
        raw_stanza(b"p256", [PUB_C, PUB_C], bytes(80)),
        raw_stanza(b"p256", [PUB_C[:32]], bytes(80)),
        raw_stanza(b"p256", [PUB_C + b"\0"], bytes(80)),
        raw_stanza(b"p256", [bytes([4]) + bytes(64)], bytes(80)),  # an uncompressed point is 65 bytes
        raw_stanza(b"p256", [PUB_C], bytes(79)),
        raw_stanza(b"p256", [PUB_C], bytes(81)),
    ],
)
def test_bad_p256_stanzas(stanza):
    assert err(seal(SMALL, [key_stanza(KEY), stanza]).data) == "malformed_header"


def test_p256_stanza_damage():
    sealed = signed_p256_file()
    s0 = 20 + 1 + 4 + 1 + 2  # type_length, "p256", arg_count, arg_length
    for off in (0, 1, 5, 32):  # the ephemeral point: its prefix or x
        assert err(_mutate(sealed.data, s0 + off, 1), **p256_kw()) in ("no_matching_key", "malformed_header")
    assert err(_mutate(sealed.data, s0 + 33 + 2 + 3, 1), **p256_kw()) == "no_matching_key"  # commitment
    assert err(_mutate(sealed.data, s0 + 33 + 2 + 40, 1), **p256_kw()) == "header_auth_failed"  # wrapped key


@pytest.mark.parametrize(
    "scalar",
    [DEV_C[:31], DEV_C + b"\0", bytes(32), P256_N.to_bytes(32, "big"), (P256_N + 1).to_bytes(32, "big"), b"\xff" * 32],
)
def test_invalid_p256_device_scalar(scalar):
    """§9 step 0: an unusable P-256 device key is invalid_key, before the file is read."""
    assert err(b"", **p256_kw(device=scalar)) == "invalid_key"
    assert err(signed_p256_file().data, **p256_kw(device=scalar)) == "invalid_key"


def test_p256_scalar_bounds_accepted():
    for d in ((1).to_bytes(32, "big"), (P256_N - 1).to_bytes(32, "big")):
        sealed = seal(SMALL, [p256_stanza(p256_public(d))], sign=SIGNER_P)
        assert open_file(sealed.data, **p256_kw(device=d)) == WANT_SMALL


# ---- the ovseal-p256: text form (§14) ------------------------------------------------------------


def test_p256_public_key_text_round_trip():
    import base64

    committed_d = (MANIFEST.parent / "license_p256_success.lic").read_bytes()[44:77]
    for key in (PUB_C, PUB_E, committed_d):
        text = ref.format_public_key("p256", key)
        assert text.startswith("ovseal-p256:") and len(text) == len("ovseal-p256:") + 50
        raw = key + hashlib.sha256(b"ovseal-p256:" + key).digest()[:4]
        assert text == "ovseal-p256:" + base64.urlsafe_b64encode(raw).decode().rstrip("=")
        assert ref.parse_public_key(text, "p256") == key


def _p256_text_with_checksum(point: bytes) -> str:
    """A text form with a correct checksum for any 33 bytes (a writer would refuse an off-curve point)."""
    import base64

    raw = point + hashlib.sha256(b"ovseal-p256:" + point).digest()[:4]
    return "ovseal-p256:" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t[:-2] + ("A" if t[-2] != "A" else "B") + t[-1],  # checksum
        lambda t: t[:20] + ("x" if t[20] != "x" else "y") + t[21:],  # the point (checksum no longer matches)
        lambda t: t[:-1],  # 49 characters
        lambda t: t + "A",  # 51 characters
        lambda t: t + "AA",  # 52 characters: a 39-byte payload
        lambda t: t + "==",  # padding
        lambda t: t.replace("ovseal-p256:", "ovseal-x25519:"),
        lambda t: t.replace("ovseal-p256:", "ovseal-P256:"),
        lambda t: t.replace("ovseal-p256:", "ovseal-p256"),
        lambda t: t[:13] + "+" + t[14:],
        lambda t: " " + t,
        lambda t: "",
        lambda t: ref.format_public_key("x25519", PUB_A),
    ],
)
def test_p256_public_key_text_rejected(mutate):
    good = ref.format_public_key("p256", PUB_C)
    with pytest.raises(OvsealError) as ei:
        ref.parse_public_key(mutate(good), "p256")
    assert ei.value.name == "invalid_key"


@pytest.mark.parametrize("point", off_curve_points(3) + [bytes([4]) + PUB_C[1:], bytes(33)])
def test_p256_public_key_text_off_curve(point):
    """§14: a point not on the curve is invalid_key, even with a correct checksum; writers refuse it too."""
    with pytest.raises(OvsealError) as ei:
        ref.parse_public_key(_p256_text_with_checksum(point), "p256")
    assert ei.value.name == "invalid_key"
    with pytest.raises(OvsealError) as ei:
        ref.format_public_key("p256", point)
    assert ei.value.name == "invalid_key"


def test_p256_public_key_text_spare_bits():
    """50 base64url characters carry 37 bytes and 4 spare bits. FORMAT.md does not say whether a reader
    accepts non-zero spare bits; this reader accepts only the canonical encoding (the bits zero)."""
    good = ref.format_public_key("p256", PUB_C)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(good[-1])
    assert last & 0x0F == 0
    for spare in (1, 8, 15):
        with pytest.raises(OvsealError) as ei:
            ref.parse_public_key(good[:-1] + alphabet[last | spare], "p256")
        assert ei.value.name == "invalid_key"


# ---- command line -----------------------------------------------------------------------------------


def test_cli_revision_3(tmp_path):
    script = str(HERE / "ovseal_reference.py")
    run = lambda *a: subprocess.run([sys.executable, script, *map(str, a)], capture_output=True, text=True)  # noqa: E731
    v = _vector("p256_signed_success")
    f = MANIFEST.parent / v["file"]
    c = v["identity"]["private_key_hex"]
    r = run(f, "--device-p256-key-hex", c, "--trust", v["trust"][0])
    assert r.returncode == 0, r.stderr
    e = v["entries"][0]
    assert r.stdout.splitlines()[0].split("\t") == [e["name"], str(e["kind"]), str(e["size"]), e["sha256"]]
    assert run(f, "--device-p256-key-hex", c).returncode == 2  # usage: no trust list
    assert run(f, "--device-p256-key-hex", "00" * 32, "--trust", v["trust"][0]).returncode == 12
    assert run(f, "--device-key-hex", c, "--trust", v["trust"][0]).returncode == 7  # an X25519 identity
    lv = _vector("license_p256_success")
    r = run(
        MANIFEST.parent / lv["file"], "--device-p256-key-hex", lv["identity"]["private_key_hex"],
        "--trust", lv["trust"][0], "--license", MANIFEST.parent / lv["licenses"][0], "--now", lv["now"],
    )
    assert r.returncode == 0, r.stderr


# =============================================================================================
# Revision 5: tagged device stanzas, and which device stanzas an identity tries (§7.3–§7.5)
# =============================================================================================


def decoy_stanza(stype: bytes, args: list[bytes]):
    """A device stanza whose commitment matches nothing (a valid ephemeral key, random body)."""
    return lambda file_key, rng: enc_stanza(stype, args, rng.randbytes(80))


EPHEMERAL_C = p256_public(bytes(range(1, 33)))  # some point on the curve
EPHEMERAL_X = x25519_public(bytes(range(1, 33)))


def test_tagged_stanzas_open():
    for stanza, kw, opened_by in ((p256_stanza(PUB_C, tagged=True), p256_kw(), "p256-tagged"),
                                  (x25519_stanza(PUB_A, tagged=True), dev_kw(), "x25519-tagged")):
        sealed = seal(SMALL, [key_stanza(OTHER_KEY), stanza], sign=SIGNER_P)
        opened = ref.open_file_full(sealed.data, **kw)
        assert opened.entries == WANT_SMALL and opened.opened_by == opened_by


def test_tag_is_the_key_id_prefix():
    assert ref.recipient_tag(PUB_C).hex() == ref.key_id(PUB_C)[:8]
    assert ref.recipient_tag(PUB_A).hex() == ref.key_id(PUB_A)[:8]


@pytest.mark.parametrize("stanza", [
    raw_stanza(b"p256-tagged", [b"abc", EPHEMERAL_C], bytes(80)),            # 3-byte tag
    raw_stanza(b"p256-tagged", [b"abcde", EPHEMERAL_C], bytes(80)),          # 5-byte tag
    raw_stanza(b"p256-tagged", [EPHEMERAL_C], bytes(80)),                    # no tag
    raw_stanza(b"p256-tagged", [b"abcd", EPHEMERAL_C[:32]], bytes(80)),      # short point
    raw_stanza(b"x25519-tagged", [b"abcd", EPHEMERAL_C], bytes(80)),         # a P-256 point
    raw_stanza(b"x25519-tagged", [b"abcd", EPHEMERAL_X], bytes(79)),         # short body
    raw_stanza(b"x25519-tagged", [b"abcd", EPHEMERAL_X, b""], bytes(80)),    # three arguments
])
def test_bad_tagged_stanzas_are_malformed_for_every_reader(stanza):
    sealed = seal(SMALL, [key_stanza(KEY), stanza])
    assert err(sealed.data) == "malformed_header"


def test_stanza_tagged_for_another_device_is_not_tried():
    """Nothing in it is checked: an ephemeral key off the curve there is no error."""
    off = raw_stanza(b"p256-tagged", [recipient_tag(PUB_E), off_curve_points(1)[0]], bytes(80))
    low = raw_stanza(b"x25519-tagged", [recipient_tag(PUB_B), LOW_ORDER[0]], bytes(80))
    sealed = seal(SMALL, [off, low, p256_stanza(PUB_C, tagged=True), x25519_stanza(PUB_A, tagged=True)],
                  sign=SIGNER_P)
    assert open_file(sealed.data, **p256_kw()) == WANT_SMALL
    assert open_file(sealed.data, **dev_kw()) == WANT_SMALL
    # the same stanza tagged for the reader is tried, and its ephemeral key refused
    mine = raw_stanza(b"p256-tagged", [recipient_tag(PUB_C), off_curve_points(1)[0]], bytes(80))
    assert err(seal(SMALL, [mine, p256_stanza(PUB_C, tagged=True)], sign=SIGNER_P).data, **p256_kw()) == \
        "malformed_header"
    # and the device's own stanza with another tag is not tried either
    stanza = p256_stanza(PUB_C, tagged=True)

    def retagged(file_key, rng):
        raw = bytearray(stanza(file_key, rng))
        at = 1 + len(b"p256-tagged") + 1 + 2  # type_length, type, arg_count, the tag's arg_length
        raw[at] ^= 1
        return bytes(raw)

    assert err(seal(SMALL, [retagged], sign=SIGNER_P).data, **p256_kw()) == "no_matching_key"


def count_agreements(monkeypatch) -> list[int]:
    """Counts the P-256 and X25519 agreements the reference makes (each a TPM command for a TPM-held key)."""
    calls = [0]
    p256, x = ref.p256_shared, ref.x25519_shared

    def counted_p256(*a):
        calls[0] += 1
        return p256(*a)

    def counted_x(*a):
        calls[0] += 1
        return x(*a)

    monkeypatch.setattr(ref, "p256_shared", counted_p256)
    monkeypatch.setattr(ref, "x25519_shared", counted_x)
    return calls


@pytest.mark.parametrize("form", ["tagged", "untagged"])
def test_1024_decoys_cost_eight_agreements(monkeypatch, form):
    """The attack of §7.4: 1024 stanzas tagged for the victim (or untagged) before its own."""
    args = [recipient_tag(PUB_C), EPHEMERAL_C] if form == "tagged" else [EPHEMERAL_C]
    stype = b"p256-tagged" if form == "tagged" else b"p256"
    decoys = [decoy_stanza(stype, args)] * 1023
    sealed = seal(SMALL, decoys + [p256_stanza(PUB_C, tagged=form == "tagged")], sign=SIGNER_P)
    calls = count_agreements(monkeypatch)
    assert err(sealed.data, **p256_kw()) == "no_matching_key"
    assert calls[0] == ref.MAX_DEVICE_TRIES == 8
    # with 7 decoys, the eighth stanza (its own) is tried and opens
    sealed = seal(SMALL, decoys[:7] + [p256_stanza(PUB_C, tagged=form == "tagged")], sign=SIGNER_P)
    calls[0] = 0
    assert open_file(sealed.data, **p256_kw()) == WANT_SMALL
    assert calls[0] == 8


def test_tagged_stanzas_are_chosen_before_untagged_ones(monkeypatch):
    untagged = [decoy_stanza(b"p256", [EPHEMERAL_C])] * 20
    sealed = seal(SMALL, untagged + [p256_stanza(PUB_C, tagged=True)], sign=SIGNER_P)
    calls = count_agreements(monkeypatch)
    assert open_file(sealed.data, **p256_kw()) == WANT_SMALL
    assert calls[0] == 8  # its own tagged stanza and the first 7 untagged ones, tried in file order


def test_untagged_x25519_stanzas_are_not_counted(monkeypatch):
    decoys = [decoy_stanza(b"x25519", [EPHEMERAL_X])] * 100
    sealed = seal(SMALL, decoys + [x25519_stanza(PUB_A)], sign=SIGNER_P)
    assert open_file(sealed.data, **dev_kw()) == WANT_SMALL
    # tagged ones are: the ninth tagged for A is not tried
    tagged = [decoy_stanza(b"x25519-tagged", [recipient_tag(PUB_A), EPHEMERAL_X])] * 8
    sealed = seal(SMALL, tagged + [x25519_stanza(PUB_A, tagged=True)], sign=SIGNER_P)
    calls = count_agreements(monkeypatch)
    assert err(sealed.data, **dev_kw()) == "no_matching_key"
    assert calls[0] == 8


def test_each_identity_has_its_own_bound():
    """Two P-256 identities: each chooses its own stanzas; the other's decoys do not use up its tries."""
    decoys_e = [decoy_stanza(b"p256-tagged", [recipient_tag(PUB_E), EPHEMERAL_C])] * 8
    sealed = seal(SMALL, decoys_e + [p256_stanza(PUB_C, tagged=True)], sign=SIGNER_P)
    assert open_file(sealed.data, **p256_kw(device=[DEV_E, DEV_C])) == WANT_SMALL


# =============================================================================================
# Revision 5: the LICENSE_ONLY record (§5.1) and step 5a of §9
# =============================================================================================

LICENSE_ONLY = enc_record(0x8003, b"")


def license_only_file(stanzas=None, **kw) -> Sealed:
    """Signed by P, sealed to KEY (the publisher's master key), with LICENSE_ONLY."""
    kw.setdefault("sign", SIGNER_P)
    kw.setdefault("records_after", [LICENSE_ONLY])
    return seal(SMALL, stanzas or [key_stanza(KEY)], **kw)


def test_license_only_opens_with_its_signers_license():
    sealed = license_only_file()
    opened = ref.open_file_full(sealed.data, **lic_kw(good_license(sealed)))
    assert opened.entries == WANT_SMALL and opened.opened_by == "license" and opened.metadata["license_only"]
    # ... and with its key file when there is no trust list (the publisher checking its own file)
    assert open_file(sealed.data, key=KEY) == WANT_SMALL


def test_license_only_refuses_every_other_way_under_trust():
    sealed = license_only_file(stanzas=[key_stanza(KEY), x25519_stanza(PUB_A)])
    assert err(sealed.data, key=KEY, trust=[P]) == "license_required"
    assert err(sealed.data, **dev_kw()) == "license_required"
    # a license signed by another trusted key: a licensee's own key cannot stand in for the publisher's
    assert err(sealed.data, **lic_kw(good_license(sealed, signer=SIGNER_Q), trust=(P, Q))) == "license_required"
    # a license that fails, and a stanza that opens: the license's error is what to fix
    assert err(sealed.data, **lic_kw(good_license(sealed, expires=NOW))) == "license_expired"
    # an unsigned file never reaches 5a (2a refuses it first)
    unsigned = seal(SMALL, [key_stanza(KEY)], records_after=[LICENSE_ONLY])
    assert err(unsigned.data, key=KEY, trust=[P]) == "signature_required"
    assert open_file(unsigned.data, key=KEY) == WANT_SMALL


def test_licensee_copy_with_an_added_key_stanza():
    """The attack of §12.1: a licensee opens the file with its license, learns the file key and re-wraps the file
    for a key of its own. The signature still verifies; without LICENSE_ONLY the copy opens under the trust
    list forever, with it the copy is refused."""
    stolen = bytes(range(50, 82))
    for flagged, want in ((False, "ok"), (True, "license_required")):
        sealed = license_only_file(records_after=[LICENSE_ONLY] if flagged else [])
        lic = good_license(sealed, expires=NOW + 1)
        count, _h, s = ref._parse_preamble(sealed.data)
        claimed = ref._parse_trailer(sealed.data, sealed.trailer_offset, len(sealed.data))
        file_key = ref.open_license(lic, claimed.model_id, [P], [ref.DeviceIdentity.from_private(DEV_A)], NOW)
        assert file_key == sealed.file_key
        copy = rewrap(sealed, [key_stanza(stolen)])
        assert err(copy, key=stolen, trust=[P]) == want
        assert err(sealed.data, **lic_kw(lic, now=NOW + 1)) == "license_expired"


def test_license_only_record_cannot_be_removed_by_a_key_holder():
    """A key holder can write the same file without the record, with a valid header MAC and valid chunks, and
    keep the publisher's trailer: the signature covers the body, so 7a refuses it."""
    sealed = license_only_file()
    payload_salt = sealed.data[20 + sealed.s : 20 + sealed.s + 32]
    stripped = seal(SMALL, [key_stanza(KEY)], file_key=sealed.file_key, payload_salt=payload_salt,
                    trailer_length=len(sealed.data) - sealed.trailer_offset)
    forged = stripped.data + sealed.data[sealed.trailer_offset :]
    assert open_file(forged, key=KEY) == WANT_SMALL
    assert err(forged, key=KEY, trust=[P]) == "bad_signature"


@pytest.mark.parametrize("records", [[enc_record(0x8003, b"x")], [LICENSE_ONLY, LICENSE_ONLY],
                                     [enc_record(0x8003, bytes(65536))]])
def test_license_only_record_shape(records):
    sealed = seal(SMALL, [key_stanza(KEY)], records_after=records)
    assert err(sealed.data) == "malformed_header"


def test_license_only_critical_for_older_readers():
    """The record is critical (bit 15): a reader that does not know it refuses the file."""
    assert 0x8003 & ref.CRITICAL
