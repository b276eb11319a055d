#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Independent reference opener for ovseal files, written from docs/FORMAT.md alone.

Only the standard library and PyPI `cryptography` are used. The opener follows the normative
order of FORMAT.md §9 step by step and raises OvsealError with the §10 error name.

Revision 2 of the format adds device (`x25519`) stanzas (§7.3), the publisher SIGNATURE trailer
record (§8.1), the trust policy (§12.3), licenses (§13) and the text forms of keys (§14).

Revision 5 adds the LICENSE_ONLY record (§5.1) and step 5a of §9: under a trust list such a file opens
only through a license signed by the file's own signer; and cache entries bound to the reader's device
identity (§16.4). (Revision 4 added cache entries, §16.)

Revision 3 adds P-256 device keys: the `p256` stanza (§7.5), license version 2 (§13.5) and the
`ovseal-p256:` public key text form (§14). The P-256 device's scalar is held in software here (as in
the vectors, §15); the TPM identity file of §14.1 is not implemented (it needs a TPM).

Revision 5 adds tagged device stanzas (`x25519-tagged`, `p256-tagged`, §7.3, §7.5) and the rule by which a
device identity chooses the device stanzas it tries, at most 8 (§7.4).

Usage as a tool:
    python ovseal_reference.py FILE [--key-hex HEX | --key-file F] [--passphrase P]
           [--device-key-hex HEX | --identity F] [--device-p256-key-hex HEX]
           [--trust KEY_OR_FILE ...] [--license F ...] [--now SECONDS] [--allow-unsigned]
prints, per entry, "name<TAB>kind<TAB>size<TAB>sha256"; on error prints the error name to
stderr and exits with its §10 value.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import sys
import time
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

# ---------------------------------------------------------------------------------------------
# Constants (FORMAT.md §3–§8, §10)
# ---------------------------------------------------------------------------------------------

MAGIC = b"\x89OVSEAL\n"
VERSION = 1
PREAMBLE_LEN = 20
BODY_FIXED_LEN = 32 + 1 + 3 + 4 + 32  # payload_salt, chunk_size_log2, reserved, T, commitment = 72
MAC_LEN = 32
TAG_LEN = 16

MAX_STANZAS = 1024
MAX_HEADER = 16 * 1024 * 1024
MAX_TYPE_LEN = 32
MAX_ARGS = 16
MAX_ARG_LEN = 4096
MAX_STANZA_BODY = 16384
TYPE_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789-")

MIN_CS_LOG2 = 16
MAX_CS_LOG2 = 22
MAX_TRAILER = 1024 * 1024

MAX_RECORDS = 4096
MAX_RECORD_VALUE = 65536
CRITICAL = 0x8000

REC_ENTRY = 0x8001
REC_MODEL_NAME = 0x0001
REC_MODEL_VERSION = 0x0002
REC_DESCRIPTION = 0x0003
REC_CREATED = 0x0004
REC_OPENVINO_VERSION = 0x0005
REC_SEALED_BY = 0x0006
REC_CACHE_BINDING = 0x8002  # revision 4, §16
REC_LICENSE_ONLY = 0x8003  # revision 5, §5.1 and §9 step 5a
KIND_COMPILED_MODEL = 4
# metadata type -> (field name, maximum value length)
METADATA = {
    REC_MODEL_NAME: ("model_name", 1024),
    REC_MODEL_VERSION: ("model_version", 1024),
    REC_DESCRIPTION: ("description", 65536),
    REC_CREATED: ("created", 8),
    REC_OPENVINO_VERSION: ("openvino_version", 1024),
    REC_SEALED_BY: ("sealed_by", 1024),
    REC_CACHE_BINDING: ("cache_binding", 65536),
}

MAX_ENTRIES = 256
MAX_NAME_LEN = 255
MAX_ENTRY_SIZE = 1 << 60

STANZA_BODY_LEN = 32 + 32 + 16  # commitment || wrapped file key || tag
SALT_LEN = 32
SCRYPT_LOG2_N_MIN = 16
SCRYPT_LOG2_N_MAX = 20
SCRYPT_R = 8
SCRYPT_P = 1

INFO_PAYLOAD = b"ovseal-v1 payload"
INFO_HEADER_MAC = b"ovseal-v1 header mac"
INFO_FILE_KEY_COMMITMENT = b"ovseal-v1 file key commitment"
INFO_KEY_STANZA = b"ovseal-v1 key stanza"
INFO_SCRYPT_STANZA = b"ovseal-v1 scrypt stanza"
SCRYPT_SALT_PREFIX = b"ovseal-v1 scrypt"
INFO_X25519_STANZA = b"ovseal-v1 x25519 stanza"

# Revision 2: signature (§8.1, §12), licenses (§13), text forms (§14)
REC_SIGNATURE = 0x0001  # trailer record
SIG_ALG_ED25519 = 1
SIGNATURE_VALUE_LEN = 1 + 32 + 32 + 64  # 129
DOMAIN_CHUNK_DIGESTS = b"ovseal-v1 chunk digests"
DOMAIN_MODEL_SIGNATURE = b"ovseal-v1 model signature\x00"
DOMAIN_MODEL_ID = b"ovseal-v1 model id"
DOMAIN_KEY_ID = b"ovseal-v1 key id"

LICENSE_MAGIC = b"\x89OVLICE\n"
LICENSE_VERSION = 1
LICENSE_MAX_NOTE = 1024
LICENSE_FIXED_LEN = 301  # 204 + 1 + 32 + 64, plus the note
DOMAIN_LICENSE = b"ovseal-v1 licence"

# Revision 3: P-256 device keys (§7.5, §13.5, §14)
INFO_P256_STANZA = b"ovseal-v1 p256 stanza"
P256_POINT_LEN = 33  # SEC 1 §2.3.3 compressed point: 02 or 03, then the 32-byte big-endian x
P256_SCALAR_LEN = 32
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # n
LICENSE_VERSION_P256 = 2
LICENSE_FIXED_LEN_P256 = 303  # 206 + 1 + 32 + 64, plus the note
DOMAIN_LICENSE_P256 = b"ovseal-v1 licence p256"  # the info string's prefix (§13.5); not the signature domain

# Revision 5: tagged device stanzas and the bound on device stanza tries (§7.3–§7.5)
X25519_TAGGED = b"x25519-tagged"
P256_TAGGED = b"p256-tagged"
RECIPIENT_TAG_LEN = 4
MAX_DEVICE_TRIES = 8
DEVICE_STANZA_TYPES = {"x25519": (b"x25519", X25519_TAGGED), "p256": (b"p256", P256_TAGGED)}

PUBLIC_KEY_PREFIXES = {"x25519": "ovseal-x25519:", "ed25519": "ovseal-ed25519:", "p256": "ovseal-p256:"}
PUBLIC_KEY_LENGTHS = {"x25519": 32, "ed25519": 32, "p256": P256_POINT_LEN}
B64URL_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
HEX_CHARS = frozenset("0123456789abcdefABCDEF")

ERRORS = {
    "ok": 0,
    "internal": 1,
    "usage": 2,
    "io": 3,
    "not_ovseal_file": 4,
    "unsupported_version": 5,
    "malformed_header": 6,
    "no_matching_key": 7,
    "header_auth_failed": 8,
    "payload_auth_failed": 9,
    "truncated": 10,
    "trailing_data": 11,
    "invalid_key": 12,
    "model_rejected": 13,
    "unsupported_model": 14,
    "signature_required": 15,
    "untrusted_signer": 16,
    "bad_signature": 17,
    "license_invalid": 18,
    "license_wrong_model": 19,
    "license_wrong_device": 20,
    "license_not_yet_valid": 21,
    "license_expired": 22,
    "clock_rollback": 23,
    "state_invalid": 24,
    "tpm_unavailable": 25,
    "tpm_policy_failed": 26,
    "tpm_wrong_device": 27,
    "tpm_busy": 28,
    "tpm_failed": 29,
    "token_unavailable": 30,
    "token_login_failed": 31,
    "token_key_missing": 32,
    "token_failed": 33,
    "license_required": 34,
}


class OvsealError(Exception):
    """An ovseal error; `name` is the snake_case name of FORMAT.md §10, `code` its value."""

    def __init__(self, name: str, detail: str = "") -> None:
        if name not in ERRORS:
            raise ValueError(f"unknown ovseal error name {name!r}")
        self.name = name
        self.detail = detail
        super().__init__(f"{name}: {detail}" if detail else name)

    @property
    def code(self) -> int:
        return ERRORS[self.name]


# ---------------------------------------------------------------------------------------------
# Primitives (§2)
# ---------------------------------------------------------------------------------------------


def hkdf(ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
    # An empty salt is the zero-length string; HMAC pads keys with zeros, so this equals
    # RFC 5869's default of HashLen zero bytes.
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def hmac_sha256(key: bytes, msg: bytes) -> bytes:
    return hmac.new(key, msg, hashlib.sha256).digest()


def gcm_open(key: bytes, nonce: bytes, ct_and_tag: bytes) -> bytes | None:
    try:
        return AESGCM(key).decrypt(nonce, ct_and_tag, None)
    except InvalidTag:
        return None


def chunk_nonce(i: int, last: bool) -> bytes:
    return i.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


# ---------------------------------------------------------------------------------------------
# Bounded reader: every read is checked against an end offset before any slice is taken.
# ---------------------------------------------------------------------------------------------


class _Reader:
    def __init__(self, data: bytes, start: int, end: int, error: str) -> None:
        self.data = data
        self.pos = start
        self.end = end
        self.error = error

    def remaining(self) -> int:
        return self.end - self.pos

    def take(self, n: int, what: str = "") -> bytes:
        if n > self.end - self.pos:
            raise OvsealError(self.error, f"{what or 'field'} overruns its section")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def uint(self, size: int, what: str = "") -> int:
        return int.from_bytes(self.take(size, what), "little")


# ---------------------------------------------------------------------------------------------
# Parsed structures
# ---------------------------------------------------------------------------------------------


@dataclass
class Stanza:
    type: bytes
    args: list[bytes]
    body: bytes


@dataclass
class Entry:
    name: str
    kind: int
    size: int


@dataclass
class Body:
    payload_salt: bytes
    chunk_size_log2: int
    trailer_length: int
    file_key_commitment: bytes
    entries: list[Entry] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)


def _malformed(detail: str) -> OvsealError:
    return OvsealError("malformed_header", detail)


# ---------------------------------------------------------------------------------------------
# §9 step 1: preamble
# ---------------------------------------------------------------------------------------------


def _parse_preamble(data: bytes) -> tuple[int, int, int]:
    n = len(data)
    if n == 0:
        raise OvsealError("not_ovseal_file", "empty file")
    k = min(n, len(MAGIC))
    if data[:k] != MAGIC[:k]:
        raise OvsealError("not_ovseal_file", "wrong magic")
    if n < len(MAGIC):
        raise OvsealError("truncated", "file ends inside the magic")
    if n < 10:
        raise OvsealError("truncated", "file ends before the version")
    version = int.from_bytes(data[8:10], "little")
    if version != VERSION:
        raise OvsealError("unsupported_version", f"version {version}")
    if n < PREAMBLE_LEN:
        raise OvsealError("truncated", "file ends inside the preamble")
    stanza_count = int.from_bytes(data[10:12], "little")
    h = int.from_bytes(data[12:16], "little")
    s = int.from_bytes(data[16:20], "little")
    if not 1 <= stanza_count <= MAX_STANZAS:
        raise _malformed(f"stanza_count {stanza_count}")
    if h > MAX_HEADER:
        raise _malformed(f"header_length {h} above 16 MiB")
    # 20 + S + 72 + 32 <= H, i.e. S <= H - 124 (no unsigned wrap in Python).
    if PREAMBLE_LEN + s + BODY_FIXED_LEN + MAC_LEN > h:
        raise _malformed(f"header_length {h} too small for stanzas_length {s}")
    if h > n:
        raise OvsealError("truncated", "file ends inside the header")
    return stanza_count, h, s


# ---------------------------------------------------------------------------------------------
# §9 step 2: stanzas (§4, §7)
# ---------------------------------------------------------------------------------------------


def _parse_stanzas(data: bytes, count: int, s: int) -> list[Stanza]:
    r = _Reader(data, PREAMBLE_LEN, PREAMBLE_LEN + s, "malformed_header")
    stanzas: list[Stanza] = []
    for _ in range(count):
        tl = r.uint(1, "type_length")
        if not 1 <= tl <= MAX_TYPE_LEN:
            raise _malformed(f"stanza type_length {tl}")
        t = r.take(tl, "stanza type")
        if not all(c in TYPE_CHARS for c in t):
            raise _malformed("stanza type has invalid characters")
        ac = r.uint(1, "arg_count")
        if ac > MAX_ARGS:
            raise _malformed(f"stanza arg_count {ac}")
        args = []
        for _a in range(ac):
            al = r.uint(2, "arg_length")
            if al > MAX_ARG_LEN:
                raise _malformed(f"stanza arg_length {al}")
            args.append(r.take(al, "stanza argument"))
        bl = r.uint(2, "body_length")
        if bl > MAX_STANZA_BODY:
            raise _malformed(f"stanza body_length {bl}")
        body = r.take(bl, "stanza body")
        stanzas.append(Stanza(t, args, body))
    if r.remaining() != 0:
        raise _malformed("stanzas do not fill exactly stanzas_length bytes")

    scrypt_count = 0
    for st in stanzas:
        if st.type == b"key":
            if len(st.args) != 1 or len(st.args[0]) != SALT_LEN or len(st.body) != STANZA_BODY_LEN:
                raise _malformed("bad key stanza")
        elif st.type == b"scrypt":
            scrypt_count += 1
            if scrypt_count > 1:
                raise _malformed("more than one scrypt stanza")
            if (
                len(st.args) != 2
                or len(st.args[0]) != SALT_LEN
                or len(st.args[1]) != 3
                or len(st.body) != STANZA_BODY_LEN
            ):
                raise _malformed("bad scrypt stanza")
            log2_n, r_, p_ = st.args[1]
            if not SCRYPT_LOG2_N_MIN <= log2_n <= SCRYPT_LOG2_N_MAX or r_ != SCRYPT_R or p_ != SCRYPT_P:
                raise _malformed("scrypt params out of range")
        elif st.type == b"x25519":
            if len(st.args) != 1 or len(st.args[0]) != 32 or len(st.body) != STANZA_BODY_LEN:
                raise _malformed("bad x25519 stanza")
        elif st.type == b"p256":
            # Sizes only: whether the ephemeral key is on the curve is checked by a reader that reaches
            # the stanza (§7.5), in step 3.
            if len(st.args) != 1 or len(st.args[0]) != P256_POINT_LEN or len(st.body) != STANZA_BODY_LEN:
                raise _malformed("bad p256 stanza")
        elif st.type in (X25519_TAGGED, P256_TAGGED):
            point_len = 32 if st.type == X25519_TAGGED else P256_POINT_LEN
            if (
                len(st.args) != 2
                or len(st.args[0]) != RECIPIENT_TAG_LEN
                or len(st.args[1]) != point_len
                or len(st.body) != STANZA_BODY_LEN
            ):
                raise _malformed(f"bad {st.type.decode()} stanza")
    return stanzas


# ---------------------------------------------------------------------------------------------
# X25519 (§7.3, §13.2)
# ---------------------------------------------------------------------------------------------


@dataclass
class DeviceIdentity:
    """A device's private key `d` and its public key `D`.

    kind "x25519": d is the 32-byte X25519 private key, D the 32-byte public key (§7.3).
    kind "p256": d is the 32-byte big-endian P-256 scalar, D the 33-byte compressed point (§7.5).
    """

    private: bytes
    public: bytes
    kind: str = "x25519"

    @classmethod
    def from_private(cls, d: bytes) -> "DeviceIdentity":
        if len(d) != 32:
            raise OvsealError("invalid_key", "a device private key is 32 bytes")
        pub = X25519PrivateKey.from_private_bytes(d).public_key().public_bytes_raw()
        return cls(bytes(d), pub, "x25519")

    @classmethod
    def from_p256_scalar(cls, d: bytes) -> "DeviceIdentity":
        """A P-256 device identity in software (§15 `device_p256`); its scalar must be in [1, n)."""
        if len(d) != P256_SCALAR_LEN:
            raise OvsealError("invalid_key", "a P-256 device scalar is 32 bytes")
        value = int.from_bytes(d, "big")
        if not 1 <= value < P256_ORDER:
            raise OvsealError("invalid_key", "a P-256 device scalar is not in [1, n)")
        return cls(bytes(d), p256_public_from_scalar(d), "p256")


def x25519_shared(d: bytes, peer_public: bytes) -> bytes | None:
    """X25519(d, peer); None when the result is all zero (a low-order point, §7.3)."""
    try:
        shared = X25519PrivateKey.from_private_bytes(d).exchange(X25519PublicKey.from_public_bytes(peer_public))
    except ValueError:  # `cryptography` refuses an all-zero shared secret
        return None
    if shared == bytes(32):
        return None
    return shared


# ---------------------------------------------------------------------------------------------
# P-256 (§7.5, §13.5)
# ---------------------------------------------------------------------------------------------


def p256_decode_point(encoded: bytes) -> ec.EllipticCurvePublicKey | None:
    """Decode a 33-byte compressed P-256 point (SEC 1 §2.3.3/§2.3.4); None if it is not on the curve.

    Anything else than 02/03 followed by an x < p that has a square root on the curve is refused.
    """
    if len(encoded) != P256_POINT_LEN or encoded[0] not in (2, 3):
        return None
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), bytes(encoded))
    except ValueError:
        return None


def p256_is_on_curve(encoded: bytes) -> bool:
    return p256_decode_point(encoded) is not None


def p256_compress(public: ec.EllipticCurvePublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)


def p256_public_from_scalar(d: bytes) -> bytes:
    """The compressed public point D = d·G of a 32-byte big-endian scalar."""
    return p256_compress(ec.derive_private_key(int.from_bytes(d, "big"), ec.SECP256R1()).public_key())


def p256_shared(d: bytes, peer: ec.EllipticCurvePublicKey) -> bytes:
    """The 32-byte big-endian x-coordinate of d·peer (§7.5). The group has prime order and 1 <= d < n,
    so d·peer is never the point at infinity."""
    return ec.derive_private_key(int.from_bytes(d, "big"), ec.SECP256R1()).exchange(ec.ECDH(), peer)


# ---------------------------------------------------------------------------------------------
# §9 step 3: file key (§7)
# ---------------------------------------------------------------------------------------------


def recipient_tag(device_public: bytes) -> bytes:
    """§7.3: the first 4 bytes of SHA-256("ovseal-v1 key id" || D), D as stanzas carry it (32 or 33 bytes)."""
    return hashlib.sha256(DOMAIN_KEY_ID + device_public).digest()[:RECIPIENT_TAG_LEN]


def choose_device_stanzas(stanzas: list[Stanza], dev: DeviceIdentity) -> set[int]:
    """§7.4: the indexes of the stanzas this identity tries. Candidates: stanzas of its key type, tagged with its
    tag or untagged. At most MAX_DEVICE_TRIES of them, tagged ones first, then untagged, each in file order;
    untagged x25519 candidates are all chosen and not counted."""
    untagged_type, tagged_type = DEVICE_STANZA_TYPES[dev.kind]
    tag = recipient_tag(dev.public)
    tagged = [i for i, st in enumerate(stanzas) if st.type == tagged_type and st.args[0] == tag]
    untagged = [i for i, st in enumerate(stanzas) if st.type == untagged_type]
    chosen = set(tagged[:MAX_DEVICE_TRIES])
    if dev.kind == "x25519":
        chosen.update(untagged)
    else:
        chosen.update(untagged[: MAX_DEVICE_TRIES - len(chosen)])
    return chosen


def _device_okm(st: Stanza, dev: DeviceIdentity) -> bytes:
    """The okm of a device stanza the identity chose (§7.3, §7.5); the ephemeral key follows the tag, if any."""
    ephemeral = st.args[-1]
    if dev.kind == "x25519":
        shared = x25519_shared(dev.private, ephemeral)
        if shared is None:
            raise _malformed("x25519 stanza: all-zero shared secret (low-order ephemeral key)")
        return hkdf(shared, ephemeral + dev.public, INFO_X25519_STANZA, 64)
    point = p256_decode_point(ephemeral)
    if point is None:
        raise _malformed("p256 stanza: the ephemeral key is not a point on the curve")
    return hkdf(p256_shared(dev.private, point), ephemeral + dev.public, INFO_P256_STANZA, 64)


def _stanza_okm(st: Stanza, key: bytes | None, passphrase: bytes | None) -> list[bytes]:
    """The okm values of a key or passphrase stanza this reader can derive (empty: not mine)."""
    if st.type == b"key" and key is not None:
        return [hkdf(key, st.args[0], INFO_KEY_STANZA, 64)]
    if st.type == b"scrypt" and passphrase is not None:
        salt, params = st.args
        log2_n, r_, p_ = params
        k = Scrypt(salt=SCRYPT_SALT_PREFIX + salt, length=32, n=1 << log2_n, r=r_, p=p_).derive(passphrase)
        return [hkdf(k, b"", INFO_SCRYPT_STANZA, 64)]
    return []  # unknown type, a device stanza, or no secret held for it: not mine


def _unwrap_file_key(
    stanzas: list[Stanza], key: bytes | None, passphrase: bytes | None, devices: list[DeviceIdentity]
) -> tuple[bytes, bytes]:
    """Return (file key, type of the stanza that opened). Stanzas in file order; for each, the key or
    passphrase, then each device identity that chose it (§7.4)."""
    chosen = [choose_device_stanzas(stanzas, dev) for dev in devices]
    for i, st in enumerate(stanzas):
        candidates = _stanza_okm(st, key, passphrase)
        for dev, mine in zip(devices, chosen):
            if i in mine:
                candidates.append(_device_okm(st, dev))
        for okm in candidates:
            wrap_key, commitment = okm[:32], okm[32:]
            if not hmac.compare_digest(commitment, st.body[:32]):
                continue  # not mine
            file_key = gcm_open(wrap_key, bytes(12), st.body[32:])
            if file_key is None:
                raise OvsealError(
                    "header_auth_failed", "a stanza's commitment matched but its wrapped key did not open"
                )
            return file_key, st.type
    raise OvsealError("no_matching_key")


# ---------------------------------------------------------------------------------------------
# Records (§5.1, §8)
# ---------------------------------------------------------------------------------------------


def _iter_records(data: bytes, start: int, end: int):
    """Yield (type, value) for records filling data[start:end] exactly; framing errors are malformed."""
    r = _Reader(data, start, end, "malformed_header")
    count = 0
    while r.remaining() > 0:
        count += 1
        if count > MAX_RECORDS:
            raise _malformed("more than 4096 records")
        rtype = r.uint(2, "record type")
        length = r.uint(4, "record length")
        if length > MAX_RECORD_VALUE:
            raise _malformed(f"record length {length}")
        value = r.take(length, "record value")
        yield rtype, value


def _check_name(raw: bytes) -> str:
    if not 1 <= len(raw) <= MAX_NAME_LEN:
        raise _malformed("entry name length")
    if any(b < 0x20 or b == 0x7F or b in (0x2F, 0x5C) for b in raw):
        raise _malformed("entry name has a forbidden byte")
    if raw in (b".", b".."):
        raise _malformed("entry name is . or ..")
    try:
        return raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        raise _malformed("entry name is not UTF-8") from None


# ---------------------------------------------------------------------------------------------
# §9 step 5: body
# ---------------------------------------------------------------------------------------------


def _parse_body(data: bytes, s: int, h: int) -> Body:
    r = _Reader(data, PREAMBLE_LEN + s, h - MAC_LEN, "malformed_header")
    payload_salt = r.take(32, "payload_salt")
    cs_log2 = r.uint(1, "chunk_size_log2")
    if not MIN_CS_LOG2 <= cs_log2 <= MAX_CS_LOG2:
        raise _malformed(f"chunk_size_log2 {cs_log2}")
    if r.take(3, "reserved") != b"\x00\x00\x00":
        raise _malformed("reserved bytes are not zero")
    t = r.uint(4, "trailer_length")
    if t > MAX_TRAILER:
        raise _malformed(f"trailer_length {t}")
    commitment = r.take(32, "file_key_commitment")
    body = Body(payload_salt, cs_log2, t, commitment)

    names: set[bytes] = set()
    for rtype, value in _iter_records(data, r.pos, r.end):
        if rtype == REC_ENTRY:
            if len(value) < 12:
                raise _malformed("ENTRY record too short")
            kind = value[0]
            reserved = value[1]
            name_len = int.from_bytes(value[2:4], "little")
            size = int.from_bytes(value[4:12], "little")
            if len(value) != 12 + name_len:
                raise _malformed("ENTRY length != 12 + name_length")
            if kind == 0:
                raise _malformed("ENTRY kind 0")
            if reserved != 0:
                raise _malformed("ENTRY reserved byte not zero")
            if size > MAX_ENTRY_SIZE:
                raise _malformed("ENTRY size above 2^60")
            raw_name = value[12:]
            name = _check_name(raw_name)
            if raw_name in names:
                raise _malformed("duplicate entry name")
            names.add(raw_name)
            if len(body.entries) >= MAX_ENTRIES:
                raise _malformed("more than 256 entries")
            body.entries.append(Entry(name, kind, size))
        elif rtype == REC_LICENSE_ONLY:
            if value:
                raise _malformed("LICENSE_ONLY record is not empty")
            if body.metadata.get("license_only"):
                raise _malformed("duplicate LICENSE_ONLY record")
            body.metadata["license_only"] = True
        elif rtype in METADATA:
            fname, limit = METADATA[rtype]
            if fname in body.metadata:
                raise _malformed(f"duplicate {fname}")
            if rtype == REC_CREATED:
                if len(value) != 8:
                    raise _malformed("CREATED length != 8")
                body.metadata[fname] = int.from_bytes(value, "little")
            else:
                if len(value) > limit:
                    raise _malformed(f"{fname} too long")
                body.metadata[fname] = value  # raw bytes; invalid UTF-8 is not an error
        elif rtype & CRITICAL:
            raise OvsealError("unsupported_version", f"unknown critical record 0x{rtype:04x}")
        # unknown non-critical: ignored
    if not body.entries:
        raise _malformed("no ENTRY record")
    return body


# ---------------------------------------------------------------------------------------------
# §8 trailer
# ---------------------------------------------------------------------------------------------


@dataclass
class Signature:
    algorithm: int
    model_id: bytes
    public_key: bytes
    signature: bytes


def _parse_trailer(data: bytes, start: int, end: int) -> Signature | None:
    """Parse the trailer (§8); return its SIGNATURE record (§8.1), if any."""
    sig: Signature | None = None
    for rtype, value in _iter_records(data, start, end):
        if rtype == REC_SIGNATURE:
            if sig is not None:
                raise _malformed("more than one SIGNATURE record")
            if len(value) != SIGNATURE_VALUE_LEN:
                raise _malformed(f"SIGNATURE record length {len(value)}")
            if value[0] != SIG_ALG_ED25519:
                raise _malformed(f"SIGNATURE algorithm {value[0]}")
            sig = Signature(value[0], value[1:33], value[33:65], value[65:129])
        elif rtype & CRITICAL:
            raise OvsealError("unsupported_version", f"unknown critical trailer record 0x{rtype:04x}")
    return sig


# ---------------------------------------------------------------------------------------------
# §12: signed message, model id, key id
# ---------------------------------------------------------------------------------------------


def signed_message(version: int, body: bytes, n_chunks: int, payload_digest: bytes) -> bytes:
    """M of §12.1."""
    return (
        DOMAIN_MODEL_SIGNATURE
        + version.to_bytes(2, "little")
        + len(body).to_bytes(4, "little")
        + body
        + n_chunks.to_bytes(8, "little")
        + payload_digest
    )


def payload_digest_of(chunk_digests: list[bytes]) -> bytes:
    return hashlib.sha256(DOMAIN_CHUNK_DIGESTS + b"".join(chunk_digests)).digest()


def model_id_of(message: bytes) -> bytes:
    """§12.2."""
    return hashlib.sha256(DOMAIN_MODEL_ID + message).digest()


def key_id(public_key: bytes) -> str:
    """§12.3: a signer's key id, for display only."""
    return hashlib.sha256(DOMAIN_KEY_ID + public_key).digest()[:8].hex()


def ed25519_verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


# ---------------------------------------------------------------------------------------------
# §14: text forms of keys
# ---------------------------------------------------------------------------------------------


def _public_key_checksum(prefix: str, key: bytes) -> bytes:
    return hashlib.sha256(prefix.encode("ascii") + key).digest()[:4]


def _b64url_nopad(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def public_key_text_length(kind: str) -> int:
    """Characters after the prefix: 48 for the 36 bytes of x25519/ed25519, 50 for the 37 of p256."""
    return -(-(PUBLIC_KEY_LENGTHS[kind] + 4) * 4 // 3)


def format_public_key(kind: str, key: bytes) -> str:
    """The §14 text form of an X25519 ("x25519"), Ed25519 ("ed25519") or P-256 ("p256") public key."""
    prefix = PUBLIC_KEY_PREFIXES[kind]
    if len(key) != PUBLIC_KEY_LENGTHS[kind]:
        raise OvsealError("invalid_key", f"a {kind} public key is {PUBLIC_KEY_LENGTHS[kind]} bytes")
    if kind == "p256" and not p256_is_on_curve(key):
        raise OvsealError("invalid_key", "the P-256 public key is not a compressed point on the curve")
    return prefix + _b64url_nopad(key + _public_key_checksum(prefix, key))


def parse_public_key(text: str, kind: str = "ed25519") -> bytes:
    """Parse a §14 public key text form; bad prefix, length, alphabet or checksum (or, for p256, a point
    not on the curve): invalid_key."""
    prefix = PUBLIC_KEY_PREFIXES[kind]
    size = PUBLIC_KEY_LENGTHS[kind]
    want_chars = public_key_text_length(kind)
    if not isinstance(text, str):
        raise OvsealError("invalid_key", "a public key text form is a string")
    if not text.startswith(prefix):
        raise OvsealError("invalid_key", f"public key text does not start with {prefix!r}")
    enc = text[len(prefix) :]
    if len(enc) != want_chars:
        raise OvsealError(
            "invalid_key", f"public key text has {len(enc)} characters after the prefix, not {want_chars}"
        )
    if not all(c in B64URL_CHARS for c in enc):
        raise OvsealError("invalid_key", "public key text is not base64url without padding")
    raw = base64.urlsafe_b64decode(enc + "=" * (-len(enc) % 4))
    # 48 characters carry exactly 36 bytes; 50 carry 37 bytes and 4 spare bits. FORMAT.md does not say
    # whether non-zero spare bits are accepted: this reader accepts only the canonical encoding.
    if _b64url_nopad(raw) != enc:
        raise OvsealError("invalid_key", "public key text is not the canonical base64url encoding")
    key, checksum = raw[:size], raw[size:]
    if not hmac.compare_digest(checksum, _public_key_checksum(prefix, key)):
        raise OvsealError("invalid_key", "public key checksum mismatch")
    if kind == "p256" and not p256_is_on_curve(key):
        raise OvsealError("invalid_key", "the P-256 public key is not a compressed point on the curve")
    return key


def _text_lines(text: str) -> list[str]:
    """Non-empty, non-comment lines of a key text file (§14: lines; `#` comments)."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def parse_hex_key_text(text: str, prefix: str) -> bytes:
    """Parse a §14 hex key text (`OVSEAL-KEY-1:`, `OVSEAL-X25519-PRIVATE-1:`, ...): exactly one key line."""
    lines = _text_lines(text)
    if len(lines) != 1:
        raise OvsealError("invalid_key", f"expected exactly one key line, found {len(lines)}")
    line = lines[0]
    if not line.startswith(prefix):
        raise OvsealError("invalid_key", f"key line does not start with {prefix!r}")
    digits = line[len(prefix) :]
    if len(digits) != 64 or not all(c in HEX_CHARS for c in digits):
        raise OvsealError("invalid_key", "a key is 64 hex digits")
    return bytes.fromhex(digits)


def parse_key_file(text: str) -> bytes:
    return parse_hex_key_text(text, "OVSEAL-KEY-1:")


def parse_device_identity(text: str) -> bytes:
    return parse_hex_key_text(text, "OVSEAL-X25519-PRIVATE-1:")


def parse_trust_list(items) -> list[bytes]:
    """A trust list: 32-byte Ed25519 public keys, or their §14 text forms."""
    out: list[bytes] = []
    for it in items or ():
        if isinstance(it, str):
            out.append(parse_public_key(it, "ed25519"))
        else:
            it = bytes(it)
            if len(it) != 32:
                raise OvsealError("invalid_key", "a trusted public key is 32 bytes")
            out.append(it)
    return out


# ---------------------------------------------------------------------------------------------
# §13: licenses
# ---------------------------------------------------------------------------------------------


@dataclass
class License:
    version: int
    model_id: bytes
    device: bytes
    not_before: int
    expires: int
    ephemeral: bytes
    wrapped: bytes
    note: bytes
    algorithm: int
    signer: bytes
    signature: bytes
    signed_part: bytes  # license[0 : 237 + n] (version 1) or license[0 : 239 + n] (version 2)

    @property
    def device_kind(self) -> str:
        return "p256" if self.version == LICENSE_VERSION_P256 else "x25519"


# version -> (point size of D and of the ephemeral key, fixed length without the note)
LICENSE_LAYOUTS = {
    LICENSE_VERSION: (32, LICENSE_FIXED_LEN),  # §13.1
    LICENSE_VERSION_P256: (P256_POINT_LEN, LICENSE_FIXED_LEN_P256),  # §13.5
}


def parse_license(lic: bytes) -> License:
    """§13.1 (version 1) or §13.5 (version 2) layout, in the order of §13.3; the signature is not
    verified here."""
    lic = bytes(lic)
    if len(lic) < len(LICENSE_MAGIC) or lic[:8] != LICENSE_MAGIC:
        raise OvsealError("license_invalid", "wrong license magic")
    if len(lic) < 12:
        raise OvsealError("license_invalid", "license too short")
    version = int.from_bytes(lic[8:10], "little")
    if version not in LICENSE_LAYOUTS:
        raise OvsealError("unsupported_version", f"license version {version}")
    k, fixed = LICENSE_LAYOUTS[version]  # k: 32 (X25519) or 33 (compressed P-256 point)
    n = int.from_bytes(lic[10:12], "little")
    if n > LICENSE_MAX_NOTE:
        raise OvsealError("license_invalid", f"license note_length {n}")
    if len(lic) != fixed + n:
        raise OvsealError("license_invalid", f"license is {len(lic)} bytes, not {fixed + n}")
    o_device = 44
    o_not_before = o_device + k  # 76 | 77
    o_expires = o_not_before + 8  # 84 | 85
    o_ephemeral = o_expires + 8  # 92 | 93
    o_wrapped = o_ephemeral + k  # 124 | 126
    o_note = o_wrapped + STANZA_BODY_LEN  # 204 | 206
    o_alg = o_note + n
    o_signer = o_alg + 1
    o_sig = o_signer + 32  # 237 + n | 239 + n
    device = lic[o_device:o_not_before]
    if version == LICENSE_VERSION_P256 and not p256_is_on_curve(device):
        # §13.5: "D not on the curve is license_invalid (checked while parsing, after the length)".
        raise OvsealError("license_invalid", "the license's device key D is not a point on the curve")
    not_before = int.from_bytes(lic[o_not_before:o_expires], "little")
    expires = int.from_bytes(lic[o_expires:o_ephemeral], "little")
    alg = lic[o_alg]
    if alg != SIG_ALG_ED25519:
        raise OvsealError("license_invalid", f"license signature algorithm {alg}")
    if not_before != 0 and expires != 0 and not_before >= expires:
        raise OvsealError("license_invalid", "license not_before >= expires")
    return License(
        version=version,
        model_id=lic[12:44],
        device=device,
        not_before=not_before,
        expires=expires,
        ephemeral=lic[o_ephemeral:o_wrapped],
        wrapped=lic[o_wrapped:o_note],
        note=lic[o_note:o_alg],
        algorithm=alg,
        signer=lic[o_signer:o_sig],
        signature=lic[o_sig : o_sig + 64],
        signed_part=lic[:o_sig],
    )


def license_signed_message(signed_part: bytes) -> bytes:
    return DOMAIN_LICENSE + b"\x00" + signed_part


def license_info(model_id: bytes, not_before: int, expires: int, version: int = LICENSE_VERSION) -> bytes:
    """The HKDF info of §13.2 (version 1) or §13.5 (version 2)."""
    prefix = DOMAIN_LICENSE_P256 if version == LICENSE_VERSION_P256 else DOMAIN_LICENSE
    return prefix + model_id + not_before.to_bytes(8, "little") + expires.to_bytes(8, "little")


def open_license(
    lic_bytes: bytes, claimed_model_id: bytes, trust: list[bytes], devices: list[DeviceIdentity], now: int
) -> bytes:
    """§13.3 steps 1-5, in that order; return the file key."""
    return open_license_signed(lic_bytes, claimed_model_id, trust, devices, now)[0]


def open_license_signed(
    lic_bytes: bytes, claimed_model_id: bytes, trust: list[bytes], devices: list[DeviceIdentity], now: int
) -> tuple[bytes, bytes]:
    """open_license, returning (file key, the license's signer key) for step 5a of §9."""
    lic = parse_license(lic_bytes)
    # 1. Signature, then trust.
    if not ed25519_verify(lic.signer, lic.signature, license_signed_message(lic.signed_part)):
        raise OvsealError("license_invalid", "license signature does not verify")
    if lic.signer not in trust:
        raise OvsealError("untrusted_signer", f"license signed by key id {key_id(lic.signer)}")
    # 2. Model.
    if not hmac.compare_digest(lic.model_id, claimed_model_id):
        raise OvsealError("license_wrong_model", f"license for model {lic.model_id.hex()}")
    # 3. Device: an identity of the license's key type whose public key is D.
    dev = next((d for d in devices if d.kind == lic.device_kind and d.public == lic.device), None)
    if dev is None:
        raise OvsealError("license_wrong_device", "license for another device")
    # 4. Window.
    if now < lic.not_before:
        raise OvsealError("license_not_yet_valid", f"valid from {lic.not_before}, now {now}")
    if lic.expires != 0 and now >= lic.expires:
        raise OvsealError("license_expired", f"expired at {lic.expires}, now {now}")
    # 5. Unwrap.
    if lic.version == LICENSE_VERSION_P256:
        # §13.5: an ephemeral key not on the curve is license_invalid. FORMAT.md does not say when; like
        # the all-zero check of §13.2 it is made here, when the key is used (D, in contrast, is checked
        # while parsing).
        point = p256_decode_point(lic.ephemeral)
        if point is None:
            raise OvsealError("license_invalid", "the license's ephemeral key is not a point on the curve")
        shared = p256_shared(dev.private, point)
    else:
        shared = x25519_shared(dev.private, lic.ephemeral)
        if shared is None:
            raise OvsealError("license_invalid", "all-zero shared secret")
    info = license_info(lic.model_id, lic.not_before, lic.expires, lic.version)
    okm = hkdf(shared, lic.ephemeral + dev.public, info, 64)
    if not hmac.compare_digest(okm[32:64], lic.wrapped[:32]):
        raise OvsealError("license_invalid", "license wrapped key commitment mismatch")
    file_key = gcm_open(okm[:32], bytes(12), lic.wrapped[32:])
    if file_key is None:
        raise OvsealError("license_invalid", "license wrapped key does not open")
    return file_key, lic.signer


# ---------------------------------------------------------------------------------------------
# §9: opening a file
# ---------------------------------------------------------------------------------------------


@dataclass
class Opened:
    entries: list[tuple[str, int, bytes]]
    metadata: dict
    chunk_size_log2: int
    model_id: bytes = b""  # §12.2, computed from the file (defined for unsigned files too)
    signature: Signature | None = None  # the SIGNATURE record, if any
    signature_verified: bool = False  # True when §9 step 7a ran and passed
    opened_by: str = ""  # "key", "scrypt", a device stanza type ("x25519", "p256-tagged", ...) or "license"


def _expected_length(h: int, body: Body) -> tuple[int, int, list[int]]:
    cs = 1 << body.chunk_size_log2
    counts = [max(1, -(-e.size // cs)) for e in body.entries]
    n_chunks = sum(counts)
    expected = h + n_chunks * (cs + TAG_LEN) + body.trailer_length  # Python ints: no overflow
    if expected >= 1 << 64:
        raise OvsealError("malformed_header", "the file length the header describes overflows 64 bits")
    return expected, n_chunks, counts


def _check_length(data: bytes, expected: int) -> None:
    if len(data) < expected:
        raise OvsealError("truncated", f"file is {len(data)} bytes, expected {expected}")
    if len(data) > expected:
        raise OvsealError("trailing_data", f"file is {len(data)} bytes, expected {expected}")


def _as_list(x) -> list:
    if x is None:
        return []
    if isinstance(x, (bytes, bytearray, memoryview)):
        return [bytes(x)]
    return list(x)


def open_file_full(
    data: bytes,
    *,
    key: bytes | None = None,
    passphrase: bytes | None = None,
    device_key: bytes | list[bytes] | None = None,
    device_p256_key: bytes | list[bytes] | None = None,
    trust=None,
    licenses: list[bytes] | None = None,
    now: int | None = None,
    allow_unsigned: bool = False,
) -> Opened:
    """Open a sealed file following FORMAT.md §9 (with steps 2a, 2b and 7a of revision 2).

    device_key: one X25519 private key (32 bytes), or a list of them (the device identities held).
    device_p256_key: one P-256 private scalar (32 bytes, big-endian, 1 <= d < n), or a list of them (§7.5):
      P-256 device identities, held in software where ovseal holds them in a TPM.
    trust: Ed25519 public keys (32 bytes) or their §14 text forms; non-empty: a trusted signature is required.
    licenses: license files (bytes), opened in the order of §13.3 instead of the stanzas.
    now: seconds since the epoch for license windows (default: the system clock).
    allow_unsigned: with no trust list, let a device identity open files without checking any signature.
    """
    data = bytes(data)
    device_keys = _as_list(device_key)
    p256_keys = _as_list(device_p256_key)
    license_list = [bytes(x) for x in _as_list(licenses)]
    any_device = bool(device_keys or p256_keys)

    # Policy (§12.3): usage errors come before anything else.
    if key is None and passphrase is None and not any_device and not license_list:
        raise OvsealError("usage", "no key, passphrase, device identity or license given")
    trust_given = bool(trust)
    if license_list and not trust_given:
        raise OvsealError("usage", "a license needs a trust list")
    if any_device and not trust_given and not allow_unsigned:
        raise OvsealError("usage", "a device identity needs a trust list (or allow_unsigned)")

    # 0. Keys.
    if key is not None and len(key) != 32:
        raise OvsealError("invalid_key", "a key is 32 bytes")
    if passphrase is not None and len(passphrase) == 0:
        raise OvsealError("invalid_key", "empty passphrase")
    devices = [DeviceIdentity.from_private(bytes(d)) for d in device_keys]
    devices += [DeviceIdentity.from_p256_scalar(bytes(d)) for d in p256_keys]
    trust_list = parse_trust_list(trust)
    require_signature = bool(trust_list)
    if now is None:
        now = int(time.time())

    # 1. Preamble.
    stanza_count, h, s = _parse_preamble(data)
    # 2. Stanzas.
    stanzas = _parse_stanzas(data, stanza_count, s)

    claimed: Signature | None = None
    if require_signature:
        # 2a. Body and trailer, parsed without authentication.
        pre_body = _parse_body(data, s, h)
        expected, _, _ = _expected_length(h, pre_body)
        _check_length(data, expected)
        claimed = _parse_trailer(data, expected - pre_body.trailer_length, expected)
        if claimed is None:
            raise OvsealError("signature_required", "the file has no SIGNATURE record")
        if claimed.public_key not in trust_list:
            raise OvsealError("untrusted_signer", f"signed by key id {key_id(claimed.public_key)}")

    file_key = None
    license_signer: bytes | None = None
    first_license_error: OvsealError | None = None
    if license_list:
        # 2b. Licenses in the order offered (§13.3): the first that yields a file key is used.
        assert claimed is not None  # licenses require a trust list
        for lic in license_list:
            try:
                file_key, license_signer = open_license_signed(lic, claimed.model_id, trust_list, devices, now)
                opened_by = "license"
                break
            except OvsealError as e:
                if first_license_error is None:
                    first_license_error = e
    if file_key is None:
        # 3. File key. If no license opened and no stanza does either, the first license's error is reported.
        try:
            file_key, stype = _unwrap_file_key(stanzas, key, passphrase, devices)
        except OvsealError as e:
            if first_license_error is not None and e.name == "no_matching_key":
                raise first_license_error from None
            raise
        opened_by = stype.decode("ascii")

    # 4. Header MAC.
    header_mac_key = hkdf(file_key, b"", INFO_HEADER_MAC, 32)
    if not hmac.compare_digest(hmac_sha256(header_mac_key, data[: h - MAC_LEN]), data[h - MAC_LEN : h]):
        raise OvsealError("header_auth_failed", "header MAC mismatch")
    # 5. Body.
    body = _parse_body(data, s, h)
    if not hmac.compare_digest(body.file_key_commitment, hkdf(file_key, b"", INFO_FILE_KEY_COMMITMENT, 32)):
        raise OvsealError("header_auth_failed", "file_key_commitment mismatch")
    # 5a. License only (revision 5): under a trust list, only a license signed by the file's signer opens it.
    if require_signature and body.metadata.get("license_only"):
        assert claimed is not None
        if license_signer is None or license_signer != claimed.public_key:
            if license_signer is None and first_license_error is not None:
                raise first_license_error
            raise OvsealError("license_required", "a license-only file opened other than by its signer's license")
    # 6. Length, then trailer.
    expected, n_chunks, counts = _expected_length(h, body)
    _check_length(data, expected)
    signature = _parse_trailer(data, expected - body.trailer_length, expected)
    # 7. Payload: every chunk verifies before any plaintext is released; 7a: digests of the stored chunks.
    cs = 1 << body.chunk_size_log2
    payload_key = hkdf(file_key, body.payload_salt, INFO_PAYLOAD, 32)
    aead = AESGCM(payload_key)
    plain: list[bytes] = []
    digests: list[bytes] = []
    for i in range(n_chunks):
        off = h + i * (cs + TAG_LEN)
        stored = data[off : off + cs + TAG_LEN]
        digests.append(hashlib.sha256(stored).digest())
        try:
            plain.append(aead.decrypt(chunk_nonce(i, i == n_chunks - 1), stored, None))
        except InvalidTag:
            raise OvsealError("payload_auth_failed", f"chunk {i}") from None
    message = signed_message(VERSION, data[PREAMBLE_LEN + s : h - MAC_LEN], n_chunks, payload_digest_of(digests))
    model_id = model_id_of(message)
    verified = False
    if require_signature:
        # 7a.
        assert signature is not None
        if not hmac.compare_digest(model_id, signature.model_id):
            raise OvsealError("bad_signature", "the model id claimed by the SIGNATURE record is not the file's")
        if not ed25519_verify(signature.public_key, signature.signature, message):
            raise OvsealError("bad_signature", "the publisher signature does not verify")
        verified = True
    out: list[tuple[str, int, bytes]] = []
    first = 0
    for e, n_e in zip(body.entries, counts):
        content = b"".join(plain[first : first + n_e])[: e.size]
        out.append((e.name, e.kind, content))
        first += n_e
    return Opened(out, body.metadata, body.chunk_size_log2, model_id, signature, verified, opened_by)


# ---------------------------------------------------------------------------------------------
# §16: compiled-model cache entries
# ---------------------------------------------------------------------------------------------

DOMAIN_CACHE_MODEL = b"ovseal-v1 cache model"
DOMAIN_CACHE_NAME = b"ovseal-v1 cache name"
INFO_CACHE_KEY = b"ovseal-v1 cache key"
INFO_DEVICE_CACHE_KEY = b"ovseal-v1 device cache key"  # revision 5
INFO_CACHE_DEVICE = b"ovseal-v1 cache device"
DOMAIN_CACHE_DEVICE_POINT = b"ovseal-v1 cache device point"


def float_text(value: float) -> str:
    """§16.2: the exact binary64 value as [-]0x1.<13 hex digits>p<exponent>; zeros as [-]0x0.0000000000000p+0."""
    if value != value or value in (float("inf"), float("-inf")):
        raise OvsealError("usage", "NaN and infinities have no canonical text")
    if value == 0:
        return ("-" if str(value).startswith("-") else "") + "0x0.0000000000000p+0"
    return value.hex()  # Python writes every non-zero finite binary64 exactly this way


def canonical_text(value) -> str:
    """§16.2: the canonical text of a value that is not a map (revision 5): str, bool, int or float."""
    if isinstance(value, bool):  # before int: a bool is an int in Python
        return "YES" if value else "NO"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return float_text(value)
    if isinstance(value, str):
        return value
    raise OvsealError("usage", f"no canonical text for a {type(value).__name__}")


def canonical_options(options: dict) -> bytes:
    """§16.2: a dict of name -> value (tag 1, its canonical text) or dict (tag 2), sorted by the names' UTF-8
    bytes."""
    items = sorted((name.encode("utf-8"), value) for name, value in options.items())
    out = len(items).to_bytes(4, "little")
    for name, value in items:
        out += len(name).to_bytes(2, "little") + name
        if isinstance(value, dict):
            out += b"\x02" + canonical_options(value)
        else:
            text = canonical_text(value).encode("utf-8")
            out += b"\x01" + len(text).to_bytes(4, "little") + text
    return out


def cache_model_ref(model: bytes) -> bytes:
    """§16.3: SHA-256 over the sealed model's body (offset 20 + S to H - 32), read from its preamble."""
    h = int.from_bytes(model[12:16], "little")
    s = int.from_bytes(model[16:20], "little")
    return hashlib.sha256(DOMAIN_CACHE_MODEL + model[PREAMBLE_LEN + s : h - MAC_LEN]).digest()


def cache_binding(openvino_version: str, device: str, options: bytes, model_ref: bytes) -> bytes:
    v, d = openvino_version.encode("utf-8"), device.encode("utf-8")
    return len(v).to_bytes(2, "little") + v + len(d).to_bytes(2, "little") + d + \
        len(options).to_bytes(4, "little") + options + model_ref


def cache_key(model_file_key: bytes, binding: bytes, device_secret: bytes | None = None) -> bytes:
    """§16.4: the key of an entry; device-bound (revision 5) when the reader's device cache secret is given."""
    if device_secret is None:
        return hkdf(model_file_key, binding, INFO_CACHE_KEY, 32)
    return hkdf(model_file_key + device_secret, binding, INFO_DEVICE_CACHE_KEY, 32)


def domain_point(label: bytes) -> ec.EllipticCurvePublicKey:
    """The first point 02 || SHA-256(label || u8 i), i = 0, 1, ... (§13.4, §16.4)."""
    for i in range(256):
        point = p256_decode_point(b"\x02" + hashlib.sha256(label + bytes([i])).digest())
        if point is not None:
            return point
    raise OvsealError("internal", "no domain point")


def device_cache_secret(device: DeviceIdentity) -> bytes:
    """§16.4 (revision 5): HKDF(s, empty, "ovseal-v1 cache device", 32); s is the X25519 private key, or the
    x-coordinate of d·Q_c for a P-256 identity."""
    if device.kind == "x25519":
        s = device.private
    else:
        s = p256_shared(device.private, domain_point(DOMAIN_CACHE_DEVICE_POINT))
    return hkdf(s, b"", INFO_CACHE_DEVICE, 32)


def cache_entry_name(binding: bytes) -> str:
    return hashlib.sha256(DOMAIN_CACHE_NAME + binding).digest()[:16].hex() + ".ovcache"


def model_file_key(data: bytes, key: bytes) -> bytes:
    """The file key of a sealed model opened with a key file (§9 steps 1-5; the payload is not needed)."""
    stanza_count, h, s = _parse_preamble(data)
    stanzas = _parse_stanzas(data, stanza_count, s)
    file_key, _ = _unwrap_file_key(stanzas, key, None, [])
    header_mac_key = hkdf(file_key, b"", INFO_HEADER_MAC, 32)
    if not hmac.compare_digest(hmac_sha256(header_mac_key, data[: h - MAC_LEN]), data[h - MAC_LEN : h]):
        raise OvsealError("header_auth_failed", "header MAC mismatch")
    body = _parse_body(data, s, h)
    if not hmac.compare_digest(body.file_key_commitment, hkdf(file_key, b"", INFO_FILE_KEY_COMMITMENT, 32)):
        raise OvsealError("header_auth_failed", "file_key_commitment mismatch")
    return file_key


def open_cache_entry(
    entry: bytes, model_key: bytes, binding: bytes, device: DeviceIdentity | None = None
) -> tuple[str, int, bytes]:
    """§16.6: open a cache entry with the key derived from the model's file key and the expected binding, and
    from the reader's device identity if it holds one (§16.4, revision 5)."""
    secret = None if device is None else device_cache_secret(device)
    opened = open_file_full(entry, key=cache_key(model_key, binding, secret))
    if opened.metadata.get("cache_binding") != binding:
        raise OvsealError("header_auth_failed", "the CACHE_BINDING record is not the expected binding")
    if len(opened.entries) != 1 or opened.entries[0][1] != KIND_COMPILED_MODEL:
        raise _malformed("a cache entry holds exactly one entry of kind 4")
    return opened.entries[0]


def open_file(data: bytes, **kw) -> list[tuple[str, int, bytes]]:
    """Open a sealed file; return (name, kind, content) per entry or raise OvsealError.

    Keyword arguments: key, passphrase, device_key, device_p256_key, trust, licenses, now, allow_unsigned
    (see open_file_full).
    """
    return open_file_full(data, **kw).entries


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def _escape(s: str) -> str:
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in s)


class _ArgParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit with §10 "usage"
        self.print_usage(sys.stderr)
        print(f"usage: {message}", file=sys.stderr)
        sys.exit(ERRORS["usage"])


def _read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise OvsealError("io", f"{path}: {exc}") from None


def _read_text(path: str) -> str:
    try:
        return _read_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        raise OvsealError("invalid_key", f"{path} is not UTF-8 text") from None


def _hex32(text: str, what: str) -> bytes:
    if len(text) != 64 or not all(c in HEX_CHARS for c in text):
        raise OvsealError("invalid_key", f"{what} is not 64 hex digits")
    return bytes.fromhex(text)


def main(argv: list[str] | None = None) -> int:
    import os

    ap = _ArgParser(description="Reference opener for ovseal files (FORMAT.md v1, revision 3).")
    ap.add_argument("file")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--key-hex", help="the 32-byte key as 64 hex digits")
    g.add_argument("--key-file", help="a key file (OVSEAL-KEY-1:, §14)")
    ap.add_argument("--passphrase", help="the passphrase (its exact bytes)")
    d = ap.add_mutually_exclusive_group()
    d.add_argument("--device-key-hex", help="a device X25519 private key as 64 hex digits")
    d.add_argument("--identity", help="a device identity file (OVSEAL-X25519-PRIVATE-1:, §14)")
    ap.add_argument(
        "--device-p256-key-hex", help="a P-256 device private scalar as 64 hex digits (big-endian, §7.5, §15)"
    )
    ap.add_argument(
        "--trust",
        action="append",
        default=[],
        help="a trusted publisher key (ovseal-ed25519:...), or a file of them, one a line; repeatable",
    )
    ap.add_argument("--license", action="append", default=[], help="a license file; repeatable")
    ap.add_argument("--now", type=int, help="the time in seconds since the epoch, for license windows")
    ap.add_argument("--allow-unsigned", action="store_true", help="device stanzas may open unsigned files")
    ap.add_argument("--show-model-id", action="store_true", help="print 'model_id<TAB>HEX' first")
    args = ap.parse_args(argv)
    try:
        if (
            args.key_hex is None
            and args.key_file is None
            and args.passphrase is None
            and args.device_key_hex is None
            and args.identity is None
            and args.device_p256_key_hex is None
            and not args.license
        ):
            raise OvsealError("usage", "give a key, a passphrase, a device identity or a license")
        kw: dict = {"allow_unsigned": args.allow_unsigned, "now": args.now}
        if args.key_hex is not None:
            try:
                kw["key"] = bytes.fromhex(args.key_hex)
            except ValueError:
                raise OvsealError("invalid_key", "key is not hex") from None
            if len(kw["key"]) != 32:
                raise OvsealError("invalid_key", "key is not 32 bytes")
        elif args.key_file is not None:
            kw["key"] = parse_key_file(_read_text(args.key_file))
        if args.passphrase is not None:
            kw["passphrase"] = os.fsencode(args.passphrase)
            if not kw["passphrase"]:
                raise OvsealError("invalid_key", "empty passphrase")
        if args.device_key_hex is not None:
            kw["device_key"] = _hex32(args.device_key_hex, "device key")
        elif args.identity is not None:
            kw["device_key"] = parse_device_identity(_read_text(args.identity))
        if args.device_p256_key_hex is not None:
            kw["device_p256_key"] = _hex32(args.device_p256_key_hex, "P-256 device key")
        trust: list[bytes] = []
        for t in args.trust:
            if t.startswith("ovseal-"):
                trust.append(parse_public_key(t, "ed25519"))
            else:
                trust += [parse_public_key(line, "ed25519") for line in _text_lines(_read_text(t))]
        kw["trust"] = trust
        kw["licenses"] = [_read_bytes(f) for f in args.license]
        data = _read_bytes(args.file)
        opened = open_file_full(data, **kw)
        if args.show_model_id:
            print(f"model_id\t{opened.model_id.hex()}")
        for name, kind, content in opened.entries:
            print(f"{_escape(name)}\t{kind}\t{len(content)}\t{hashlib.sha256(content).hexdigest()}")
        return 0
    except OvsealError as exc:
        print(exc.name, file=sys.stderr)
        if exc.detail:
            print(f"  ({exc.detail})", file=sys.stderr)
        return exc.code
    except Exception as exc:  # noqa: BLE001 - anything else is the tool's own failure
        print("internal", file=sys.stderr)
        print(f"  ({exc!r})", file=sys.stderr)
        return ERRORS["internal"]


if __name__ == "__main__":
    sys.exit(main())
