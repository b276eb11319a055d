# SPDX-License-Identifier: Apache-2.0
"""TPM 2.0 device identities end to end, on software TPMs (swtpm): `device init --tpm [--pcr]`, `device show`,
models sealed or licensed to a TPM-held identity opened with real inference, and each TPM failure of FORMAT.md
§10 (25 tpm_unavailable, 26 tpm_policy_failed, 27 tpm_wrong_device, 28 tpm_busy) with what it tells the
operator; no handle left in the TPM; the private key nowhere on disk nor in any message.

The expected private key is unsealed independently with tpm2-tools (conftest_tpm.Swtpm.unseal_identity), which
also shows that identity.tpm holds a standard TPM sealed object.
"""

import base64
import os
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from conftest_identity import ih, plain_outputs, publisher  # noqa: F401  (pytest fixtures)
from conftest_identity import seal_signed
from conftest_tpm import assert_busy_then_recovers, assert_no_handles, assert_pcr_policy_holds  # noqa: E402
from conftest_tpm import own_tpm, require_swtpm, require_tpm2_tools, swtpm_factory, tpm  # noqa: F401  (pytest fixtures)

HEADER = "OVSEAL-TPM-X25519-1"


@pytest.fixture(scope="module", autouse=True)
def _tools():
    require_swtpm()
    require_tpm2_tools()


class TpmDevice:
    """A TPM-held identity: .dir, .pub (public key text), .key (the 32-byte private key, unsealed with tpm2-tools),
    .tpm (the Swtpm holding it), .init (the `device init` result)."""


def make_tpm_device(cli, ih, tpm, folder, *pcr):
    d = TpmDevice()
    d.dir, d.tpm = folder, tpm
    d.init = cli.ok("device", "init", "--tpm", *pcr, "-o", folder, "--tcti", tpm.tcti)
    assert_no_handles(tpm, "after device init --tpm")
    d.pub = (folder / "identity.pub").read_text().strip()
    assert ih.DEVICE_PUB_RE.match(d.pub), d.pub
    d.key = tpm.unseal_identity(folder)
    return d


@pytest.fixture(scope="module")
def main_device(cli, ih, tpm, wd_module):
    return make_tpm_device(cli, ih, tpm, wd_module / "dev")


@pytest.fixture(scope="module")
def signed_to_main(cli, wd_module, models, main_device, publisher):
    """mlp sealed to the main TPM device only (no key file, no passphrase), signed by the publisher."""
    return seal_to(cli, wd_module, models, main_device, publisher, "to-tpm.ovseal")


@pytest.fixture(scope="module")
def dead_tcti(swtpm_factory):
    """The TCTI of a TPM that was started then stopped: nothing listens on its port any more."""
    t = swtpm_factory("gone")
    t.stop()
    return t.tcti


def seal_to(cli, wd, models, device, publisher, name="to-dev.ovseal"):
    out = wd / name
    seal_signed(cli, models, out, publisher, "-r", device.pub)
    return out


def opener(device, publisher, tcti=None):
    return ["--identity", device.dir, "--trust", publisher.pub, "--tcti", tcti or device.tpm.tcti]


def x25519_public(key):
    return X25519PrivateKey.from_private_bytes(key).public_key().public_bytes_raw()


def key_forms(key):
    """Ways the private key could be written out: raw bytes, hex (both cases), base64 and base64url."""
    forms = [key, key.hex().encode(), key.hex().upper().encode()]
    for enc in (base64.b64encode, base64.urlsafe_b64encode):
        forms.append(enc(key).rstrip(b"="))
    return forms


def assert_key_absent(key, data, where):
    for form in key_forms(key):
        assert form not in data, f"the private key ({form[:12]!r}...) appears in {where}"
    for i in range(0, len(key) - 7):  # any 8 raw bytes of it
        assert key[i:i + 8] not in data, f"8 bytes of the private key appear in {where}"


def assert_no_key(r, key):
    assert_key_absent(key, r.stdout_bytes + r.stderr_bytes, "the output of:\n" + r.describe())


# ---------------------------------------------------------------------------------------------------------
# device init --tpm / device show

def test_init_tpm_writes_sealed_identity_only(cli, ih, main_device):
    d = main_device
    assert sorted(p.name for p in d.dir.iterdir()) == ["identity.pub", "identity.tpm"], \
        "a TPM identity folder holds identity.tpm and identity.pub only (no 'identity' file with the key)"
    mode = stat.S_IMODE(os.stat(d.dir / "identity.tpm").st_mode)
    assert mode == 0o600, f"identity.tpm has mode {oct(mode)}, expected 0o600"
    lines = [ln for ln in (d.dir / "identity.tpm").read_text().splitlines() if ln and not ln.startswith("#")]
    assert [ln.split(" ")[0] for ln in lines] == [HEADER, "pcrs", "public", "private", "primary"], lines
    assert lines[1] == "pcrs none"
    # The key printed by init, identity.pub and `device show` (which unseals) are the same.
    assert d.pub in d.init.stdout.split(), "device init must print the public key\n" + d.init.describe()
    assert "sealed by the TPM" in d.init.stdout, d.init.describe()
    shown = cli.ok("device", "show", d.dir, "--tcti", d.tpm.tcti)
    assert shown.stdout.strip() == d.pub
    # What the TPM holds is the private key of that public key.
    assert len(d.key) == 32
    assert x25519_public(d.key) == ih.decode_public_key(d.pub), \
        "the key unsealed with tpm2-tools is not the private key of identity.pub"
    # ... and it is nowhere on disk in the folder, nor printed.
    for p in d.dir.iterdir():
        assert_key_absent(d.key, p.read_bytes(), p)
    assert_no_key(d.init, d.key)
    assert_no_key(shown, d.key)


def test_init_tpm_makes_distinct_keys_and_refuses_to_overwrite(cli, ih, tpm, wd, main_device):
    d = make_tpm_device(cli, ih, tpm, wd / "second")
    assert d.pub != main_device.pub and d.key != main_device.key
    before = {p.name: p.read_bytes() for p in d.dir.iterdir()}
    r = cli("device", "init", "--tpm", "-o", d.dir, "--tcti", tpm.tcti)
    ih.assert_error(r, "io", "exists")
    assert {p.name: p.read_bytes() for p in d.dir.iterdir()} == before
    # Nor over a file identity.
    cli.ok("device", "init", "-o", wd / "file-id")
    ih.assert_error(cli("device", "init", "--tpm", "-o", wd / "file-id", "--tcti", tpm.tcti), "io", "exists")
    assert not (wd / "file-id" / "identity.tpm").exists()


# ---------------------------------------------------------------------------------------------------------
# Sealed to, or licensed to, a TPM-held identity: real inference, outputs equal the plain model's

def test_sealed_to_tpm_device_runs(cli, h, ih, wd, signed_to_main, main_device, publisher, plain_outputs):
    info = h.inspect_json(cli, signed_to_main)
    assert [s["type"] for s in info["stanzas"]] == ["x25519-tagged"]
    out, r = ih.run_outputs(wd, "o", signed_to_main, *opener(main_device, publisher))
    h.assert_same_outputs(plain_outputs("mlp"), out)
    assert_no_key(r, main_device.key)
    r = cli.ok("verify", signed_to_main, *opener(main_device, publisher))
    assert "OK" in r.stdout and info["signature"]["model_id"] in r.stdout, r.describe()


def test_license_to_tpm_device(cli, h, ih, wd, models, secrets, main_device, publisher, plain_outputs):
    model = wd / "lic-model.ovseal"
    seal_signed(cli, models, model, publisher, "--key-file", secrets.key1)
    lic = wd / "dev.lic"
    cli.ok("license", "issue", "--model", model, "--key-file", secrets.key1, "--sign", publisher.key,
           "--device", main_device.pub, "--expires", "2100-01-01", "-o", lic)
    out, _ = ih.run_outputs(wd, "o", model, *opener(main_device, publisher), "--license", lic)
    h.assert_same_outputs(plain_outputs("mlp"), out)
    # The model has no stanza for the device: without the license it does not open.
    ih.fails_both(wd, model, "no_matching_key", "key", *opener(main_device, publisher))


# ---------------------------------------------------------------------------------------------------------
# PCR policy

def test_pcr_bound_identity(cli, h, ih, wd, models, own_tpm, publisher, plain_outputs):
    t = own_tpm
    d = make_tpm_device(cli, ih, t, wd / "pcr-dev", "--pcr", "sha256:0,7")
    assert "PCRs sha256:0,7" in d.init.stdout, d.init.describe()
    assert "pcrs sha256:0,7" in (d.dir / "identity.tpm").read_text().splitlines()
    assert x25519_public(d.key) == ih.decode_public_key(d.pub)
    sealed = seal_to(cli, wd, models, d, publisher)

    def refused(r):
        # The refusal says what to do, and holds no trace of the key.
        assert "ovseal device init" in r.error_message(), r.describe()
        assert_no_key(r, d.key)

    assert_pcr_policy_holds(cli, h, ih, wd, t, d, sealed, opener(d, publisher), plain_outputs("mlp"), refused)


# ---------------------------------------------------------------------------------------------------------
# Another TPM, a cleared TPM, no TPM

def test_another_tpm_is_wrong_device(cli, ih, wd, swtpm_factory, main_device, signed_to_main, publisher):
    other = swtpm_factory("other")
    r = cli("device", "show", main_device.dir, "--tcti", other.tcti)
    ih.assert_error(r, "tpm_wrong_device", "another tpm")
    assert_no_key(r, main_device.key)
    ih.fails_both(wd, signed_to_main, "tpm_wrong_device", "another tpm",
                  *opener(main_device, publisher, other.tcti))
    assert_no_handles(other, "after the failed loads")
    # Its own TPM still opens it.
    cli.ok("verify", signed_to_main, *opener(main_device, publisher))
    other.stop()


def test_cleared_tpm_is_wrong_device(cli, ih, wd, own_tpm):
    d = make_tpm_device(cli, ih, own_tpm, wd / "dev")
    own_tpm.tool("tpm2_clear", "-c", "p")  # new owner seed: a new storage primary key
    r = cli("device", "show", d.dir, "--tcti", own_tpm.tcti)
    ih.assert_error(r, "tpm_wrong_device", "cleared")
    assert_no_key(r, d.key)


def test_tpm_stopped_then_restarted(cli, h, ih, wd, models, own_tpm, publisher, plain_outputs):
    t = own_tpm
    d = make_tpm_device(cli, ih, t, wd / "dev")
    sealed = seal_to(cli, wd, models, d, publisher)
    t.stop()
    r = cli("device", "show", d.dir, "--tcti", t.tcti)
    ih.assert_error(r, "tpm_unavailable", "tpm")
    assert t.tcti in r.error_message() and "running" in r.error_message(), \
        "the message must name the TCTI and say to check the TPM is running\n" + r.describe()
    ih.fails_both(wd, sealed, "tpm_unavailable", t.tcti, *opener(d, publisher))
    # Creating an identity without a TPM fails and leaves no identity behind.
    r = cli("device", "init", "--tpm", "-o", wd / "new", "--tcti", t.tcti)
    ih.assert_error(r, "tpm_unavailable", t.tcti)
    assert not (wd / "new" / "identity.tpm").exists() and not (wd / "new" / "identity.pub").exists()

    # Back (same state, as after a reboot): the identity opens the model again.
    t.start(same_ports=True)
    assert cli.ok("device", "show", d.dir, "--tcti", t.tcti).stdout.strip() == d.pub
    out, _ = ih.run_outputs(wd, "o", sealed, *opener(d, publisher))
    h.assert_same_outputs(plain_outputs("mlp"), out)
    # And a restart keeps it working.
    t.restart()
    cli.ok("verify", sealed, *opener(d, publisher))
    # The failed init left nothing in the way.
    cli.ok("device", "init", "--tpm", "-o", wd / "new", "--tcti", t.tcti)


# ---------------------------------------------------------------------------------------------------------
# Slots and handles

def test_slots_exhausted_then_flushed(cli, ih, wd, own_tpm):
    t = own_tpm
    d = make_tpm_device(cli, ih, t, wd / "dev")
    assert_busy_then_recovers(cli, ih, t, d.dir, d.pub)


def test_no_handles_left_after_many_opens(cli, tpm, main_device, signed_to_main, publisher):
    assert_no_handles(tpm, "before the test")
    for _ in range(10):
        assert cli.ok("device", "show", main_device.dir, "--tcti", tpm.tcti).stdout.strip() == main_device.pub
    for _ in range(3):
        cli.ok("verify", signed_to_main, *opener(main_device, publisher))
    pcr_dir = main_device.dir.parent / "many"
    cli.ok("device", "init", "--tpm", "--pcr", "sha256:0,7", "-o", pcr_dir, "--tcti", tpm.tcti)
    cli.ok("device", "show", pcr_dir, "--tcti", tpm.tcti)
    # swtpm has no resource manager: anything ovseal did not flush would still be there.
    assert_no_handles(tpm, "after 10 shows, 3 verifies, a PCR-bound init and show")


# ---------------------------------------------------------------------------------------------------------
# Which TPM: --tcti, then $TPM2TOOLS_TCTI, then $TSS2_TCTI, then device:/dev/tpmrm0

def tcti_env(tools=None, tss=None):
    env = dict(os.environ)
    env.pop("OVSEAL_PASSPHRASE", None)
    for name, value in (("TPM2TOOLS_TCTI", tools), ("TSS2_TCTI", tss)):
        env.pop(name, None)
        if value is not None:
            env[name] = value
    return env


def test_tcti_precedence(cli, ih, tpm, dead_tcti, main_device, signed_to_main, publisher):
    good, dead = tpm.tcti, dead_tcti
    show = ["device", "show", main_device.dir]

    def ok(*args, **env):
        r = cli(*args, env=tcti_env(**env))
        assert r.returncode == 0, f"expected success with {env}\n" + r.describe()
        return r

    def unavailable(tcti, *args, **env):
        r = cli(*args, env=tcti_env(**env))
        ih.assert_error(r, "tpm_unavailable", tcti)

    # --tcti beats TPM2TOOLS_TCTI, both ways.
    assert ok(*show, "--tcti", good, tools=dead).stdout.strip() == main_device.pub
    unavailable(dead, *show, "--tcti", dead, tools=good)
    ok("verify", signed_to_main, "--identity", main_device.dir, "--trust", publisher.pub, "--tcti", good, tools=dead)
    unavailable(dead, "verify", signed_to_main, "--identity", main_device.dir, "--trust", publisher.pub,
                "--tcti", dead, tools=good, tss=good)
    # TPM2TOOLS_TCTI beats TSS2_TCTI; TSS2_TCTI alone is used; an empty TPM2TOOLS_TCTI counts as unset.
    ok(*show, tools=good)
    ok(*show, tools=good, tss=dead)
    unavailable(dead, *show, tools=dead, tss=good)
    ok(*show, tss=good)
    ok(*show, tools="", tss=good)
    ok("run", signed_to_main, "-d", "CPU", "--identity", main_device.dir, "--trust", publisher.pub, tss=good)
    # None: the kernel's resource manager.
    if os.path.exists("/dev/tpmrm0"):
        pytest.skip("this machine has a TPM at /dev/tpmrm0: the default TCTI cannot be shown to fail")
    unavailable("device:/dev/tpmrm0", *show)


# ---------------------------------------------------------------------------------------------------------
# Damaged identity.tpm

def _damage(text, case):
    lines = text.splitlines(keepends=True)
    idx = {ln.split(" ")[0].strip(): i for i, ln in enumerate(lines)}
    pub, priv = idx["public"], idx["private"]
    hexpart = lines[priv].split(" ", 1)[1].rstrip("\n")
    if case == "bad-hex":
        lines[priv] = "private " + hexpart[:10] + "zz" + hexpart[12:] + "\n"
    elif case == "odd-length":
        lines[priv] = "private " + hexpart[:-1] + "\n"
    elif case == "area-truncated":
        lines[priv] = "private " + hexpart[:len(hexpart) // 2 // 2 * 2] + "\n"
    elif case == "area-too-long":
        lines[priv] = "private " + hexpart + "00\n"
    elif case == "file-truncated":
        return "".join(lines[:priv]) + "private " + hexpart[:7]
    elif case == "private-line-missing":
        del lines[priv]
    elif case == "empty":
        return ""
    elif case == "header":
        lines[idx[HEADER]] = "OVSEAL-TPM-X25519-2\n"
    elif case == "swapped":
        lines[pub], lines[priv] = lines[priv], lines[pub]
    elif case == "pcrs-garbage":
        lines[idx["pcrs"]] = "pcrs sha256:99\n"
    elif case == "extra-line":
        lines.append(lines[priv])
    elif case == "huge-line":
        lines[priv] = "private " + "00" * 100_000 + "\n"
    elif case == "binary":
        return "\x00\xff" * 300
    elif case in ("primary-not-hex", "primary-short", "primary-other-alg"):
        name = lines[idx["primary"]].split(" ", 1)[1].rstrip("\n")
        name = {"primary-not-hex": name[:-2] + "zz", "primary-short": name[:-2],
                "primary-other-alg": "000c" + name[4:]}[case]
        lines[idx["primary"]] = "primary " + name + "\n"
    else:
        raise AssertionError(case)
    return "".join(lines)


DAMAGE = ["bad-hex", "odd-length", "area-truncated", "area-too-long", "file-truncated", "private-line-missing",
          "empty", "header", "swapped", "pcrs-garbage", "extra-line", "huge-line", "binary", "primary-not-hex",
          "primary-short", "primary-other-alg"]
MALFORMED_AREA = ["area-truncated", "area-too-long"]  # hex of the right form, not a TPM structure


@pytest.mark.parametrize("case", DAMAGE)
def test_damaged_identity_file(cli, ih, wd, tpm, main_device, signed_to_main, publisher, case):
    d = wd / "idn"
    d.mkdir()
    damaged = _damage((main_device.dir / "identity.tpm").read_text(), case)
    (d / "identity.tpm").write_bytes(damaged.encode("latin-1"))
    os.chmod(d / "identity.tpm", 0o600)
    (d / "identity.pub").write_text(main_device.pub + "\n")
    r = cli("device", "show", d, "--tcti", tpm.tcti)
    ih.assert_error(r, "invalid_key", "identity")
    if case not in MALFORMED_AREA:
        assert str(d / "identity.tpm") in r.error_message() and "ovseal device init" in r.error_message(), \
            "the message must name the file and say how to make a new one\n" + r.describe()
    assert_no_key(r, main_device.key)
    r = cli("verify", signed_to_main, "--identity", d, "--trust", publisher.pub, "--tcti", tpm.tcti)
    ih.assert_error(r, "invalid_key", "identity")
    assert_no_key(r, main_device.key)


@pytest.mark.parametrize("case", MALFORMED_AREA)
def test_malformed_area_message_names_the_file(cli, ih, wd, tpm, main_device, case):
    d = wd / "idn"
    d.mkdir()
    (d / "identity.tpm").write_text(_damage((main_device.dir / "identity.tpm").read_text(), case))
    r = cli("device", "show", d, "--tcti", tpm.tcti)
    ih.assert_error(r, "invalid_key", str(d / "identity.tpm"))


@pytest.mark.parametrize("line", ["public", "private"])
def test_tampered_sealed_area_is_refused_by_the_tpm(cli, ih, wd, tpm, main_device, line):
    """A well-formed area with one byte changed: the TPM's integrity check refuses to load it. The TPM cannot
    tell this from a blob of another TPM, hence 27."""
    d = wd / "idn"
    d.mkdir()
    out = []
    for ln in (main_device.dir / "identity.tpm").read_text().splitlines():
        if ln.startswith(line + " "):
            last = ln[-2:]
            ln = ln[:-2] + ("00" if last != "00" else "01")
        out.append(ln)
    (d / "identity.tpm").write_text("\n".join(out) + "\n")
    r = cli("device", "show", d, "--tcti", tpm.tcti)
    ih.assert_error(r, "tpm_wrong_device", "tpm")
    assert_no_key(r, main_device.key)
    assert_no_handles(tpm, "after refusing a tampered identity")


# ---------------------------------------------------------------------------------------------------------
# The storage primary key is pinned (FORMAT.md §14.1, primary line)

TPM_CC_LOAD, TPM_CC_START_AUTH_SESSION, TPM_CC_UNSEAL, TPM_CC_CREATE_PRIMARY = 0x157, 0x176, 0x15E, 0x131


def test_identity_records_the_storage_primary(main_device):
    primary = [ln for ln in (main_device.dir / "identity.tpm").read_text().splitlines() if ln.startswith("primary ")]
    assert primary == ["primary " + main_device.tpm.primary_name()], \
        "the primary line is not the name tpm2_createprimary gives this TPM's storage key"


def test_substituted_primary_is_refused_before_unsealing(cli, ih, wd, tpm, main_device, signed_to_main, publisher):
    """A TPM that answers with another storage key (another TPM, or an interposer on the bus that would learn the
    salted session's key, and so the unsealed device key) is refused with 27 before the identity is loaded or
    any session started. Simulated by changing the recorded name: ovseal cannot tell the two apart."""
    d = wd / "idn"
    d.mkdir()
    text = (main_device.dir / "identity.tpm").read_text()
    name = text.split("primary ", 1)[1].split()[0]
    (d / "identity.tpm").write_text(text.replace(name, name[:-1] + ("0" if name[-1] != "0" else "1")))
    for args in (["device", "show", d, "--tcti", tpm.tcti],
                 ["verify", signed_to_main, "--identity", d, "--trust", publisher.pub, "--tcti", tpm.tcti]):
        before = len(tpm.commands())
        r = cli(*args)
        sent = tpm.commands()[before:]
        ih.assert_error(r, "tpm_wrong_device", "storage primary key")
        assert "tcti" in r.error_message() and "cleared" in r.error_message(), r.describe()
        assert TPM_CC_CREATE_PRIMARY in sent, [hex(c) for c in sent]
        for code in (TPM_CC_LOAD, TPM_CC_START_AUTH_SESSION, TPM_CC_UNSEAL):
            assert code not in sent, f"{hex(code)} was sent to a TPM whose storage key is not the recorded one"
        assert_no_key(r, main_device.key)
    assert_no_handles(tpm, "after refusing the substituted primary")


def test_identity_without_primary_line_still_opens(cli, wd, tpm, main_device, signed_to_main, publisher):
    """Identity files made before the primary line (four lines) stay readable; they are not pinned."""
    d = wd / "old"
    d.mkdir()
    lines = (main_device.dir / "identity.tpm").read_text().splitlines()
    (d / "identity.tpm").write_text("".join(ln + "\n" for ln in lines if not ln.startswith("primary ")))
    assert cli.ok("device", "show", d, "--tcti", tpm.tcti).stdout.strip() == main_device.pub
    cli.ok("verify", signed_to_main, "--identity", d, "--trust", publisher.pub, "--tcti", tpm.tcti)


# ---------------------------------------------------------------------------------------------------------
# Usage errors: checked before any TPM is reached (a dead TCTI would give 25)

def test_pcr_without_tpm_is_usage(cli, ih, wd):
    r = cli("device", "init", "--pcr", "sha256:0,7", "-o", wd / "d")
    ih.assert_error(r, "usage", "--tpm")
    assert not (wd / "d").exists() or list((wd / "d").iterdir()) == [], "a usage error must create no identity"


@pytest.mark.parametrize("pcrs", ["sha256:", "sha256:24", "foo:1", "sha256:1,1", "sha256", ":0", "sha256:0,",
                                  "sha256:,0", "sha256:0+sha256:1", "sha256:-1", "sha256:1 ", "sha256:0x1",
                                  "sha256:0+", "SHA256:0", "sha256:100"])
def test_bad_pcr_selection_is_usage(cli, ih, wd, dead_tcti, pcrs):
    r = cli("device", "init", "--tpm", "--pcr", pcrs, "-o", wd / "d", "--tcti", dead_tcti)
    ih.assert_error(r, "usage", "pcr")
    assert not (wd / "d" / "identity.tpm").exists() and not (wd / "d" / "identity.pub").exists()


def test_empty_pcr_selection_is_usage(cli, ih, wd, tpm):
    r = cli("device", "init", "--tpm", "--pcr", "", "-o", wd / "d", "--tcti", tpm.tcti)
    ih.assert_error(r, "usage", "pcr")
