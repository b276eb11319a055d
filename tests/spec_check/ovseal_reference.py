#!/usr/bin/env python3
"""Independent reference opener for ovseal files, written from docs/FORMAT.md alone.

Only the standard library and PyPI `cryptography` are used. The opener follows the normative
order of FORMAT.md §9 step by step and raises OvsealError with the §10 error name.

Usage as a tool:
    python ovseal_reference.py FILE (--key-hex HEX | --passphrase P)
prints, per entry, "name<TAB>kind<TAB>size<TAB>sha256"; on error prints the error name to
stderr and exits with its §10 value.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import sys
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
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
# metadata type -> (field name, maximum value length)
METADATA = {
    REC_MODEL_NAME: ("model_name", 1024),
    REC_MODEL_VERSION: ("model_version", 1024),
    REC_DESCRIPTION: ("description", 65536),
    REC_CREATED: ("created", 8),
    REC_OPENVINO_VERSION: ("openvino_version", 1024),
    REC_SEALED_BY: ("sealed_by", 1024),
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
    return stanzas


# ---------------------------------------------------------------------------------------------
# §9 step 3: file key (§7.3)
# ---------------------------------------------------------------------------------------------


def _stanza_okm(st: Stanza, key: bytes | None, passphrase: bytes | None) -> bytes | None:
    if st.type == b"key" and key is not None:
        return hkdf(key, st.args[0], INFO_KEY_STANZA, 64)
    if st.type == b"scrypt" and passphrase is not None:
        salt, params = st.args
        log2_n, r_, p_ = params
        k = Scrypt(salt=SCRYPT_SALT_PREFIX + salt, length=32, n=1 << log2_n, r=r_, p=p_).derive(passphrase)
        return hkdf(k, b"", INFO_SCRYPT_STANZA, 64)
    return None  # unknown type, or no secret held for it: not mine


def _unwrap_file_key(stanzas: list[Stanza], key: bytes | None, passphrase: bytes | None) -> bytes:
    for st in stanzas:
        okm = _stanza_okm(st, key, passphrase)
        if okm is None:
            continue
        wrap_key, commitment = okm[:32], okm[32:]
        if not hmac.compare_digest(commitment, st.body[:32]):
            continue  # not mine
        file_key = gcm_open(wrap_key, bytes(12), st.body[32:])
        if file_key is None:
            raise OvsealError("header_auth_failed", "a stanza's commitment matched but its wrapped key did not open")
        return file_key
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


def _parse_trailer(data: bytes, start: int, end: int) -> None:
    for rtype, _value in _iter_records(data, start, end):
        if rtype & CRITICAL:
            raise OvsealError("unsupported_version", f"unknown critical trailer record 0x{rtype:04x}")


# ---------------------------------------------------------------------------------------------
# §9: opening a file
# ---------------------------------------------------------------------------------------------


@dataclass
class Opened:
    entries: list[tuple[str, int, bytes]]
    metadata: dict
    chunk_size_log2: int


def open_file_full(data: bytes, *, key: bytes | None = None, passphrase: bytes | None = None) -> Opened:
    data = bytes(data)
    if key is None and passphrase is None:
        raise OvsealError("usage", "no key or passphrase given")
    if key is not None and len(key) != 32:
        raise OvsealError("invalid_key", "a key is 32 bytes")
    if passphrase is not None and len(passphrase) == 0:
        raise OvsealError("invalid_key", "empty passphrase")

    # 1. Preamble.
    stanza_count, h, s = _parse_preamble(data)
    # 2. Stanzas.
    stanzas = _parse_stanzas(data, stanza_count, s)
    # 3. File key.
    file_key = _unwrap_file_key(stanzas, key, passphrase)
    # 4. Header MAC.
    header_mac_key = hkdf(file_key, b"", INFO_HEADER_MAC, 32)
    if not hmac.compare_digest(hmac_sha256(header_mac_key, data[: h - MAC_LEN]), data[h - MAC_LEN : h]):
        raise OvsealError("header_auth_failed", "header MAC mismatch")
    # 5. Body.
    body = _parse_body(data, s, h)
    if not hmac.compare_digest(body.file_key_commitment, hkdf(file_key, b"", INFO_FILE_KEY_COMMITMENT, 32)):
        raise OvsealError("header_auth_failed", "file_key_commitment mismatch")
    # 6. Length, then trailer.
    cs = 1 << body.chunk_size_log2
    counts = [max(1, -(-e.size // cs)) for e in body.entries]
    n_chunks = sum(counts)
    expected = h + n_chunks * (cs + TAG_LEN) + body.trailer_length  # Python ints: no overflow
    if expected >= 1 << 64:
        raise OvsealError("malformed_header", "the file length the header describes overflows 64 bits")
    if len(data) < expected:
        raise OvsealError("truncated", f"file is {len(data)} bytes, expected {expected}")
    if len(data) > expected:
        raise OvsealError("trailing_data", f"file is {len(data)} bytes, expected {expected}")
    _parse_trailer(data, expected - body.trailer_length, expected)
    # 7. Payload: every chunk verifies before any plaintext is released.
    payload_key = hkdf(file_key, body.payload_salt, INFO_PAYLOAD, 32)
    aead = AESGCM(payload_key)
    plain: list[bytes] = []
    for i in range(n_chunks):
        off = h + i * (cs + TAG_LEN)
        try:
            plain.append(aead.decrypt(chunk_nonce(i, i == n_chunks - 1), data[off : off + cs + TAG_LEN], None))
        except InvalidTag:
            raise OvsealError("payload_auth_failed", f"chunk {i}") from None
    out: list[tuple[str, int, bytes]] = []
    first = 0
    for e, n_e in zip(body.entries, counts):
        content = b"".join(plain[first : first + n_e])[: e.size]
        out.append((e.name, e.kind, content))
        first += n_e
    return Opened(out, body.metadata, body.chunk_size_log2)


def open_file(data: bytes, *, key: bytes | None = None, passphrase: bytes | None = None) -> list[tuple[str, int, bytes]]:
    """Open a sealed file; return (name, kind, content) per entry or raise OvsealError."""
    return open_file_full(data, key=key, passphrase=passphrase).entries


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


def main(argv: list[str] | None = None) -> int:
    import os

    ap = _ArgParser(description="Reference opener for ovseal files (FORMAT.md v1).")
    ap.add_argument("file")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--key-hex", help="the 32-byte key as 64 hex digits")
    g.add_argument("--passphrase", help="the passphrase (its exact bytes)")
    args = ap.parse_args(argv)
    try:
        key = passphrase = None
        if args.key_hex is not None:
            try:
                key = bytes.fromhex(args.key_hex)
            except ValueError:
                raise OvsealError("invalid_key", "key is not hex") from None
            if len(key) != 32:
                raise OvsealError("invalid_key", "key is not 32 bytes")
        else:
            passphrase = os.fsencode(args.passphrase)
            if not passphrase:
                raise OvsealError("invalid_key", "empty passphrase")
        try:
            with open(args.file, "rb") as f:
                data = f.read()
        except OSError as exc:
            raise OvsealError("io", str(exc)) from None
        for name, kind, content in open_file(data, key=key, passphrase=passphrase):
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
