# SPDX-License-Identifier: Apache-2.0
"""Memory hygiene seen from outside: a process holding a sealed model (hygiene_probe) as an unprivileged user
with a small RLIMIT_MEMLOCK. As root, mlock never fails and any process's memory is readable, so these tests
drop privileges first: to user nobody (65534) when nobody can reach the binaries, else to root without any
capability (which is just as unprivileged for ptrace, /proc/PID/mem and mlock limits).

- hardening on (the default): the process is non-dumpable while it holds the model, so abort() leaves no core
  and another process of the same user cannot read /proc/PID/mem, also after the model is released (OpenVINO's
  copies stay in the memory it frees);
- hardening off (OVSEAL_HARDEN=0): a core is written, and it does not hold the model's marker bytes
  (MADV_DONTDUMP), while a control copy of the same bytes in ordinary heap memory does show up;
- a small RLIMIT_MEMLOCK: one warning, the model still loads and runs; a large one: the weights are locked;
- OVSEAL_MLOCKALL=1: the whole process is locked, for good (or one warning when the limit is too small).
"""

import itertools
import os
import resource
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

PROBE = os.environ.get("OVSEAL_PROBE", "")
OVSEAL = os.environ.get("OVSEAL_BIN", "")
MODELS = Path(os.environ.get("OVSEAL_TEST_MODELS", ""))
MARKER = b"OVSEAL-PLAINTEXT-MARKER-7f3a9c2e"
NOBODY = 65534
POOL_KB = 256  # src/memory/locked_region.cpp keeps up to 64 wiped single pages (4 KiB) for reuse
SMALL_MEMLOCK = 64 * 1024
# The largest limit this process may give its children (raising the hard limit needs CAP_SYS_RESOURCE, which a
# container's root often lacks); the marker model's weights (about 400 KiB) need far less.
LARGE_MEMLOCK = resource.getrlimit(resource.RLIMIT_MEMLOCK)[1]


def _drop_privileges_command():
    """The setpriv prefix that makes a child unprivileged, and who it runs as."""
    if os.geteuid() != 0:
        return [], f"uid {os.geteuid()} (not root)"
    base = ["setpriv", "--inh-caps=-all", "--bounding-set=-all"]
    as_nobody = base[:1] + ["--reuid", str(NOBODY), "--regid", str(NOBODY), "--clear-groups"] + base[1:]
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is missing")
    probe_ok = subprocess.run(as_nobody + ["test", "-x", PROBE], check=False).returncode == 0
    libs_ok = subprocess.run(as_nobody + ["test", "-r", str(MODELS / "marker" / "model.xml")], check=False).returncode == 0
    if probe_ok and libs_ok:
        return as_nobody, "user nobody, no capabilities"
    return base, "root without any capability (nobody cannot reach the build folder)"


@pytest.fixture(scope="module")
def unprivileged():
    if not PROBE or not OVSEAL:
        pytest.skip("OVSEAL_PROBE and OVSEAL_BIN are set by ctest")
    prefix, who = _drop_privileges_command()
    print(f"memory hygiene tests run as {who}")
    return prefix


@pytest.fixture(scope="module")
def shared_dir():
    """A folder under /tmp that the unprivileged user can reach (pytest's own tmp folders are private)."""
    d = Path(tempfile.mkdtemp(prefix="ovseal-hygiene-"))
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


_counter = itertools.count()


@pytest.fixture
def workdir(shared_dir):
    """A fresh folder the unprivileged probe can write its core file into."""
    def make():
        d = shared_dir / f"cwd{next(_counter)}"
        d.mkdir()
        os.chmod(d, 0o777)
        return d
    return make


@pytest.fixture(scope="module")
def sealed(shared_dir):
    """The marker model (its .bin holds MARKER 8192 times) sealed to a key, in a folder anyone can read."""
    d = shared_dir
    key, out = d / "k.key", d / "marker.ovseal"
    subprocess.run([OVSEAL, "keygen", "-o", key], check=True, capture_output=True)
    subprocess.run([OVSEAL, "seal", MODELS / "marker" / "model.xml", "-o", out, "-k", key], check=True,
                   capture_output=True)
    os.chmod(key, 0o644)  # a test key, read by the unprivileged probe
    assert (MODELS / "marker" / "model.bin").read_bytes().count(MARKER) >= 1000
    return out, key


def _limits(memlock):
    def apply():
        resource.setrlimit(resource.RLIMIT_MEMLOCK, (memlock, memlock))
    return apply


def _core_pattern_is_plain_file():
    pattern = Path("/proc/sys/kernel/core_pattern").read_text().strip()
    return not pattern.startswith("|") and "/" not in pattern, pattern


def _run_probe(unprivileged, sealed, mode, cwd, env_extra=(), memlock=LARGE_MEMLOCK, extra_args=()):
    env = dict(os.environ, **dict(env_extra))
    return subprocess.run(unprivileged + [PROBE, sealed[0], sealed[1], mode, *extra_args], cwd=cwd, env=env,
                          capture_output=True, text=True, preexec_fn=_limits(memlock), timeout=120, check=False)


def _field(line, name):
    return int(line.split(f"{name}=")[1].split()[0])


def _core_file(cwd):
    cores = [p for p in cwd.iterdir() if p.name == "core" or p.name.startswith("core.")]
    return cores[0] if cores else None


# ---------------------------------------------------------------------------------------------------------
# Core dumps

def test_no_core_while_a_sealed_model_is_held(unprivileged, sealed, workdir):
    plain_file, pattern = _core_pattern_is_plain_file()
    if not plain_file:
        pytest.skip(f"core_pattern is {pattern!r}: cores do not land in the working folder here")
    cwd = workdir()
    r = _run_probe(unprivileged, sealed, "abort", cwd)
    assert r.returncode == -6, f"the probe should abort (SIGABRT): {r.returncode}\n{r.stdout}{r.stderr}"
    assert "held" in r.stdout and _field(r.stdout, "dumpable") == 0, r.stdout
    assert _core_file(cwd) is None, "a non-dumpable process left a core file"


def test_without_hardening_the_core_has_no_model_bytes(unprivileged, sealed, workdir):
    plain_file, pattern = _core_pattern_is_plain_file()
    if not plain_file:
        pytest.skip(f"core_pattern is {pattern!r}: cores do not land in the working folder here")
    # Control: the same bytes in ordinary heap memory are found in the core, so the scan below can fail.
    cwd = workdir()
    control = _run_probe(unprivileged, sealed, "abort", cwd, {"OVSEAL_HARDEN": "0"},
                         extra_args=[MODELS / "marker" / "model.bin"])
    assert _field(control.stdout, "dumpable") == 1, control.stdout
    core = _core_file(cwd)
    assert core is not None, "no core file although the process was dumpable\n" + control.stdout + control.stderr
    assert core.read_bytes().count(MARKER) >= 1000, "the control copy of the marker is missing from the core"

    cwd = workdir()
    r = _run_probe(unprivileged, sealed, "abort", cwd, {"OVSEAL_HARDEN": "0"})
    core = _core_file(cwd)
    assert core is not None, "no core file although the process was dumpable\n" + r.stdout + r.stderr
    data = core.read_bytes()
    assert len(data) > 1 << 20
    assert MARKER not in data, "the model's plaintext marker is in the core file: MADV_DONTDUMP did not hold"


# ---------------------------------------------------------------------------------------------------------
# Another process of the same user

def _read_other_process(unprivileged, pid):
    """Tries to read the first mapped bytes of /proc/PID/mem as the same unprivileged user."""
    code = ("import sys\n"
            "pid = int(sys.argv[1])\n"
            "try:\n"
            "    start = open(f'/proc/{pid}/maps').readline().split()[0].split('-')[0]\n"
            "    with open(f'/proc/{pid}/mem', 'rb') as mem:\n"
            "        mem.seek(int(start, 16)); mem.read(16)\n"
            "    print('read')\n"
            "except OSError as e:\n"
            "    print('denied', e.errno)\n")
    # The system's Python: the user's own (pyenv, a virtualenv) may sit where the unprivileged user cannot go.
    python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else shutil.which("python3")
    r = subprocess.run(unprivileged + [python, "-c", code, str(pid)], capture_output=True, text=True,
                       check=False, timeout=30)
    return (r.stdout + r.stderr).strip()


@pytest.mark.parametrize("harden", [True, False])
def test_proc_mem_of_a_holding_process(unprivileged, sealed, workdir, harden):
    env = dict(os.environ, **({} if harden else {"OVSEAL_HARDEN": "0"}))
    probe = subprocess.Popen(unprivileged + [PROBE, sealed[0], sealed[1], "wait"], cwd=workdir(),
                             env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, preexec_fn=_limits(LARGE_MEMLOCK))
    try:
        held = probe.stdout.readline()
        assert held.startswith("held"), held + probe.stderr.read()
        pid = _field(held, "pid")
        seen = _read_other_process(unprivileged, pid)
        if harden:
            assert _field(held, "dumpable") == 0
            assert seen.startswith("denied"), f"/proc/{pid}/mem was readable while the model was held: {seen}"
        else:
            assert _field(held, "dumpable") == 1
            assert seen == "read", f"control: a dumpable process's memory should be readable: {seen}"
        probe.stdin.write("release\n")
        probe.stdin.flush()
        released = probe.stdout.readline()
        assert released.startswith("released"), released
        # After the model is released OpenVINO's copies (repacked weights, the XML's DOM) stay in memory it freed,
        # unwiped: the process stays as hardened as it was, and its memory as unreadable.
        assert _field(released, "dumpable") == (0 if harden else 1), released
        seen_after = _read_other_process(unprivileged, pid)
        if harden:
            assert seen_after.startswith("denied"), f"/proc/{pid}/mem was readable after release: {seen_after}"
        # Only the small pool of wiped single pages that ovseal reuses for keys stays locked.
        assert _field(released, "vmlck_kb") <= POOL_KB, f"locked memory left after release: {released}"
        probe.stdin.write("exit\n")
        probe.stdin.flush()
        assert probe.wait(timeout=60) == 0
    finally:
        if probe.poll() is None:
            probe.kill()
            probe.wait()


# ---------------------------------------------------------------------------------------------------------
# Locking limits

def test_small_memlock_warns_once_and_still_runs(unprivileged, sealed, workdir):
    r = _run_probe(unprivileged, sealed, "wait", workdir(), memlock=SMALL_MEMLOCK)
    assert r.returncode == 0, r.stdout + r.stderr
    warnings = [ln for ln in r.stderr.splitlines() if "warning" in ln and "lock" in ln]
    assert len(warnings) == 1, f"expected one locking warning, got: {r.stderr!r}"
    assert "RLIMIT_MEMLOCK" in warnings[0] or "ulimit" in warnings[0], warnings[0]


def test_large_memlock_locks_the_weights(unprivileged, sealed, workdir):
    r = _run_probe(unprivileged, sealed, "wait", workdir())
    assert r.returncode == 0, r.stdout + r.stderr
    held = r.stdout.splitlines()[0]
    bin_kb = (MODELS / "marker" / "model.bin").stat().st_size // 1024
    assert _field(held, "vmlck_kb") >= bin_kb, f"weights not locked: {held} (model.bin is {bin_kb} KiB)"
    assert "warning" not in r.stderr, r.stderr


def test_mlockall_opt_in(unprivileged, sealed, workdir):
    # Locking a whole OpenVINO process needs CAP_IPC_LOCK (its mappings far exceed any usual RLIMIT_MEMLOCK):
    # this part runs with the test's own privileges, and is skipped without that capability.
    with open("/proc/self/status") as status:
        cap_eff = int(next(ln for ln in status if ln.startswith("CapEff:")).split()[1], 16)
    if not cap_eff & (1 << 14):  # CAP_IPC_LOCK
        pytest.skip("locking a whole process needs CAP_IPC_LOCK, which this test process lacks")
    plain = _run_probe([], sealed, "wait", workdir())
    locked = _run_probe([], sealed, "wait", workdir(), {"OVSEAL_MLOCKALL": "1"})
    assert locked.returncode == 0, locked.stdout + locked.stderr
    assert _field(locked.stdout.splitlines()[0], "vmlck_kb") > 4 * _field(plain.stdout.splitlines()[0], "vmlck_kb"), \
        f"OVSEAL_MLOCKALL=1 should lock much more than the weights: {plain.stdout!r} vs {locked.stdout!r}"
    # Released: still locked, since the memory OpenVINO freed may still hold copies of the model.
    assert _field(locked.stdout.splitlines()[1], "vmlck_kb") > 4 * _field(plain.stdout.splitlines()[0], "vmlck_kb"), \
        locked.stdout


def test_mlockall_without_the_means_warns_and_runs(unprivileged, sealed, workdir):
    small = _run_probe(unprivileged, sealed, "wait", workdir(), {"OVSEAL_MLOCKALL": "1"},
                       memlock=SMALL_MEMLOCK)
    assert small.returncode == 0, small.stdout + small.stderr
    assert "could not lock all process memory" in small.stderr, small.stderr
