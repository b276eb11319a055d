# SPDX-License-Identifier: Apache-2.0
"""TPM-resident P-256 device identities end to end, on software TPMs (swtpm): `device init --tpm-p256 [--pcr]`,
`device show`, models sealed (`p256` stanza, FORMAT.md §7.5) or licensed (license version 2, §13.5) to a key that
lives in the TPM, opened with real inference; which identities cannot open them; each TPM failure of §10
(25 tpm_unavailable, 26 tpm_policy_failed, 27 tpm_wrong_device, 28 tpm_busy); no handle left in the TPM; the
rollback guard anchored to the TPM's clock (§13.4, `OVSEAL-CLOCK-TPM-1`); and what an open costs the TPM, counted
in commands from swtpm's log: a crafted file of 1024 device stanzas costs at most 8 agreements (§7.4), a file
sealed to many devices opens on each for one.

The TPM generated the private key and never lets it out, so no test can look for it. Instead the tests check,
with tpm2-tools and Python alone, that identity.tpm holds a standard TPM object (§14.1) whose public point is the
one in identity.pub, that the TPM really holds its private key (TPM2_ECDH_ZGen through tpm2-tools agrees with a
key agreement computed in Python against identity.pub), and that the clock state's MAC is the one §13.4 defines.
"""

import collections
import hashlib
import hmac
import os
import re
import shutil
import stat
import struct
import time

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from conftest_identity import device, ih, keyed_model, plain_outputs, publisher  # noqa: F401  (pytest fixtures)
from conftest_identity import decode_public_key, license_issuer, seal_signed
from conftest_tpm import own_tpm, require_swtpm, require_tpm2_tools, swtpm_factory, tpm  # noqa: F401  (pytest fixtures)
from conftest_tpm import assert_busy_then_recovers, assert_no_handles, assert_pcr_policy_holds  # noqa: E402
from test_tpm import tcti_env

HEADER = "OVSEAL-TPM-P256-1"
P256_PUB_RE = re.compile(r"^ovseal-p256:[A-Za-z0-9_-]{50}$")
FAR_FUTURE = "2100-01-01"

# TPMA_OBJECT bits (TPM 2.0 Part 2 §8.3)
FIXED_TPM, FIXED_PARENT, SENSITIVE_DATA_ORIGIN, USER_WITH_AUTH = 1 << 1, 1 << 4, 1 << 5, 1 << 6
NO_DA, RESTRICTED, DECRYPT, SIGN = 1 << 10, 1 << 16, 1 << 17, 1 << 18
TPM_ALG_ECC, TPM_ALG_SHA256, TPM_ALG_NULL, TPM_ECC_NIST_P256 = 0x0023, 0x000B, 0x0010, 0x0003


@pytest.fixture(scope="module", autouse=True)
def _tools():
    require_swtpm()
    require_tpm2_tools()


# ---------------------------------------------------------------------------------------------------------
# Helpers

def decode_p256(text):
    """FORMAT.md §14: `ovseal-p256:` + base64url (no padding) of compressed point (33) || checksum (4). Returns
    the 33-byte point after checking the checksum."""
    assert P256_PUB_RE.match(text.strip()), text
    return decode_public_key(text, 33)


def key_id(text):
    return hashlib.sha256(b"ovseal-v1 key id" + decode_p256(text)).hexdigest()[:16]


def identity_lines(folder):
    return [ln for ln in (folder / "identity.tpm").read_text().splitlines() if ln and not ln.startswith("#")]


def identity_fields(folder):
    return {k: v for k, _, v in (ln.partition(" ") for ln in identity_lines(folder))}


def parse_public_area(data):
    """An ECC TPM2B_PUBLIC as TPM 2.0 marshals it (big-endian): the fields the tests check."""
    pos = 0

    def take(n):
        nonlocal pos
        assert pos + n <= len(data), f"TPM2B_PUBLIC is truncated at offset {pos}"
        chunk = data[pos:pos + n]
        pos += n
        return chunk

    def u16():
        return struct.unpack(">H", take(2))[0]

    size = u16()
    assert size == len(data) - 2, f"TPM2B_PUBLIC size {size}, {len(data) - 2} bytes follow"
    a = {"type": u16(), "name_alg": u16(), "attributes": struct.unpack(">I", take(4))[0]}
    a["auth_policy"] = take(u16())
    a["symmetric"] = u16()
    if a["symmetric"] != TPM_ALG_NULL:
        take(4)  # keyBits, mode
    a["scheme"] = u16()
    if a["scheme"] != TPM_ALG_NULL:
        take(2)
    a["curve"] = u16()
    a["kdf"] = u16()
    if a["kdf"] != TPM_ALG_NULL:
        take(2)
    a["x"] = take(u16())
    a["y"] = take(u16())
    assert pos == len(data), "bytes left after the TPMT_PUBLIC"
    return a


def compressed(x, y):
    return bytes([2 | (y[-1] & 1)]) + x


def p256_public(point):
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)


def ecc_point_file(public_key):
    """A TPM2B_ECC_POINT, as tpm2_ecdhzgen -u reads it."""
    n = public_key.public_numbers()
    body = b"".join(struct.pack(">H", 32) + c.to_bytes(32, "big") for c in (n.x, n.y))
    return struct.pack(">H", len(body)) + body


def tpm_zgen(tpm, folder, public_key):
    """x-coordinate of d·P computed by the TPM (TPM2_ECDH_ZGen) with tpm2-tools alone, d the identity's key: the
    storage primary key re-created from the TCG's ECC SRK template (as conftest_tpm.Swtpm.unseal_identity does),
    the identity's object loaded under it from identity.tpm. Identities without a PCR policy only."""
    if shutil.which("tpm2_ecdhzgen") is None:
        pytest.skip("tpm2_ecdhzgen (tpm2-tools) is not installed")
    fields = identity_fields(folder)
    assert fields["pcrs"] == "none"
    work = tpm.root / f"zgen-{time.monotonic_ns()}"
    work.mkdir()
    (work / "pub").write_bytes(bytes.fromhex(fields["public"]))
    (work / "priv").write_bytes(bytes.fromhex(fields["private"]))
    (work / "unique").write_bytes((b"\x20\x00" + bytes(128)) * 2)
    (work / "point").write_bytes(ecc_point_file(public_key))
    try:
        tpm.tool("tpm2_createprimary", "-Q", "-C", "o", "-g", "sha256", "-G", "ecc256:aes128cfb",
                 "-a", "restricted|decrypt|fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda",
                 "-u", work / "unique", "-c", work / "primary.ctx")
        tpm.flush_transient()
        tpm.tool("tpm2_load", "-Q", "-C", work / "primary.ctx", "-u", work / "pub", "-r", work / "priv",
                 "-c", work / "item.ctx")
        tpm.flush_transient()
        tpm.tool("tpm2_ecdhzgen", "-c", work / "item.ctx", "-u", work / "point", "-o", work / "z")
        z = (work / "z").read_bytes()  # TPM2B_ECC_POINT: size, x (TPM2B), y (TPM2B)
        assert z[2:4] == b"\x00\x20", z.hex()
        return z[4:36]
    finally:
        tpm.tool("tpm2_flushcontext", "-t", check=False)
        tpm.tool("tpm2_flushcontext", "-l", check=False)  # tpm2_ecdhzgen (tpm2-tools 5.4) leaves a session loaded
        shutil.rmtree(work, ignore_errors=True)


def clock_guard_point():
    """§13.4: the first of 02 || SHA-256("ovseal-v1 clock guard point" || u8 i) that is on the curve."""
    for i in range(256):
        try:
            return p256_public(b"\x02" + hashlib.sha256(b"ovseal-v1 clock guard point" + bytes([i])).digest())
        except ValueError:
            continue
    raise AssertionError("no clock guard point")


TPM_CLOCK_RE = re.compile(r"OVSEAL-CLOCK-TPM-1 (\d+) (\d+) ([0-9a-f]{32})\n?")


def parse_tpm_clock(text):
    """The TPM form of the clock state: one line `OVSEAL-CLOCK-TPM-1 <seconds> <clock_ms> <mac>`."""
    assert len(text.splitlines()) == 1, f"the clock state is not one line: {text!r}"
    assert text.startswith("OVSEAL-CLOCK-TPM-1 ") and len(text.split()) == 4, text
    m = TPM_CLOCK_RE.fullmatch(text)
    assert m, f"the clock state is not in the documented TPM form: {text!r}"
    return int(m.group(1)), int(m.group(2)), m.group(3)


def clock_mac(k, seconds, clock_ms):
    return hmac.new(k, b"ovseal-v1 clock tpm" + f"{seconds} {clock_ms}".encode(), "sha256").digest()[:16].hex()


def tpm_clock_ms(tpm):
    out = tpm.tool("tpm2_readclock").stdout.decode()
    m = re.search(r"^\s*clock:\s*(\d+)", out, re.M)
    assert m, out
    return int(m.group(1))


class P256Device:
    """A TPM-resident P-256 identity: .dir, .pub (public key text), .point (33 bytes), .tpm (the Swtpm holding
    it), .init (the `device init` result)."""


def make_p256_device(cli, tpm, folder, *pcr):
    d = P256Device()
    d.dir, d.tpm = folder, tpm
    d.init = cli.ok("device", "init", "--tpm-p256", *pcr, "-o", folder, "--tcti", tpm.tcti)
    assert_no_handles(tpm, "after device init --tpm-p256")
    d.pub = (folder / "identity.pub").read_text().strip()
    d.point = decode_p256(d.pub)
    d.key_id = key_id(d.pub)
    return d


def opener(device, publisher, tcti=None):
    return ["--identity", device.dir, "--trust", publisher.pub, "--tcti", tcti or device.tpm.tcti]


def seal_to(cli, wd, models, publisher, *pubs, name="to-dev.ovseal"):
    out = wd / name
    seal_signed(cli, models, out, publisher, *[a for p in pubs for a in ("-r", p)])
    return out


# ---------------------------------------------------------------------------------------------------------
# Module fixtures: the main device on `tpm`, another P-256 device on another TPM

@pytest.fixture(scope="module")
def main_device(cli, tpm, wd_module):
    return make_p256_device(cli, tpm, wd_module / "dev")


@pytest.fixture(scope="module")
def other_tpm(swtpm_factory):
    return swtpm_factory("other")


@pytest.fixture(scope="module")
def other_device(cli, other_tpm, wd_module):
    """A P-256 identity in another TPM (another machine)."""
    return make_p256_device(cli, other_tpm, wd_module / "other-dev")


@pytest.fixture(scope="module")
def signed_to_main(cli, wd_module, models, main_device, publisher):
    """mlp sealed to the main device only (no key file, no passphrase), signed by the publisher."""
    return seal_to(cli, wd_module, models, publisher, main_device.pub, name="to-main.ovseal")


@pytest.fixture(scope="module")
def issue(cli, wd_module, keyed_model, secrets, publisher):
    """issue(device_pub, *options) -> a new license for keyed_model."""
    issue_license = license_issuer(cli, wd_module, keyed_model, secrets, publisher)

    def _issue(pub, *options):
        return issue_license("--device", pub, *options)

    return _issue


@pytest.fixture(scope="module")
def main_lic(issue, main_device):
    return issue(main_device.pub, "--expires", FAR_FUTURE)


@pytest.fixture(scope="module")
def other_lic(issue, other_device):
    return issue(other_device.pub, "--expires", FAR_FUTURE)


@pytest.fixture(scope="module")
def dead_tcti(swtpm_factory):
    t = swtpm_factory("gone")
    t.stop()
    return t.tcti


# ---------------------------------------------------------------------------------------------------------
# device init --tpm-p256 / device show

def test_init_writes_tpm_object_and_public_key_only(cli, main_device):
    d = main_device
    assert sorted(p.name for p in d.dir.iterdir()) == ["identity.pub", "identity.tpm"], \
        "a TPM identity folder holds identity.tpm and identity.pub only"
    mode = stat.S_IMODE(os.stat(d.dir / "identity.tpm").st_mode)
    assert mode == 0o600, f"identity.tpm has mode {oct(mode)}, expected 0o600"
    lines = identity_lines(d.dir)
    assert [ln.split(" ")[0] for ln in lines] == [HEADER, "pcrs", "public", "private", "primary"], lines
    assert lines[0] == HEADER and lines[1] == "pcrs none"
    assert P256_PUB_RE.match(d.pub), d.pub
    assert d.pub in d.init.stdout.split(), "device init must print the public key\n" + d.init.describe()
    assert "P-256" in d.init.stdout and "TPM" in d.init.stdout, d.init.describe()
    # `device show` asks the TPM and prints the same key.
    assert cli.ok("device", "show", d.dir, "--tcti", d.tpm.tcti).stdout.strip() == d.pub


def test_public_area_is_a_tpm_generated_p256_key_matching_identity_pub(main_device):
    """§14.1: an ECC P-256 key generated by the TPM (sensitiveDataOrigin: the TPM made the private key; fixedTPM:
    it can never leave), for key agreement only; its public key is the compressed public area's point."""
    a = parse_public_area(bytes.fromhex(identity_fields(main_device.dir)["public"]))
    assert (a["type"], a["name_alg"], a["curve"]) == (TPM_ALG_ECC, TPM_ALG_SHA256, TPM_ECC_NIST_P256), a
    assert a["attributes"] == FIXED_TPM | FIXED_PARENT | SENSITIVE_DATA_ORIGIN | USER_WITH_AUTH | NO_DA | DECRYPT, \
        f"object attributes {a['attributes']:#010x}"
    assert not a["attributes"] & (SIGN | RESTRICTED)
    assert a["auth_policy"] == b"", "an identity without --pcr has no policy"
    assert (a["symmetric"], a["scheme"], a["kdf"]) == (TPM_ALG_NULL,) * 3
    assert len(a["x"]) == 32 and len(a["y"]) == 32
    point = compressed(a["x"], a["y"])
    assert point == main_device.point, "identity.pub is not the public area's point"
    # A point on the curve whose uncompressed form is the public area's (x, y).
    n = p256_public(point).public_numbers()
    assert (n.x.to_bytes(32, "big"), n.y.to_bytes(32, "big")) == (a["x"], a["y"])


def test_tpm_holds_the_private_key(main_device):
    """The TPM, driven by tpm2-tools alone, agrees with identity.pub: for a fresh e, ECDH_ZGen(d, e·G) equals
    x(e·D) computed in Python."""
    e = ec.generate_private_key(ec.SECP256R1())
    expected = e.exchange(ec.ECDH(), p256_public(main_device.point))
    assert tpm_zgen(main_device.tpm, main_device.dir, e.public_key()) == expected
    assert_no_handles(main_device.tpm, "after tpm2_ecdhzgen")


def test_init_makes_distinct_keys_and_refuses_to_overwrite(cli, ih, tpm, wd, main_device):
    d = make_p256_device(cli, tpm, wd / "second")
    assert d.pub != main_device.pub
    # Nor over a P-256 identity, a file identity or an X25519 TPM identity.
    cli.ok("device", "init", "-o", wd / "file-id")
    cli.ok("device", "init", "--tpm", "-o", wd / "x-tpm", "--tcti", tpm.tcti)
    for folder in (d.dir, wd / "file-id", wd / "x-tpm"):
        before = {p.name: p.read_bytes() for p in folder.iterdir()}
        ih.assert_error(cli("device", "init", "--tpm-p256", "-o", folder, "--tcti", tpm.tcti), "io", "exists")
        assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert_no_handles(tpm, "after the refused inits")


def test_usage_errors_reach_no_tpm(cli, ih, wd, dead_tcti):
    """Checked before any TPM is reached (the dead TCTI would give 25)."""
    r = cli("device", "init", "--tpm", "--tpm-p256", "-o", wd / "d", "--tcti", dead_tcti)
    ih.assert_error(r, "usage", "--tpm")
    for pcrs in ("sha256:24", "foo:1", "sha256:1,1", ""):
        r = cli("device", "init", "--tpm-p256", "--pcr", pcrs, "-o", wd / "d", "--tcti", dead_tcti)
        ih.assert_error(r, "usage", "pcr")
    assert not (wd / "d" / "identity.tpm").exists() and not (wd / "d" / "identity.pub").exists()


# ---------------------------------------------------------------------------------------------------------
# Sealed to the device: real inference, outputs equal the plain model's

def test_sealed_to_p256_device_runs(cli, h, ih, wd, signed_to_main, main_device, publisher, plain_outputs):
    info = h.inspect_json(cli, signed_to_main)
    assert [s["type"] for s in info["stanzas"]] == ["p256-tagged"]
    assert re.search(r"\[0\] p256-tagged\b", cli.ok("inspect", signed_to_main).stdout)
    out, _ = ih.run_outputs(wd, "o", signed_to_main, *opener(main_device, publisher))
    h.assert_same_outputs(plain_outputs("mlp"), out)
    r = cli.ok("verify", signed_to_main, *opener(main_device, publisher))
    assert "OK" in r.stdout and info["signature"]["model_id"] in r.stdout, r.describe()
    # As for any device stanza, a device identity opens nothing without a trust list.
    ih.fails_both(wd, signed_to_main, "usage", "trust", "--identity", main_device.dir, "--tcti", main_device.tpm.tcti)


def test_sealed_to_mixed_recipients(cli, h, ih, wd, models, device, main_device, other_device, publisher,
                                    plain_outputs):
    """One model for an X25519 file identity and two P-256 identities (two TPMs): each opens it alone."""
    x = device("x1")
    sealed = seal_to(cli, wd, models, publisher, x.pub, main_device.pub, other_device.pub)
    assert [s["type"] for s in h.inspect_json(cli, sealed)["stanzas"]] == ["x25519-tagged", "p256-tagged", "p256-tagged"]
    for i, args in enumerate([["--identity", x.dir, "--trust", publisher.pub],
                              opener(main_device, publisher), opener(other_device, publisher)]):
        out, _ = ih.run_outputs(wd, f"o{i}", sealed, *args)
        h.assert_same_outputs(plain_outputs("mlp"), out)


def test_other_identities_cannot_open(cli, ih, wd, tpm, device, main_device, other_device, signed_to_main,
                                      publisher):
    # An X25519 file identity, an X25519 identity sealed by the same TPM, another P-256 key in the same TPM,
    # a P-256 key in another TPM (with that TPM): no stanza is theirs.
    x_tpm = wd / "x-tpm"
    cli.ok("device", "init", "--tpm", "-o", x_tpm, "--tcti", tpm.tcti)
    same_tpm = make_p256_device(cli, tpm, wd / "same-tpm")
    for args in (["--identity", device("x1").dir, "--trust", publisher.pub],
                 ["--identity", x_tpm, "--trust", publisher.pub, "--tcti", tpm.tcti],
                 opener(same_tpm, publisher),
                 opener(other_device, publisher)):
        ih.fails_both(wd, signed_to_main, "no_matching_key", "key", *args)
    # The other TPM's folder used against this TPM: its object does not load here.
    ih.fails_both(wd, signed_to_main, "tpm_wrong_device", "another tpm", *opener(other_device, publisher, tpm.tcti))
    assert_no_handles(tpm, "after the failed opens")
    assert_no_handles(other_device.tpm, "after the failed opens")
    # Offered with the right identity, the wrong ones are no obstacle.
    cli.ok("verify", signed_to_main, "--identity", same_tpm.dir, "--identity", main_device.dir,
           "--trust", publisher.pub, "--tcti", tpm.tcti)


# ---------------------------------------------------------------------------------------------------------
# Licenses, version 2

def test_license_v2_issue_inspect_run(cli, h, ih, wd, keyed_model, issue, main_device, publisher, plain_outputs):
    note = "line 4, cell 2"
    lic = issue(main_device.pub, "--expires", FAR_FUTURE, "--note", note)
    data = lic.read_bytes()
    assert len(data) == 303 + len(note.encode()), f"a version 2 license is 303 + n bytes, got {len(data)}"
    assert data[:8] == b"\x89OVLICE\n"
    assert struct.unpack_from("<HH", data, 8) == (2, len(note.encode())), "version 2 for a P-256 device"
    assert data[8] == 2
    assert data[44:77] == main_device.point, "D at offset 44 is the device's compressed point"
    p256_public(data[93:126])  # the ephemeral key is a point on the curve
    assert data[206:206 + len(note)] == note.encode()
    model_id = h.inspect_json(cli, keyed_model)["signature"]["model_id"]
    assert data[12:44].hex() == model_id
    r = cli.ok("license", "inspect", lic)
    assert main_device.pub in r.stdout and model_id in r.stdout and note in r.stdout, r.describe()
    assert "valid" in r.stdout and publisher.key_id in r.stdout, r.describe()
    out, _ = ih.run_outputs(wd, "o", keyed_model, *opener(main_device, publisher), "--license", lic)
    h.assert_same_outputs(plain_outputs("mlp"), out)
    # The model has no stanza for the device: without the license it does not open.
    ih.fails_both(wd, keyed_model, "no_matching_key", "key", *opener(main_device, publisher))


def test_mixed_batch(cli, h, ih, wd, keyed_model, secrets, device, main_device, other_device, publisher,
                     plain_outputs):
    """One batch for X25519 and P-256 devices: version 1 and 2 licenses, each opening only on its device."""
    xs = [device("bx1"), device("bx2")]
    lst = wd / "devices.txt"
    lst.write_text(f"# fleet\n{xs[0].pub}\n{main_device.pub}\n\n{xs[1].pub}\n{other_device.pub}\n")
    out = wd / "batch"
    cli.ok("license", "issue", "--model", keyed_model, "--key-file", secrets.key1, "--sign", publisher.key,
           "--devices", lst, "--expires", FAR_FUTURE, "-o", out)
    lic = {d.pub: out / f"{d.key_id}.lic" for d in xs + [main_device, other_device]}
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in lic.values())
    for pub, path in lic.items():
        data = path.read_bytes()
        version = 2 if pub.startswith("ovseal-p256:") else 1
        assert struct.unpack_from("<H", data, 8)[0] == version and len(data) == 299 + 2 * version, \
            f"{pub}: version {data[8]}, {len(data)} bytes"
        assert pub in cli.ok("license", "inspect", path).stdout

    openers = {xs[0].pub: ["--identity", xs[0].dir, "--trust", publisher.pub],
               xs[1].pub: ["--identity", xs[1].dir, "--trust", publisher.pub],
               main_device.pub: opener(main_device, publisher),
               other_device.pub: opener(other_device, publisher)}
    for i, (pub, args) in enumerate(openers.items()):
        o, _ = ih.run_outputs(wd, f"o{i}", keyed_model, *args, "--license", lic[pub])
        h.assert_same_outputs(plain_outputs("mlp"), o)
        for other_pub, other_lic in lic.items():
            if other_pub != pub:
                ih.assert_error(cli("verify", keyed_model, *args, "--license", other_lic),
                                "license_wrong_device", "device")
    assert_no_handles(main_device.tpm, "after the batch")


# ---------------------------------------------------------------------------------------------------------
# PCR policy

def pcr_policy_digest(selection, values):
    """TPM2_PolicyPCR's policy digest from an empty one: SHA-256(0^32 || TPM_CC_PolicyPCR || TPML_PCR_SELECTION
    || SHA-256(the selected PCR values, in order)), one sha256 bank."""
    select = bytearray(3)
    for i in selection:
        select[i // 8] |= 1 << (i % 8)
    pcrs = struct.pack(">IHB", 1, TPM_ALG_SHA256, 3) + bytes(select)
    digest = hashlib.sha256(b"".join(values)).digest()
    return hashlib.sha256(bytes(32) + struct.pack(">I", 0x17F) + pcrs + digest).digest()


def test_pcr_bound_identity(cli, h, ih, wd, models, own_tpm, publisher, plain_outputs):
    t = own_tpm
    values = [bytes.fromhex(t.read_pcr(i)) for i in (0, 7)]
    d = make_p256_device(cli, t, wd / "pcr-dev", "--pcr", "sha256:0,7")
    assert "sha256:0,7" in d.init.stdout, d.init.describe()
    assert identity_lines(d.dir)[:2] == [HEADER, "pcrs sha256:0,7"]
    a = parse_public_area(bytes.fromhex(identity_fields(d.dir)["public"]))
    assert not a["attributes"] & USER_WITH_AUTH, "a PCR-bound key must be usable through its policy only"
    assert a["auth_policy"] == pcr_policy_digest([0, 7], values), "authPolicy is not PolicyPCR(sha256:0,7)"
    assert compressed(a["x"], a["y"]) == d.point
    sealed = seal_to(cli, wd, models, publisher, d.pub)
    assert_pcr_policy_holds(cli, h, ih, wd, t, d, sealed, opener(d, publisher), plain_outputs("mlp"))


def test_pcr_bound_license(cli, h, ih, wd, keyed_model, issue, own_tpm, publisher, plain_outputs):
    """A license to a PCR-bound key: opens while the PCRs hold, 26 (not a license error) when they do not."""
    t = own_tpm
    d = make_p256_device(cli, t, wd / "pcr-dev", "--pcr", "sha256:7")
    lic = issue(d.pub, "--expires", FAR_FUTURE)
    out, _ = ih.run_outputs(wd, "o", keyed_model, *opener(d, publisher), "--license", lic)
    h.assert_same_outputs(plain_outputs("mlp"), out)
    t.extend_pcr(7)
    ih.fails_both(wd, keyed_model, "tpm_policy_failed", "PCR", *opener(d, publisher), "--license", lic)


# ---------------------------------------------------------------------------------------------------------
# Another TPM, a cleared TPM, no TPM

def test_identity_against_another_tpm_is_wrong_device(cli, ih, wd, swtpm_factory, main_device, signed_to_main,
                                                      main_lic, keyed_model, publisher):
    other = swtpm_factory("third")
    r = cli("device", "show", main_device.dir, "--tcti", other.tcti)
    ih.assert_error(r, "tpm_wrong_device", "another tpm")
    ih.fails_both(wd, signed_to_main, "tpm_wrong_device", "another tpm",
                  *opener(main_device, publisher, other.tcti))
    ih.fails_both(wd, keyed_model, "tpm_wrong_device", "another tpm",
                  *opener(main_device, publisher, other.tcti), "--license", main_lic)
    assert_no_handles(other, "after the failed loads")
    # Its own TPM still opens it.
    cli.ok("verify", signed_to_main, *opener(main_device, publisher))
    other.stop()


def test_cleared_tpm_is_wrong_device(cli, ih, wd, own_tpm):
    d = make_p256_device(cli, own_tpm, wd / "dev")
    own_tpm.tool("tpm2_clear", "-c", "p")  # new owner seed: a new storage primary key
    ih.assert_error(cli("device", "show", d.dir, "--tcti", own_tpm.tcti), "tpm_wrong_device", "cleared")


def test_tpm_stopped_then_restarted(cli, h, ih, wd, models, own_tpm, publisher, plain_outputs):
    t = own_tpm
    d = make_p256_device(cli, t, wd / "dev")
    sealed = seal_to(cli, wd, models, publisher, d.pub)
    t.stop()
    r = cli("device", "show", d.dir, "--tcti", t.tcti)
    ih.assert_error(r, "tpm_unavailable", t.tcti)
    assert "running" in r.error_message(), r.describe()
    ih.fails_both(wd, sealed, "tpm_unavailable", t.tcti, *opener(d, publisher))
    # Creating an identity without a TPM fails and leaves nothing behind.
    r = cli("device", "init", "--tpm-p256", "-o", wd / "new", "--tcti", t.tcti)
    ih.assert_error(r, "tpm_unavailable", t.tcti)
    assert not (wd / "new" / "identity.tpm").exists() and not (wd / "new" / "identity.pub").exists()

    t.start(same_ports=True)
    assert cli.ok("device", "show", d.dir, "--tcti", t.tcti).stdout.strip() == d.pub
    out, _ = ih.run_outputs(wd, "o", sealed, *opener(d, publisher))
    h.assert_same_outputs(plain_outputs("mlp"), out)
    cli.ok("device", "init", "--tpm-p256", "-o", wd / "new", "--tcti", t.tcti)


def test_tcti_from_environment(cli, ih, tpm, dead_tcti, main_device, signed_to_main, publisher):
    show = ["device", "show", main_device.dir]
    r = cli(*show, "--tcti", tpm.tcti, env=tcti_env(tools=dead_tcti))
    assert r.returncode == 0 and r.stdout.strip() == main_device.pub, r.describe()
    ih.assert_error(cli(*show, env=tcti_env(tools=dead_tcti, tss=tpm.tcti)), "tpm_unavailable", dead_tcti)
    r = cli("verify", signed_to_main, "--identity", main_device.dir, "--trust", publisher.pub,
            env=tcti_env(tss=tpm.tcti))
    assert r.returncode == 0, r.describe()


# ---------------------------------------------------------------------------------------------------------
# Damaged identity.tpm

def _damage(text, case):
    lines = text.splitlines(keepends=True)
    idx = {ln.split(" ")[0].strip(): i for i, ln in enumerate(lines)}
    pub, priv = idx["public"], idx["private"]
    hexpart = lines[priv].split(" ", 1)[1].rstrip("\n")
    if case == "bad-hex":
        lines[priv] = "private " + hexpart[:10] + "zz" + hexpart[12:] + "\n"
    elif case == "area-truncated":
        lines[priv] = "private " + hexpart[:len(hexpart) // 4 * 2] + "\n"
    elif case == "private-line-missing":
        del lines[priv]
    elif case == "pcrs-garbage":
        lines[idx["pcrs"]] = "pcrs sha256:99\n"
    elif case == "off-curve":  # a well-formed public area whose point is not on P-256 (last byte of y changed)
        area = lines[pub].split(" ", 1)[1].rstrip("\n")
        lines[pub] = "public " + area[:-2] + ("00" if area[-2:] != "00" else "01") + "\n"
    else:
        raise AssertionError(case)
    return "".join(lines)


DAMAGE = ["bad-hex", "area-truncated", "private-line-missing", "pcrs-garbage", "off-curve"]


def damaged_identity(wd, device, case):
    d = wd / "idn"
    d.mkdir()
    (d / "identity.tpm").write_text(_damage((device.dir / "identity.tpm").read_text(), case))
    os.chmod(d / "identity.tpm", 0o600)
    (d / "identity.pub").write_text(device.pub + "\n")
    return d


@pytest.mark.parametrize("case", DAMAGE)
def test_damaged_identity_file(cli, ih, wd, tpm, main_device, signed_to_main, publisher, case):
    d = damaged_identity(wd, main_device, case)
    ih.assert_error(cli("device", "show", d, "--tcti", tpm.tcti), "invalid_key", "identity")
    ih.assert_error(cli("verify", signed_to_main, "--identity", d, "--trust", publisher.pub, "--tcti", tpm.tcti),
                    "invalid_key", "identity")
    assert_no_handles(tpm, "after refusing a damaged identity")


@pytest.mark.parametrize("case", ["bad-hex", "off-curve"])
def test_damaged_identity_message_names_file_and_p256_remedy(cli, ih, wd, tpm, main_device, case):
    d = damaged_identity(wd, main_device, case)
    r = cli("device", "show", d, "--tcti", tpm.tcti)
    ih.assert_error(r, "invalid_key", str(d / "identity.tpm"))
    assert "ovseal device init --tpm-p256" in r.error_message(), \
        "the remedy for a P-256 identity must be `device init --tpm-p256`\n" + r.describe()


@pytest.mark.parametrize("line", ["public", "private"])
def test_tampered_area_is_refused(cli, ih, wd, tpm, main_device, line):
    """One byte of the private area changed, or the public area replaced by another key's of the same TPM (a valid
    point, so only the TPM can tell): the TPM's integrity check refuses to load it (27, as a blob of another
    TPM)."""
    d = wd / "idn"
    d.mkdir()
    out = []
    for ln in identity_lines(main_device.dir):
        if ln.startswith("private ") and line == "private":
            ln = ln[:-2] + ("00" if ln[-2:] != "00" else "01")
        out.append(ln)
    if line == "public":  # a valid point of the curve, not the key's: another key's public area
        other = make_p256_device(cli, tpm, wd / "donor")
        out = [("public " + identity_fields(other.dir)["public"]) if ln.startswith("public ") else ln for ln in out]
    (d / "identity.tpm").write_text("\n".join(out) + "\n")
    r = cli("device", "show", d, "--tcti", tpm.tcti)
    ih.assert_error(r, "tpm_wrong_device", "tpm")
    assert_no_handles(tpm, "after refusing a tampered identity")


# ---------------------------------------------------------------------------------------------------------
# The storage primary key is pinned (§14.1, primary line)

def test_identity_records_the_storage_primary(main_device):
    assert identity_fields(main_device.dir)["primary"] == main_device.tpm.primary_name(), \
        "the primary line is not the name tpm2_createprimary gives this TPM's storage key"


@pytest.mark.parametrize("how", ["edited name", "another tpm"])
def test_substituted_primary_is_refused_before_any_agreement(cli, ih, wd, swtpm_factory, main_device,
                                                            signed_to_main, keyed_model, main_lic, publisher, how):
    """A TPM whose storage key is not the recorded one (another TPM; or, simulated by editing the name, an
    interposer on the bus answering with a key of its own, which would learn the salted session's key and with
    it the shared points) is refused with 27 before the key is loaded or a session started."""
    d = main_device.dir
    tpm = main_device.tpm
    if how == "edited name":
        d = wd / "idn"
        d.mkdir()
        text = (main_device.dir / "identity.tpm").read_text()
        name = identity_fields(main_device.dir)["primary"]
        (d / "identity.tpm").write_text(text.replace(name, name[:-1] + ("0" if name[-1] != "0" else "1")))
    else:
        tpm = swtpm_factory("impostor")
    for args in (["device", "show", d, "--tcti", tpm.tcti],
                 ["verify", signed_to_main, "--identity", d, "--trust", publisher.pub, "--tcti", tpm.tcti],
                 ["verify", keyed_model, "--identity", d, "--trust", publisher.pub, "--tcti", tpm.tcti,
                  "--license", main_lic, "--clock-state", wd / "clock"]):
        r, cost = cost_of(tpm, lambda: cli(*args))
        ih.assert_error(r, "tpm_wrong_device", "storage primary key")
        assert "tcti" in r.error_message() and "cleared" in r.error_message(), r.describe()
        assert cost[TPM_CC_CREATE_PRIMARY] == 1, cost
        for code in (TPM_CC_LOAD, TPM_CC_START_AUTH_SESSION, TPM_CC_ECDH_ZGEN):
            assert cost[code] == 0, f"{hex(code)} was sent to a TPM whose storage key is not the recorded one"
    assert not (wd / "clock").exists()
    assert_no_handles(tpm, "after refusing the substituted primary")
    if how == "another tpm":
        tpm.stop()


def test_identity_without_primary_line_still_opens(cli, wd, main_device, signed_to_main, publisher):
    """Identity files made before the primary line (four lines) stay readable; they are not pinned."""
    d = wd / "old"
    d.mkdir()
    (d / "identity.tpm").write_text("".join(ln + "\n" for ln in identity_lines(main_device.dir)
                                            if not ln.startswith("primary ")))
    assert cli.ok("device", "show", d, "--tcti", main_device.tpm.tcti).stdout.strip() == main_device.pub
    cli.ok("verify", signed_to_main, "--identity", d, "--trust", publisher.pub, "--tcti", main_device.tpm.tcti)


# ---------------------------------------------------------------------------------------------------------
# Slots and handles

def test_slots_exhausted_then_flushed(cli, ih, wd, own_tpm):
    t = own_tpm
    d = make_p256_device(cli, t, wd / "dev")
    def no_new_identity_either(t):
        ih.assert_error(cli("device", "init", "--tpm-p256", "-o", wd / "new", "--tcti", t.tcti), "tpm_busy", "slots")
        assert not (wd / "new" / "identity.tpm").exists()

    assert_busy_then_recovers(cli, ih, t, d.dir, d.pub, between=no_new_identity_either)


def test_no_handles_left_after_many_opens(cli, wd, tpm, main_device, signed_to_main, keyed_model, main_lic,
                                          publisher):
    assert_no_handles(tpm, "before the test")
    for _ in range(10):
        assert cli.ok("device", "show", main_device.dir, "--tcti", tpm.tcti).stdout.strip() == main_device.pub
    for _ in range(3):
        cli.ok("verify", signed_to_main, *opener(main_device, publisher))
    for _ in range(3):  # license + TPM-anchored clock guard: one more agreement per open
        cli.ok("verify", keyed_model, *opener(main_device, publisher), "--license", main_lic,
               "--clock-state", wd / "clock")
    pcr_dir = wd / "many"
    cli.ok("device", "init", "--tpm-p256", "--pcr", "sha256:0,7", "-o", pcr_dir, "--tcti", tpm.tcti)
    cli.ok("device", "show", pcr_dir, "--tcti", tpm.tcti)
    # swtpm has no resource manager: anything ovseal did not flush would still be there.
    assert_no_handles(tpm, "after 10 shows, 6 verifies, a PCR-bound init and show")


# ---------------------------------------------------------------------------------------------------------
# Rollback guard anchored to the TPM clock (§13.4)

def clock_args(device, publisher, lic, state):
    return [*opener(device, publisher), "--license", lic, "--clock-state", state]


def test_clock_state_tpm_form(cli, h, ih, wd, keyed_model, main_device, main_lic, publisher, plain_outputs):
    state = wd / "clock"
    before = int(time.time())
    clock_before = tpm_clock_ms(main_device.tpm)
    o, _ = ih.run_outputs(wd, "o", keyed_model, *clock_args(main_device, publisher, main_lic, state))
    after, clock_after = int(time.time()), tpm_clock_ms(main_device.tpm)
    h.assert_same_outputs(plain_outputs("mlp"), o)
    text = state.read_text()
    seconds, clock_ms, mac = parse_tpm_clock(text)
    assert before <= seconds <= after + 1
    assert clock_before <= clock_ms <= clock_after, "clock_ms is not the TPM's clock at the time of the run"
    # The MAC is §13.4's, under k = HKDF(x(d·Q)): the TPM computes d·Q through tpm2-tools here.
    s = tpm_zgen(main_device.tpm, main_device.dir, clock_guard_point())
    k = HKDF(hashes.SHA256(), 32, None, b"ovseal-v1 clock guard").derive(s)
    assert clock_mac(k, seconds, clock_ms) == mac, "the clock state's MAC is not the one FORMAT.md §13.4 defines"

    # A second run succeeds and moves the anchor forward.
    older = state.read_bytes()
    time.sleep(0.05)
    cli.ok("verify", keyed_model, *clock_args(main_device, publisher, main_lic, state))
    seconds2, clock_ms2, mac2 = parse_tpm_clock(state.read_text())
    assert clock_ms2 > clock_ms and seconds2 >= seconds
    assert clock_mac(k, seconds2, clock_ms2) == mac2
    # The file replaced by its own older copy: still an authentic lower bound, so it opens.
    state.write_bytes(older)
    out, _ = ih.run_outputs(wd, "o2", keyed_model, *clock_args(main_device, publisher, main_lic, state))
    h.assert_same_outputs(plain_outputs("mlp"), out)
    assert parse_tpm_clock(state.read_text())[1] > clock_ms2
    assert_no_handles(main_device.tpm, "after the clock guard")


@pytest.mark.parametrize("field", ["mac", "seconds", "clock_ms"])
def test_clock_state_edited_is_invalid(cli, ih, wd, keyed_model, main_device, main_lic, publisher, field):
    state = wd / "clock"
    cli.ok("verify", keyed_model, *clock_args(main_device, publisher, main_lic, state))
    tag, seconds, clock_ms, mac = state.read_text().split()
    if field == "mac":
        mac = ("1" if mac[0] != "1" else "2") + mac[1:]
    elif field == "seconds":
        seconds = str(int(seconds) - 1000)  # an earlier time: would pass the check if the MAC were ignored
    else:
        clock_ms = str(int(clock_ms) - 1)
    content = f"{tag} {seconds} {clock_ms} {mac}\n"
    state.write_text(content)
    ih.fails_both(wd, keyed_model, "state_invalid", "clock state",
                  *clock_args(main_device, publisher, main_lic, state))
    assert state.read_text() == content, "a damaged clock state must never be reset silently"


def test_clock_state_of_another_identity_is_invalid(cli, ih, wd, tpm, keyed_model, issue, main_device,
                                                    other_device, main_lic, other_lic, publisher):
    # Written by the P-256 identity of another TPM.
    state = wd / "clock"
    cli.ok("verify", keyed_model, *clock_args(other_device, publisher, other_lic, state))
    content = state.read_text()
    parse_tpm_clock(content)
    ih.fails_both(wd, keyed_model, "state_invalid", "clock state",
                  *clock_args(main_device, publisher, main_lic, state))
    assert state.read_text() == content, "a refused clock state must never be reset silently"
    # Written by another P-256 identity of the same TPM (same clock, another key): the MAC tells them apart.
    same = make_p256_device(cli, tpm, wd / "same-tpm")
    state2 = wd / "clock2"
    cli.ok("verify", keyed_model, *clock_args(same, publisher, issue(same.pub), state2))
    content = state2.read_text()
    parse_tpm_clock(content)
    ih.fails_both(wd, keyed_model, "state_invalid", "clock state",
                  *clock_args(main_device, publisher, main_lic, state2))
    assert state2.read_text() == content
    assert_no_handles(tpm, "after the refused clock states")


def test_clock_state_first_form_is_upgraded(cli, h, ih, wd, keyed_model, issue, device, main_device, main_lic,
                                           publisher, plain_outputs):
    """A state of the first form (`OVSEAL-CLOCK-1`, written by a run with a file identity) is read as such and
    replaced by the TPM form."""
    x = device("clk-x")
    x_args = ["--identity", x.dir, "--trust", publisher.pub, "--license", issue(x.pub, "--expires", FAR_FUTURE)]
    state = wd / "clock"
    cli.ok("verify", keyed_model, *x_args, "--clock-state", state)
    first = ih.parse_clock(state.read_text())
    o, _ = ih.run_outputs(wd, "o", keyed_model, *clock_args(main_device, publisher, main_lic, state))
    h.assert_same_outputs(plain_outputs("mlp"), o)
    seconds, _, _ = parse_tpm_clock(state.read_text())
    assert seconds >= first
    cli.ok("verify", keyed_model, *clock_args(main_device, publisher, main_lic, state))
    # A reader without a TPM identity cannot check the TPM form: refused, never reset silently.
    content = state.read_text()
    ih.assert_error(cli("verify", keyed_model, *x_args, "--clock-state", state), "state_invalid", "clock state")
    assert state.read_text() == content
    # With the TPM identity in the key ring, the guard is anchored to the TPM whichever license opens the model.
    state.unlink()
    cli.ok("verify", keyed_model, *x_args, "--identity", main_device.dir, "--tcti", main_device.tpm.tcti,
           "--clock-state", state)
    parse_tpm_clock(state.read_text())
    # The first form still guards: a stored time an hour ahead is a rollback.
    state.write_text(ih.clock_line(int(time.time()) + 3600))
    content = state.read_text()
    ih.fails_both(wd, keyed_model, "clock_rollback", "clock", *clock_args(main_device, publisher, main_lic, state))
    assert state.read_text() == content


def test_clock_state_survives_orderly_tpm_restart(cli, wd, keyed_model, issue, own_tpm, publisher):
    """TPM2_Shutdown, then a restart (a clean reboot): the TPM clock goes on, the anchor holds."""
    t = own_tpm
    d = make_p256_device(cli, t, wd / "dev")
    lic = issue(d.pub, "--expires", FAR_FUTURE)
    state = wd / "clock"
    cli.ok("verify", keyed_model, *clock_args(d, publisher, lic, state))
    _, clock_ms, _ = parse_tpm_clock(state.read_text())
    t.tool("tpm2_shutdown", "-c")
    t.restart()
    assert tpm_clock_ms(t) >= clock_ms
    cli.ok("verify", keyed_model, *clock_args(d, publisher, lic, state))
    assert parse_tpm_clock(state.read_text())[1] >= clock_ms


def test_clock_state_after_unorderly_tpm_restart(cli, wd, keyed_model, issue, own_tpm, publisher):
    t = own_tpm
    d = make_p256_device(cli, t, wd / "dev")
    lic = issue(d.pub, "--expires", FAR_FUTURE)
    # A device that has been up for an hour: TPM2_ClockSet moves the clock forward (it cannot move it back).
    t.tool("tpm2_setclock", "-c", "o", str(tpm_clock_ms(t) + 3_600_000))
    state = wd / "clock"
    cli.ok("verify", keyed_model, *clock_args(d, publisher, lic, state))
    _, clock_ms, _ = parse_tpm_clock(state.read_text())
    t.restart()  # SIGTERM: no TPM2_Shutdown, as after a power cut
    if tpm_clock_ms(t) + 600_000 >= clock_ms:
        pytest.skip("this swtpm kept its clock across an unorderly restart")
    r = cli("verify", keyed_model, *clock_args(d, publisher, lic, state))
    assert r.returncode == 0, "an authentic anchor of this TPM must not lock the device out after a power loss\n" \
        + r.describe()


# ---------------------------------------------------------------------------------------------------------
# What an open costs the TPM (§7.4), counted in TPM commands from swtpm's log (never timed)

TPM_CC_ECDH_ZGEN, TPM_CC_CREATE_PRIMARY, TPM_CC_LOAD, TPM_CC_START_AUTH_SESSION = 0x154, 0x131, 0x157, 0x176


def cost_of(tpm, run):
    """(run()'s result, a Counter of the TPM commands it cost)."""
    before = len(tpm.commands())
    result = run()
    return result, collections.Counter(tpm.commands()[before:])


def enc_stanza(stype, args, body):
    """§4: type_length, type, arg_count, (arg_length, arg)*, body_length, body."""
    out = bytes([len(stype)]) + stype + bytes([len(args)])
    for a in args:
        out += struct.pack("<H", len(a)) + a
    return out + struct.pack("<H", len(body)) + body


def first_stanza_args(data):
    at = 20 + 1 + data[20]  # after type_length and type: arg_count
    count, at = data[at], at + 1
    args = []
    for _ in range(count):
        (length,) = struct.unpack_from("<H", data, at)
        args.append(data[at + 2:at + 2 + length])
        at += 2 + length
    return args


def with_stanzas(sealed, stanzas, out):
    """SEALED with its stanza section replaced by STANZAS: byte surgery anyone can do to a signed file (the
    signature does not cover the stanzas; the header MAC, left stale, is checked only once a stanza opens)."""
    data = sealed.read_bytes()
    _, h, s = struct.unpack_from("<HII", data, 10)
    section = b"".join(stanzas)
    out.write_bytes(data[:10] + struct.pack("<HII", len(stanzas), h - s + len(section), len(section))
                    + section + data[20 + s:])
    return out


def test_crafted_file_costs_at_most_eight_agreements(cli, ih, wd, main_device, signed_to_main, publisher):
    """The attack of §7.4: the publisher's signed file (public) with its stanza replaced by 1024 decoys tagged
    for the victim, or untagged. Without the bound each decoy cost a TPM agreement (and, before one session per
    open, a storage key, a load and a session too)."""
    tpm = main_device.tpm
    data = signed_to_main.read_bytes()
    assert data[21:21 + data[20]] == b"p256-tagged"
    tag, ephemeral = first_stanza_args(data)
    assert tag.hex() == main_device.key_id[:8], "the tag is the first 4 bytes of the device's key id"
    crafted = {
        "tagged": with_stanzas(signed_to_main, [enc_stanza(b"p256-tagged", [tag, ephemeral], os.urandom(80))
                                                for _ in range(1024)], wd / "tagged.ovseal"),
        "untagged": with_stanzas(signed_to_main, [enc_stanza(b"p256", [ephemeral], os.urandom(80))
                                                  for _ in range(1024)], wd / "untagged.ovseal"),
    }
    _, genuine = cost_of(tpm, lambda: cli.ok("verify", signed_to_main, *opener(main_device, publisher)))
    # Loading the identity checks its key once (one agreement), the open makes one more.
    assert genuine[TPM_CC_ECDH_ZGEN] == 2 and genuine[TPM_CC_CREATE_PRIMARY] == 2, genuine
    for form, path in crafted.items():
        r, cost = cost_of(tpm, lambda: cli("verify", path, *opener(main_device, publisher)))
        ih.assert_error(r, "no_matching_key", "tried 8 of the 1024")
        assert "rewrap" in r.error_message(), r.describe()
        assert cost[TPM_CC_ECDH_ZGEN] == genuine[TPM_CC_ECDH_ZGEN] + 7, (form, cost)
        for code in (TPM_CC_CREATE_PRIMARY, TPM_CC_LOAD, TPM_CC_START_AUTH_SESSION):
            assert cost[code] == genuine[code], (form, hex(code), cost, genuine)
        assert sum(cost.values()) <= sum(genuine.values()) + 7, (form, cost, genuine)
    assert_no_handles(tpm, "after the crafted files")


def test_sealed_to_many_devices_opens_on_each(cli, ih, wd, models, secrets, tpm, device, publisher):
    """A fleet of 10 TPM devices and an X25519 one (more than the bound): each opens the file, for one
    agreement; a device listed twice, or added again by rewrap, is refused."""
    fleet = [make_p256_device(cli, tpm, wd / f"fleet{i}") for i in range(10)]
    x = device("fleet-x")
    listing = wd / "fleet.txt"
    listing.write_text("".join(d.pub + "\n" for d in fleet) + x.pub + "\n")
    sealed = wd / "fleet.ovseal"
    cli.ok("seal", models["mlp"], "-o", sealed, "--key-file", secrets.key1, "-R", listing, "--sign", publisher.key)
    for d in fleet:
        _, cost = cost_of(tpm, lambda: cli.ok("verify", sealed, *opener(d, publisher)))
        assert cost[TPM_CC_ECDH_ZGEN] == 2, cost  # the load check and its own stanza
    cli.ok("verify", sealed, "--identity", x.dir, "--trust", publisher.pub)
    # One device twice: refused before anything is written.
    listing.write_text(listing.read_text() + fleet[4].pub + "\n")
    ih.assert_error(cli("seal", models["mlp"], "-o", wd / "twice.ovseal", "-R", listing, "--sign", publisher.key),
                    "usage", "twice")
    assert not (wd / "twice.ovseal").exists()
    r = cli("rewrap", sealed, "-o", wd / "again.ovseal", "--key-file", secrets.key1, "-r", fleet[2].pub)
    ih.assert_error(r, "usage", "already has a stanza")
    assert not (wd / "again.ovseal").exists()
    assert_no_handles(tpm, "after the fleet")
