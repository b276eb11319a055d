# SPDX-License-Identifier: Apache-2.0
"""A software TPM 2.0 (swtpm) for the tests of TPM-held device identities (test_tpm.py, test_tpm_p256.py). Not a
conftest.py: the test module imports what it uses, e.g.

    from conftest_tpm import swtpm_factory, tpm  # noqa: F401  (pytest fixtures)

Starting and stopping swtpm, its ports and its command log are tests/swtpm/swtpm_harness.py, which the C++ TPM
tests use too: see there. Each Swtpm here is one such TPM with its state folder, plus what the tests check from
outside with tpm2-tools (PCRs, handles left behind, the identity unsealed independently). The factory fixture
stops whatever is still running at the end of the module and fails if any process of ours is left.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "swtpm"))
import swtpm_harness  # noqa: E402

TPM2_TOOLS = ["tpm2_pcrextend", "tpm2_getcap", "tpm2_createprimary", "tpm2_flushcontext", "tpm2_load",
              "tpm2_unseal", "tpm2_clear", "tpm2_startauthsession", "tpm2_policypcr", "tpm2_pcrread",
              "tpm2_readpublic"]
MISSING_TOOLS = [t for t in TPM2_TOOLS if shutil.which(t) is None]


def require_swtpm():
    if swtpm_harness.SWTPM is None:
        pytest.skip("swtpm is not installed (scripts/setup.sh installs it: Debian packages swtpm, swtpm-tools): "
                    "the TPM tests need a software TPM")


def require_tpm2_tools():
    if MISSING_TOOLS:
        pytest.skip(f"tpm2-tools is not installed (missing {', '.join(MISSING_TOOLS)}; scripts/setup.sh installs "
                    "the Debian package tpm2-tools)")


class Swtpm:
    """One swtpm process with its state folder. .tcti is the TCTI string; .env is os.environ with TPM2TOOLS_TCTI
    naming this TPM (for tpm2-tools)."""

    def __init__(self, root, name):
        self.root = Path(root)
        self.state = self.root / f"{name}-state"
        self.state.mkdir(parents=True)
        self.log = self.root / f"{name}.log"
        self.command_log = self.root / f"{name}-commands.log"
        self.name = name
        self.port = None
        self.proc = None
        self.starts = 0

    @property
    def tcti(self):
        assert self.port is not None, "swtpm was never started"
        return f"swtpm:port={self.port}"

    @property
    def env(self):
        env = dict(os.environ)
        env.pop("TSS2_TCTI", None)
        env["TPM2TOOLS_TCTI"] = self.tcti
        env.setdefault("TSS2_LOG", "all+NONE")  # tpm2-tools' ESAPI warnings are noise in the test logs
        return env

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self, same_ports=False):
        """Starts swtpm on this state folder (new ports unless SAME_PORTS and they are free) and waits until the
        TPM answers."""
        assert not self.running, "swtpm is already running"
        self.proc, self.port = swtpm_harness.start(self.state, self.log, self.command_log,
                                                   self.port if same_ports else None)
        self.starts += 1
        return self

    def stop(self):
        """Stops swtpm (its state stays) and waits until it has exited. The port is then closed."""
        if self.proc is not None:
            swtpm_harness.stop(self.proc)
            self.proc = None
        return self

    def restart(self):
        """The same TPM again (same state folder), as after a reboot: PCRs are back to zero."""
        self.stop()
        return self.start(same_ports=True)

    def commands(self):
        """The command codes (TPM_CC) of every command this TPM received, in order (swtpm_harness.command_codes)."""
        return swtpm_harness.command_codes(self.command_log)

    # -- tpm2-tools -------------------------------------------------------------------------------------------

    def tool(self, name, *args, check=True):
        """Runs tpm2-tools' NAME on this TPM; CHECK: fail the test if it fails."""
        argv = [name] + [str(a) for a in args]
        proc = subprocess.run(argv, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, timeout=60, cwd=self.root)
        if check:
            assert proc.returncode == 0, (f"{' '.join(argv)} failed (exit {proc.returncode}) on {self.tcti}:\n"
                                          + proc.stderr.decode(errors="replace"))
        return proc

    def extend_pcr(self, index, bank="sha256", digest=None):
        size = {"sha1": 20, "sha256": 32, "sha384": 48, "sha512": 64}[bank]
        digest = digest or ("00" * (size - 1) + "01")
        self.tool("tpm2_pcrextend", f"{index}:{bank}={digest}")

    def read_pcr(self, index, bank="sha256"):
        out = self.tool("tpm2_pcrread", f"{bank}:{index}").stdout.decode()
        for line in out.splitlines():
            left, _, value = line.strip().partition(":")
            if left.strip() == str(index):
                return value.strip().lower().removeprefix("0x")
        raise AssertionError(f"tpm2_pcrread printed no value for PCR {index}:\n{out}")

    def handles(self, kind):
        """Handles listed by `tpm2_getcap handles-KIND` (transient, loaded-session, saved-session)."""
        out = self.tool("tpm2_getcap", f"handles-{kind}").stdout.decode()
        return [line.strip().lstrip("- ").strip() for line in out.splitlines() if line.strip()]

    def fill_object_slots(self, count):
        """Leaves COUNT storage primary keys loaded (swtpm has 3 transient object slots and no resource manager,
        so they stay until flushed)."""
        for i in range(count):
            self.tool("tpm2_createprimary", "-Q", "-C", "o", "-c", f"filler-{self.starts}-{i}.ctx")

    def flush_transient(self):
        self.tool("tpm2_flushcontext", "-t")

    def primary_name(self):
        """The name (hex) of the storage primary key of FORMAT.md §14.1 on this TPM, re-created with tpm2-tools
        alone: the TCG's ECC P-256 SRK template (as unseal_identity makes it), its name as tpm2_readpublic prints
        it."""
        work = self.root / f"primary-{time.monotonic_ns()}"
        work.mkdir()
        (work / "unique").write_bytes((b"\x20\x00" + bytes(128)) * 2)
        try:
            self.tool("tpm2_createprimary", "-Q", "-C", "o", "-g", "sha256", "-G", "ecc256:aes128cfb",
                      "-a", "restricted|decrypt|fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda",
                      "-u", work / "unique", "-c", work / "primary.ctx")
            out = self.tool("tpm2_readpublic", "-c", work / "primary.ctx").stdout.decode()
        finally:
            self.tool("tpm2_flushcontext", "-t", check=False)
            shutil.rmtree(work, ignore_errors=True)
        for line in out.splitlines():
            key, _, value = line.strip().partition(":")
            if key == "name":
                return value.strip().lower()
        raise AssertionError(f"tpm2_createprimary printed no name:\n{out}")

    def unseal_identity(self, identity_dir):
        """The 32-byte private key of a TPM-held identity, unsealed with tpm2-tools alone: the storage primary
        key re-created from the TCG's ECC P-256 SRK template (unique: two zero 32-byte coordinates, given as
        the TPMU_PUBLIC_ID structure as laid out in memory), the sealed object loaded under it from the
        identity.tpm's marshalled TPM2B_PUBLIC / TPM2B_PRIVATE, then TPM2_Unseal, through a PCR policy session
        when the identity is bound to PCRs. Every handle is flushed."""
        lines = {}
        for line in (Path(identity_dir) / "identity.tpm").read_text().splitlines():
            if line and not line.startswith("#"):
                key, _, value = line.partition(" ")
                lines[key] = value
        work = self.root / f"unseal-{time.monotonic_ns()}"
        work.mkdir()
        (work / "pub").write_bytes(bytes.fromhex(lines["public"]))
        (work / "priv").write_bytes(bytes.fromhex(lines["private"]))
        unique = (b"\x20\x00" + bytes(128)) * 2  # TPMS_ECC_POINT: x, y as TPM2B_ECC_PARAMETER (size LE + 128)
        (work / "unique").write_bytes(unique)
        try:
            self.tool("tpm2_createprimary", "-Q", "-C", "o", "-g", "sha256", "-G", "ecc256:aes128cfb",
                      "-a", "restricted|decrypt|fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda",
                      "-u", work / "unique", "-c", work / "primary.ctx")
            self.flush_transient()  # each tool reloads the saved contexts it needs; swtpm has 3 object slots
            self.tool("tpm2_load", "-Q", "-C", work / "primary.ctx", "-u", work / "pub", "-r", work / "priv",
                      "-c", work / "item.ctx")
            self.flush_transient()
            auth = []
            if lines["pcrs"] != "none":
                self.tool("tpm2_startauthsession", "--policy-session", "-S", work / "session.ctx")
                self.tool("tpm2_policypcr", "-Q", "-S", work / "session.ctx", "-l", lines["pcrs"])
                auth = ["-p", f"session:{work / 'session.ctx'}"]
            self.tool("tpm2_unseal", "-c", work / "item.ctx", *auth, "-o", work / "key")
            if auth:
                self.tool("tpm2_flushcontext", work / "session.ctx")
            return (work / "key").read_bytes()
        finally:
            self.tool("tpm2_flushcontext", "-t", check=False)
            self.tool("tpm2_flushcontext", "-s", check=False)
            shutil.rmtree(work, ignore_errors=True)


def _our_processes(root):
    """PIDs of live processes whose command line mentions ROOT (our swtpm state folders)."""
    needle = str(root).encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        if needle in cmdline and "\nState:\tZ" not in status:
            found.append(int(entry))
    return found


class SwtpmFactory:
    def __init__(self, root):
        self.root = Path(root)
        self.all = []

    def __call__(self, name=None, start=True):
        """A new TPM (fresh state: another device), started unless START is false."""
        t = Swtpm(self.root, name or f"tpm{len(self.all)}")
        self.all.append(t)
        return t.start() if start else t

    def stop_all(self):
        for t in self.all:
            t.stop()


@pytest.fixture(scope="module")
def swtpm_factory(tmp_path_factory):
    """swtpm_factory(name=None) -> a started Swtpm with a fresh state (a new device). All are stopped at the end
    of the module, which then fails if any swtpm of ours is still alive."""
    require_swtpm()
    factory = SwtpmFactory(tmp_path_factory.mktemp("swtpm"))
    yield factory
    factory.stop_all()
    left = _our_processes(factory.root)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"swtpm processes survived the tests: {left}"


@pytest.fixture(scope="module")
def tpm(swtpm_factory):
    """The TPM of the module's main device; tests that change its PCRs, stop it or fill its slots use their
    own (swtpm_factory)."""
    return swtpm_factory("main")


@pytest.fixture
def own_tpm(swtpm_factory):
    """A TPM for this test only, stopped at its end."""
    t = swtpm_factory()
    yield t
    t.stop()


def assert_no_handles(tpm, when):
    """Nothing ovseal loaded is left in the TPM (swtpm has no resource manager: whatever was not flushed stays)."""
    for kind in ("transient", "loaded-session", "saved-session"):
        left = tpm.handles(kind)
        assert left == [], f"{when}: handles-{kind} left in the TPM: {left}"


def assert_busy_then_recovers(cli, ih, t, device_dir, pub, between=None):
    """With all object slots taken, `device show` is tpm_busy (naming the fix); with two taken, the storage key is
    made but loading the identity fails, and ovseal flushes what it made; once freed, it works again.
    `between(t)` runs while all slots are taken."""
    t.fill_object_slots(3)
    r = cli("device", "show", device_dir, "--tcti", t.tcti)
    ih.assert_error(r, "tpm_busy", "slots")
    assert "tpm2_flushcontext" in r.error_message(), r.describe()
    if between is not None:
        between(t)
    assert len(t.handles("transient")) == 3
    t.flush_transient()
    assert cli.ok("device", "show", device_dir, "--tcti", t.tcti).stdout.strip() == pub
    t.fill_object_slots(2)
    fillers = t.handles("transient")
    assert len(fillers) == 2
    ih.assert_error(cli("device", "show", device_dir, "--tcti", t.tcti), "tpm_busy", "slots")
    assert t.handles("transient") == fillers, "ovseal left a handle behind after failing"
    assert t.handles("loaded-session") == []
    t.flush_transient()
    assert cli.ok("device", "show", device_dir, "--tcti", t.tcti).stdout.strip() == pub
    assert_no_handles(t, "after recovery")


def assert_pcr_policy_holds(cli, h, ih, wd, t, d, sealed, opens, expected, refused=None):
    """Device D's identity is bound to PCRs sha256:0,7 of T, and SEALED (sealed to it) opens with the options OPENS
    to outputs equal to EXPECTED: it does, also after a PCR outside the policy changes; a change to PCR 7 is
    tpm_policy_failed, naming the PCRs (`refused(r)` checks the refusal of `device show` further), and leaves no
    handle; after a restart it opens again; and PCR 0 is in the policy too."""
    out, _ = ih.run_outputs(wd, "o1", sealed, *opens)
    h.assert_same_outputs(expected, out)

    # A PCR outside the policy changes: still opens.
    t.extend_pcr(1)
    assert cli.ok("device", "show", d.dir, "--tcti", t.tcti).stdout.strip() == d.pub
    out, _ = ih.run_outputs(wd, "o2", sealed, *opens)
    h.assert_same_outputs(expected, out)

    # PCR 7 changes (another boot configuration): 26, naming the PCRs.
    t.extend_pcr(7)
    r = cli("device", "show", d.dir, "--tcti", t.tcti)
    ih.assert_error(r, "tpm_policy_failed", "PCR")
    assert "sha256:0,7" in r.error_message(), r.describe()
    if refused is not None:
        refused(r)
    ih.fails_both(wd, sealed, "tpm_policy_failed", "PCR", *opens)
    assert_no_handles(t, "after the policy failures")

    # swtpm starts with every PCR at zero (TPM2_Startup(CLEAR)): after a restart the policy holds again.
    t.restart()
    assert t.read_pcr(7) == "00" * 32, "swtpm did not reset PCR 7 on restart"
    out, _ = ih.run_outputs(wd, "o3", sealed, *opens)
    h.assert_same_outputs(expected, out)
    # PCR 0 is in the policy too.
    t.extend_pcr(0)
    ih.assert_error(cli("device", "show", d.dir, "--tcti", t.tcti), "tpm_policy_failed", "PCR")
    assert_no_handles(t, "after the PCR 0 failure")
