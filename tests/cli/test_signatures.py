# SPDX-License-Identifier: Apache-2.0
"""Publisher signatures: `keygen --signing`, `seal --sign`, the signature shown by `inspect`, and opening under a
trust list (FORMAT.md §8.1, §9 steps 2a/7a, §12, §14)."""

import os
import re
import stat
import struct

import numpy as np
import pytest

from conftest_identity import ih, other_publisher, plain_outputs, publisher  # noqa: F401  (pytest fixtures)
from conftest_identity import seal_signed


@pytest.fixture(scope="module")
def signed(cli, wd_module, models, secrets, publisher):
    """mlp sealed with key1 and signed by `publisher`; returns (path, seal stdout)."""
    out = wd_module / "signed.ovseal"
    return out, seal_signed(cli, models, out, publisher, "--key-file", secrets.key1).stdout


# ---------------------------------------------------------------------------------------------------------
# keygen --signing

def check_signing_key_pair(ih, key, private_prefix, stdout):
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600, oct(os.stat(key).st_mode)
    lines = [ln for ln in key.read_text().splitlines() if ln and not ln.startswith("#")]
    assert len(lines) == 1 and lines[0].startswith(private_prefix), key.read_text()
    assert re.fullmatch(r"[0-9a-f]+", lines[0].split(":", 1)[1])
    pub = key.parent / (key.name + ".pub")
    text = pub.read_text().strip()
    assert ih.SIGNER_PUB_RE.match(text), text
    ih.decode_public_key(text)
    assert ih.key_id(text) in stdout, "keygen --signing must print the key id\n" + stdout
    assert lines[0].split(":", 1)[1] not in stdout
    return text


def test_keygen_signing(cli, ih, wd):
    key = wd / "pk.key"
    r = cli.ok("keygen", "--signing", "-o", key)
    check_signing_key_pair(ih, key, "OVSEAL-ED25519-PRIVATE-1:", r.stdout)
    seed = [ln for ln in key.read_text().splitlines() if ln.startswith("OVSEAL-")][0].split(":", 1)[1]
    assert ih.HEX64_RE.match(seed)
    # Never overwritten.
    before = key.read_bytes(), (wd / "pk.key.pub").read_bytes()
    ih.assert_error(cli("keygen", "--signing", "-o", key), "io", "exists")
    assert (key.read_bytes(), (wd / "pk.key.pub").read_bytes()) == before
    # Two key pairs differ.
    cli.ok("keygen", "--signing", "-o", wd / "pk2.key")
    assert (wd / "pk2.key.pub").read_text() != (wd / "pk.key.pub").read_text()


def test_keygen_signing_passphrase(cli, h, ih, wd, models, plain_outputs):
    pp = wd / "pp"
    pp.write_text(ih.SIGNING_PASSPHRASE + "\n")
    wrong = wd / "wrong"
    wrong.write_text(ih.SIGNING_PASSPHRASE + "!\n")
    key = wd / "protected.key"
    r = cli.ok("keygen", "--signing", "-o", key, "--passphrase-file", pp)
    text = check_signing_key_pair(ih, key, "OVSEAL-ED25519-ENCRYPTED-1:", r.stdout)
    # §14: hex(salt 32 || log2_n 1 || ciphertext 32 || tag 16)
    blob = [ln for ln in key.read_text().splitlines() if ln.startswith("OVSEAL-")][0].split(":", 1)[1]
    assert len(blob) == 2 * (32 + 1 + 32 + 16)
    assert ih.SIGNING_PASSPHRASE not in key.read_text()
    pub = wd / "protected.key.pub"

    out = wd / "m.ovseal"
    r = cli.ok("seal", models["mlp"], "-o", out, "--passphrase-file", pp, "--scrypt-log2n", "16",
               "--sign", key, "--signing-passphrase-file", pp)
    assert h.inspect_json(cli, out)["signature"]["signer_key_id"] == ih.key_id(text)
    o, _ = ih.run_outputs(wd, "o", out, "--passphrase-file", pp, "--trust", pub)
    h.assert_same_outputs(plain_outputs("mlp"), o)

    # Wrong signing passphrase: nothing written.
    out2 = wd / "m2.ovseal"
    ih.assert_error(cli("seal", models["mlp"], "-o", out2, "--passphrase-file", pp, "--scrypt-log2n", "16",
                        "--sign", key, "--signing-passphrase-file", wrong), "no_matching_key", "passphrase")
    assert not out2.exists()
    # No signing passphrase for a protected key.
    ih.assert_error(cli("seal", models["mlp"], "-o", out2, "--passphrase-file", pp, "--scrypt-log2n", "16",
                        "--sign", key), "usage", "passphrase")
    assert not out2.exists()


def test_sign_with_bad_signing_key(cli, ih, wd, models, secrets, publisher):
    out = wd / "m.ovseal"
    # A public key, a key file of another kind, and a damaged signing key.
    damaged = wd / "damaged.key"
    damaged.write_text(publisher.key.read_text().replace("PRIVATE-1:", "PRIVATE-1:0"))
    os.chmod(damaged, 0o600)
    for bad in (publisher.pub, secrets.key1, damaged):
        ih.assert_error(cli("seal", models["mlp"], "-o", out, "--key-file", secrets.key1, "--sign", bad),
                        "invalid_key", "key")
        assert not out.exists()


# ---------------------------------------------------------------------------------------------------------
# seal --sign, inspect, verify --trust

def test_inspect_shows_signature(cli, h, ih, signed, publisher):
    path, seal_stdout = signed
    info = h.inspect_json(cli, path)
    sig = info["signature"]
    assert sig is not None and set(sig) >= {"signer_key_id", "model_id"}
    assert sig["signer_key_id"] == publisher.key_id
    assert ih.KEY_ID_RE.match(sig["signer_key_id"])
    assert ih.HEX64_RE.match(sig["model_id"])
    assert info["verified"] is False
    # seal prints the signer and the model id; the text form of inspect shows both.
    assert sig["model_id"] in seal_stdout and publisher.key_id in seal_stdout
    text = cli.ok("inspect", path).stdout
    assert sig["model_id"] in text and publisher.key_id in text
    # §8.1: a signed file written by ovseal has a 135-byte trailer.
    data = path.read_bytes()
    H = h.header_length(data)
    CS = info["chunk_size"]
    assert len(data) == H + info["chunk_count"] * (CS + 16) + 135


def test_inspect_unsigned(cli, h, seal):
    info = h.inspect_json(cli, seal("mlp"))
    assert "signature" in info and info["signature"] is None


def test_model_id_is_per_seal(cli, h, wd, models, secrets, publisher, signed):
    """§12.2: sealing again gives a new model id."""
    out = wd / "again.ovseal"
    cli.ok("seal", models["mlp"], "-o", out, "--key-file", secrets.key1, "--sign", publisher.key)
    assert h.inspect_json(cli, out)["signature"]["model_id"] != h.inspect_json(cli, signed[0])["signature"]["model_id"]


def test_verify_and_run_with_trust(cli, h, ih, wd, signed, secrets, publisher, plain_outputs):
    path, _ = signed
    model_id = h.inspect_json(cli, path)["signature"]["model_id"]
    r = cli.ok("verify", path, "--key-file", secrets.key1, "--trust", publisher.pub)
    assert "OK" in r.stdout and model_id in r.stdout and publisher.key_id in r.stdout
    o, _ = ih.run_outputs(wd, "o", path, "--key-file", secrets.key1, "--trust", publisher.pub)
    h.assert_same_outputs(plain_outputs("mlp"), o)
    # Without --trust the signed file still opens with its key.
    o2, _ = ih.run_outputs(wd, "o2", path, "--key-file", secrets.key1)
    h.assert_same_outputs(plain_outputs("mlp"), o2)


def test_unsigned_under_trust(cli, ih, wd, seal, secrets, publisher):
    ih.fails_both(wd, seal("mlp"), "signature_required", "signed", "--key-file", secrets.key1,
                  "--trust", publisher.pub)


def test_other_publisher_untrusted(cli, ih, wd, signed, secrets, other_publisher, publisher):
    path, _ = signed
    r = cli("verify", path, "--key-file", secrets.key1, "--trust", other_publisher.pub)
    ih.assert_error(r, "untrusted_signer", "trust")
    assert publisher.key_id in r.stderr, "the error should name the signer's key id\n" + r.describe()
    ih.run_fails(wd, path, "untrusted_signer", "trust", "--key-file", secrets.key1, "--trust", other_publisher.pub)


def test_trust_directory(cli, h, ih, wd, signed, secrets, publisher, other_publisher, plain_outputs):
    path, _ = signed
    d = wd / "trusted"
    d.mkdir()
    extra = wd / "extra.key"
    cli.ok("keygen", "--signing", "-o", extra)
    (d / "b.pub").write_text(other_publisher.pub.read_text())
    (d / "c.pub").write_text((wd / "extra.key.pub").read_text())
    (d / "a.pub").write_text(publisher.pub.read_text())
    o, _ = ih.run_outputs(wd, "o", path, "--key-file", secrets.key1, "--trust", d)
    h.assert_same_outputs(plain_outputs("mlp"), o)
    # A folder without the signer, and a folder plus a file.
    d2 = wd / "others"
    d2.mkdir()
    (d2 / "b.pub").write_text(other_publisher.pub.read_text())
    (d2 / "c.pub").write_text((wd / "extra.key.pub").read_text())
    ih.fails_both(wd, path, "untrusted_signer", "trust", "--key-file", secrets.key1, "--trust", d2)
    cli.ok("verify", path, "--key-file", secrets.key1, "--trust", d2, "--trust", publisher.pub)


def test_bad_trust_key(cli, ih, wd, signed, secrets, publisher):
    path, _ = signed
    bad = wd / "bad.pub"
    bad.write_text(ih.typo(publisher.text) + "\n")
    ih.assert_error(cli("verify", path, "--key-file", secrets.key1, "--trust", bad), "invalid_key", "key")
    # A private signing key given as a trusted public key.
    ih.assert_error(cli("verify", path, "--key-file", secrets.key1, "--trust", publisher.key), "invalid_key", "key")
    ih.assert_error(cli("verify", path, "--key-file", secrets.key1, "--trust", wd / "absent.pub"), "io", "absent.pub")


# ---------------------------------------------------------------------------------------------------------
# Damaged signatures, and forgery by a key holder

@pytest.mark.parametrize("back", [1, 20, 64, 65, 90], ids=lambda b: f"end-{b}")
def test_flipped_signature_byte(cli, h, ih, wd, signed, secrets, publisher, plain_outputs, back):
    """The last 64 bytes are the Ed25519 signature, the 32 before it the signer's key, and before those the
    claimed model id (§8.1). A flipped byte there is bad_signature under --trust (untrusted_signer for the
    signer key, which no longer equals the trusted one); without --trust the file still opens with its key
    (§8: the trailer is not covered by the header MAC)."""
    path, _ = signed
    bad = wd / "bad.ovseal"
    bad.write_bytes(ih.flip(path.read_bytes(), len(path.read_bytes()) - back))
    name = "untrusted_signer" if 64 < back <= 96 else "bad_signature"
    ih.fails_both(wd, bad, name, "trust" if name == "untrusted_signer" else "signature",
                  "--key-file", secrets.key1, "--trust", publisher.pub)
    cli.ok("verify", bad, "--key-file", secrets.key1)
    o, _ = ih.run_outputs(wd, "o", bad, "--key-file", secrets.key1)
    h.assert_same_outputs(plain_outputs("mlp"), o)


def test_flipped_model_id(cli, ih, wd, signed, secrets, publisher):
    path, _ = signed
    data = path.read_bytes()
    bad = wd / "bad.ovseal"
    bad.write_bytes(ih.flip(data, len(data) - 64 - 32 - 5))
    ih.fails_both(wd, bad, "bad_signature", "signature", "--key-file", secrets.key1, "--trust", publisher.pub)


def test_key_holder_cannot_forge(cli, h, ih, wd, signed, secrets, publisher, plain_outputs):
    """Whoever holds the key file knows the file key, so can re-encrypt a chunk with a valid GCM tag: the file
    still authenticates under the key alone (and gives other outputs), but the publisher signature, which
    covers a digest of every stored chunk (§12.1), no longer verifies."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    def hkdf(ikm, salt, info, n):
        return HKDF(algorithm=hashes.SHA256(), length=n, salt=salt, info=info).derive(ikm)

    path, _ = signed
    data = bytearray(path.read_bytes())
    info = h.inspect_json(cli, path)
    H, CS, N = h.header_length(data), info["chunk_size"], info["chunk_count"]
    S = struct.unpack_from("<I", data, 16)[0]
    # The one `key` stanza (§4, §7.1): type, salt argument, 80-byte body.
    p = 20
    tl = data[p]
    assert bytes(data[p + 1:p + 1 + tl]) == b"key"
    p += 1 + tl
    assert data[p] == 1
    (al,) = struct.unpack_from("<H", data, p + 1)
    salt = bytes(data[p + 3:p + 3 + al])
    p += 3 + al
    (bl,) = struct.unpack_from("<H", data, p)
    body = bytes(data[p + 2:p + 2 + bl])
    secret = bytes.fromhex([ln for ln in secrets.key1.read_text().splitlines()
                            if ln.startswith("OVSEAL-KEY-1:")][0].split(":", 1)[1])
    okm = hkdf(secret, salt, b"ovseal-v1 key stanza", 64)
    assert okm[32:] == body[:32]
    file_key = AESGCM(okm[:32]).decrypt(bytes(12), body[32:], None)
    payload_key = hkdf(file_key, bytes(data[20 + S:20 + S + 32]), b"ovseal-v1 payload", 32)

    # Chunk 1 is the first chunk of model.bin (model.xml fits in chunk 0): zero its first 4 KiB of weights.
    i = 1
    assert info["entries"][0]["size"] <= CS and N >= 3
    nonce = i.to_bytes(11, "big") + (b"\x01" if i == N - 1 else b"\x00")
    off = H + i * (CS + 16)
    pt = bytearray(AESGCM(payload_key).decrypt(nonce, bytes(data[off:off + CS + 16]), None))
    pt[:4096] = bytes(4096)
    data[off:off + CS + 16] = AESGCM(payload_key).encrypt(nonce, bytes(pt), None)
    forged = wd / "forged.ovseal"
    forged.write_bytes(bytes(data))

    # The key alone accepts the forgery (GCM does not stop a key holder), and it really is another model.
    cli.ok("verify", forged, "--key-file", secrets.key1)
    o, _ = ih.run_outputs(wd, "o", forged, "--key-file", secrets.key1)
    a = np.load(o / "logits.npy")
    b = np.load(plain_outputs("mlp") / "logits.npy")
    assert not np.array_equal(a, b), "the forged weights did not change the outputs; the test is not testing"
    # The publisher signature catches it.
    ih.fails_both(wd, forged, "bad_signature", "signature", "--key-file", secrets.key1, "--trust", publisher.pub)
