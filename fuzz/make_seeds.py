#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the seed corpus of every fuzz target into fuzz/corpus/<target>/, deterministically.

Seeds are small valid (and a few typical invalid) inputs: headers, stanza sections and trailers cut from
tests/vectors/*.ovseal, the vectors' licenses, key files, public keys, identity.tpm files, PKCS#11 URIs, clock
state files and .npy files. fuzz_sealed_open and fuzz_sealed_remac take whole files: scripts/fuzz.sh gives them
tests/vectors/*.ovseal directly (64 KiB and more each), so nothing is copied for them here.

Run with the project's virtualenv (it needs `cryptography` and `numpy`, both in requirements.txt):
    .venv/bin/python fuzz/make_seeds.py
It replaces the generated files (named g-*) and leaves any other file (seeds merged from long runs) alone.
"""

import hashlib
import hmac
import io
import json
import struct
import sys
from pathlib import Path

import numpy as np
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, x25519

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "tests" / "vectors"
CORPUS = ROOT / "fuzz" / "corpus"


def det(label: str, n: int = 32) -> bytes:
    """Deterministic bytes named by a label."""
    out = b""
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(f"ovseal fuzz seed {label} {counter}".encode()).digest()
        counter += 1
    return out[:n]


class Seeds:
    def __init__(self, target: str):
        self.dir = CORPUS / target
        self.dir.mkdir(parents=True, exist_ok=True)
        for old in self.dir.glob("g-*"):
            old.unlink()
        self.seen = set()

    def add(self, name: str, data: bytes):
        if data in self.seen:
            return
        self.seen.add(data)
        (self.dir / f"g-{name}").write_bytes(data)


def vectors():
    for path in sorted(VECTORS.glob("*.ovseal")):
        yield path.stem, path.read_bytes()


def header_parts(data: bytes):
    """(H, S, count) of a file whose preamble is in bounds, else None."""
    if len(data) < 20 or data[:8] != b"\x89OVSEAL\n":
        return None
    _, count, h, s = struct.unpack_from("<HHII", data, 8)
    if h < 124 or h > len(data) or s > h - 124:
        return None
    return h, s, count


# --- container parts cut from the vectors -----------------------------------------------------------------------

def container_seeds():
    header = Seeds("fuzz_header")
    stanzas = Seeds("fuzz_stanzas")
    trailer = Seeds("fuzz_trailer")
    for name, data in vectors():
        parts = header_parts(data)
        if parts is None:
            header.add(name, data[:64])  # not an ovseal file, or a broken preamble
            continue
        h, s, count = parts
        header.add(name, data[:h])
        stanzas.add(name, struct.pack("<H", (count - 1) % 1024) + data[20:20 + s])
        body = data[20 + s:h - 32]
        if len(body) >= 40:
            (t,) = struct.unpack_from("<I", body, 36)
            if 0 < t <= len(data) - h:
                trailer.add(name, data[len(data) - t:])
    trailer.add("empty-noncritical", struct.pack("<HI", 0x0002, 3) + b"abc")
    trailer.add("critical", struct.pack("<HI", 0x8002, 0))


def license_seeds():
    seeds = Seeds("fuzz_license")
    for path in sorted(VECTORS.glob("*.lic")):
        seeds.add(path.stem, path.read_bytes())


# --- key files and public keys --------------------------------------------------------------------------------

def manifest():
    return json.loads((VECTORS / "manifest.json").read_text())


def key_file_seeds():
    seeds = Seeds("fuzz_key_file")
    key = det("key").hex()
    seeds.add("key", f"# ovseal key file. Keep it secret.\nOVSEAL-KEY-1:{key}\n".encode())
    seeds.add("key-crlf-upper", f"# comment\r\n\r\nOVSEAL-KEY-1:{key.upper()}\r\n".encode())
    seeds.add("key-no-newline", f"OVSEAL-KEY-1:{key}".encode())
    seeds.add("device", f"# ovseal device identity\nOVSEAL-X25519-PRIVATE-1:{det('device').hex()}\n".encode())
    seeds.add("signing", f"# ovseal publisher signing key\nOVSEAL-ED25519-PRIVATE-1:{det('signing').hex()}\n".encode())
    blob = bytearray(det("encrypted", 81))
    blob[32] = 18
    seeds.add("signing-encrypted", f"OVSEAL-ED25519-ENCRYPTED-1:{blob.hex()}\n".encode())
    blob[32] = 15
    seeds.add("signing-encrypted-bad-work-factor", f"OVSEAL-ED25519-ENCRYPTED-1:{blob.hex()}\n".encode())
    seeds.add("two-keys", f"OVSEAL-KEY-1:{key}\nOVSEAL-KEY-1:{key}\n".encode())
    seeds.add("passphrase", b"correct horse battery staple\n")


def text_key(prefix: str, key: bytes) -> str:
    checksum = hashlib.sha256(prefix.encode() + key).digest()[:4]
    import base64
    return prefix + base64.urlsafe_b64encode(key + checksum).decode().rstrip("=")


def public_key_seeds():
    seeds = Seeds("fuzz_public_key")
    m = manifest()
    trusted = sorted({t for v in m["vectors"] for t in v.get("trust", [])})
    for i, t in enumerate(trusted):
        seeds.add(f"publisher-{i}", t.encode())
    device = x25519.X25519PrivateKey.from_private_bytes(det("x25519 device"))
    raw = device.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    seeds.add("x25519", text_key("ovseal-x25519:", raw).encode())
    seeds.add("x25519-newline", (text_key("ovseal-x25519:", raw) + "\r\n").encode())
    scalar = int.from_bytes(det("p256 device"), "big") % (2**255)
    p256 = ec.derive_private_key(scalar, ec.SECP256R1())
    point = p256.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
    seeds.add("p256", text_key("ovseal-p256:", point).encode())
    signer = ed25519.Ed25519PrivateKey.from_private_bytes(det("publisher"))
    pub = signer.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    seeds.add("pub-file", ("# publisher key\n\n" + text_key("ovseal-ed25519:", pub) + "\n").encode())


# --- identity.tpm -------------------------------------------------------------------------------------------------

def tpm2b(data: bytes) -> bytes:
    return struct.pack(">H", len(data)) + data


ALG_ECC, ALG_KEYEDHASH, ALG_SHA256, ALG_NULL, ECC_NIST_P256 = 0x0023, 0x0008, 0x000B, 0x0010, 0x0003
FIXED_TPM, FIXED_PARENT, SENSITIVE_DATA_ORIGIN, USER_WITH_AUTH, NO_DA, DECRYPT = 0x2, 0x10, 0x20, 0x40, 0x400, 0x20000


def ecc_public(policy: bytes) -> bytes:
    scalar = int.from_bytes(det("tpm p256"), "big") % (2**255)
    numbers = ec.derive_private_key(scalar, ec.SECP256R1()).public_key().public_numbers()
    attributes = FIXED_TPM | FIXED_PARENT | SENSITIVE_DATA_ORIGIN | DECRYPT | NO_DA | (0 if policy else USER_WITH_AUTH)
    area = struct.pack(">HHI", ALG_ECC, ALG_SHA256, attributes) + tpm2b(policy)
    area += struct.pack(">HHHH", ALG_NULL, ALG_NULL, ECC_NIST_P256, ALG_NULL)  # symmetric, scheme, curve, kdf
    area += tpm2b(numbers.x.to_bytes(32, "big")) + tpm2b(numbers.y.to_bytes(32, "big"))
    return tpm2b(area)


def keyedhash_public(policy: bytes) -> bytes:
    attributes = FIXED_TPM | FIXED_PARENT | NO_DA | (0 if policy else USER_WITH_AUTH)
    area = struct.pack(">HHI", ALG_KEYEDHASH, ALG_SHA256, attributes) + tpm2b(policy)
    area += struct.pack(">H", ALG_NULL)  # keyed-hash scheme
    area += tpm2b(det("keyedhash unique"))
    return tpm2b(area)


def tpm_identity_seeds():
    seeds = Seeds("fuzz_tpm_identity")
    private = tpm2b(det("tpm private", 126))
    policy = det("pcr policy")
    for kind, header, make in (("p256", "OVSEAL-TPM-P256-1", ecc_public), ("x25519", "OVSEAL-TPM-X25519-1", keyedhash_public)):
        for pcrs in ("none", "sha256:0,7", "sha1:0+sha256:0,7,23"):
            public = make(b"" if pcrs == "none" else policy)
            text = (f"# ovseal device identity ({kind})\n# It opens nothing on any other machine.\n{header}\n"
                    f"pcrs {pcrs}\npublic {public.hex()}\nprivate {private.hex()}\n")
            seeds.add(f"{kind}-{pcrs.replace(':', '-').replace(',', '-').replace('+', '-')}", text.encode())
    crlf = (f"OVSEAL-TPM-P256-1\r\npcrs none\r\npublic {ecc_public(b'').hex()}\r\nprivate {private.hex()}\r\n")
    seeds.add("p256-crlf", crlf.encode())
    # Revision 5: the storage primary's name (SHA-256: 000b, then the digest) on a fifth line.
    primary = "000b" + det("storage primary name").hex()
    for kind, header, make in (("p256", "OVSEAL-TPM-P256-1", ecc_public), ("x25519", "OVSEAL-TPM-X25519-1", keyedhash_public)):
        text = (f"{header}\npcrs none\npublic {make(b'').hex()}\nprivate {private.hex()}\nprimary {primary}\n")
        seeds.add(f"{kind}-primary", text.encode())


# --- PKCS#11 URIs, clock state files, .npy -------------------------------------------------------------------------

def pkcs11_seeds():
    seeds = Seeds("fuzz_pkcs11_uri")
    uris = [
        "pkcs11:token=publisher;object=signing-2027",
        "pkcs11:token=publisher;object=signing-2027?pin-source=file:/etc/ovseal/pin",
        "pkcs11:token=Publisher%20HSM;object=sig%3b2027;id=%01%FF;type=private;serial=ab12;",
        "pkcs11:manufacturer=SoftHSM%20project;model=SoftHSM%20v2;slot-id=12;library-version=1.2"
        "?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=12%2034",
        "PKCS11:slot-description=x;slot-manufacturer=y;library-manufacturer=z;library-description=w;object=a",
        "pkcs11:object=a?pin-value=1&pin-source=/p",
        "pkcs11:id=%00%0a%1b;type=public",
    ]
    for i, uri in enumerate(uris):
        seeds.add(str(i), uri.encode())


def clock_seeds():
    seeds = Seeds("fuzz_clock_state")
    for seconds in ("1790000000", "0", "18446744073709551615"):
        checksum = hashlib.sha256(b"ovseal-v1 clock" + seconds.encode()).digest()[:8].hex()
        seeds.add(f"file-{seconds}", f"OVSEAL-CLOCK-1 {seconds} {checksum}\n".encode())
    key = bytes(range(32))  # fuzz_clock_state.cpp's anchor key
    for seconds, clock in (("1790000000", "123456789"), ("0", "0")):
        fields = f"{seconds} {clock}"
        mac = hmac.new(key, b"ovseal-v1 clock tpm" + fields.encode(), hashlib.sha256).digest()[:16].hex()
        seeds.add(f"tpm-{seconds}", f"OVSEAL-CLOCK-TPM-1 {fields} {mac}\n".encode())


def npy_bytes(array) -> bytes:
    out = io.BytesIO()
    np.save(out, array, allow_pickle=False)
    return out.getvalue()


def npy_seeds():
    seeds = Seeds("fuzz_npy")
    seeds.add("f32-2x3", npy_bytes(np.arange(6, dtype="<f4").reshape(2, 3)))
    seeds.add("u8-scalar", npy_bytes(np.array(7, dtype="u1")))
    seeds.add("bool-3", npy_bytes(np.array([True, False, True])))
    seeds.add("f16-2x2", npy_bytes(np.ones((2, 2), dtype="<f2")))
    seeds.add("i64-1", npy_bytes(np.array([-1], dtype="<i8")))
    seeds.add("f64-empty", npy_bytes(np.zeros((0, 4), dtype="<f8")))
    header = "{'descr': '=i4', 'fortran_order': False, 'shape': (2,), }"
    header += " " * ((64 - (12 + len(header) + 1) % 64) % 64) + "\n"
    seeds.add("v2-native-i4", b"\x93NUMPY\x02\x00" + struct.pack("<I", len(header)) + header.encode()
              + struct.pack("<ii", 1, 2))
    fortran = npy_bytes(np.asfortranarray(np.arange(4, dtype="<i2").reshape(2, 2)))
    seeds.add("i2-fortran", fortran)


def key_ring_seeds():
    seeds = Seeds("fuzz_key_ring")
    full = {"version": 1, "key_files": ["model.key", "/etc/ovseal/second.key"], "passphrase_file": "pass.txt",
            "identities": ["device/"], "tcti": "swtpm:port=2321", "licenses": ["licenses/", "one.lic"],
            "trust": ["publisher.pub"], "allow_unsigned": False, "clock_state": "/var/lib/ovseal/clock",
            "clock_tolerance": 300}
    seeds.add("full", json.dumps(full, indent=2).encode())
    seeds.add("key-file", b'{"version": 1, "key_files": ["model.key"]}')
    seeds.add("passphrase-inline", b'{"version": 1, "passphrase": "correct horse"}')
    seeds.add("passphrase-empty", b'{"version": 1, "passphrase": ""}')
    seeds.add("device", b'{"version": 1, "identities": ["device"], "trust": ["keys/"], "allow_unsigned": true}')
    seeds.add("licenses", b'{"version": 1, "identities": ["d"], "licenses": ["l"], "trust": ["p.pub"], '
                          b'"clock_state": "c", "clock_tolerance": 0}')
    seeds.add("unknown-field", b'{"version": 1, "key_files": ["k"], "extra": null}')
    seeds.add("duplicate-field", b'{"version": 1, "key_files": ["a"], "key_files": ["b"]}')
    seeds.add("wrong-type", b'{"version": "1", "key_files": "k"}')
    seeds.add("version-2", b'{"version": 2, "key_files": ["k"]}')
    seeds.add("big-tolerance", b'{"version": 1, "key_files": ["k"], "clock_tolerance": 18446744073709551615}')
    seeds.add("nul-in-path", b'{"version": 1, "key_files": ["a\\u0000b"]}')
    seeds.add("nothing", b'{"version": 1}')
    seeds.add("array", b'[1, 2]')
    seeds.add("truncated", b'{"version": 1, "key_files": ["k"')
    seeds.add("number-overflow", b'{"version": 1e400, "key_files": ["k"]}')


def main():
    container_seeds()
    license_seeds()
    key_file_seeds()
    public_key_seeds()
    tpm_identity_seeds()
    pkcs11_seeds()
    clock_seeds()
    npy_seeds()
    key_ring_seeds()
    total = sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file())
    count = sum(1 for p in CORPUS.rglob("*") if p.is_file())
    print(f"fuzz/corpus: {count} files, {total} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
