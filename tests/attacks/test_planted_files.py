# SPDX-License-Identifier: Apache-2.0
"""Attack: plant model files where OpenVINO might look for them, and watch every file a sealed load touches.

OpenVINO, given a model as a string, looks for a weights file named ".bin" in the working directory and uses it
instead of the weights it was handed. Whoever can write to an application's working directory (or beside the
sealed file, or into its home) plants weights of their own there. README promises that a sealed model is
authenticated before OpenVINO sees a byte and that a load touches no file but the sealed one: so under strace,
through every loading path, with crafted weights planted in all those places,

- the outputs are exactly the genuine model's;
- no path relative to the working directory is used, and nothing under the working directory, the sealed file's
  folder (but the sealed file) or $HOME is touched;
- every path touched is on an allowlist: the sealed file, the keys, OpenVINO's and the system's libraries and
  configuration, /proc, /sys, /dev (and, for `ovseal run`, the folder it is told to write outputs or a cache to).
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import FRONTEND, LOAD_PROBE, MODELS, OVSEAL, TRACE_BEGIN, TRACE_END, traced

STRACE = shutil.which("strace")
DENY_UNSHARE = os.environ.get("OVSEAL_DENY_UNSHARE", "")

# Calls whose first argument is a directory descriptor and the second a path (and, for the two-path ones, the
# third and fourth too); every other call of strace's %file class takes paths as plain arguments.
AT_CALLS = {"openat", "openat2", "newfstatat", "fstatat64", "statx", "faccessat", "faccessat2", "readlinkat",
            "mkdirat", "mknodat", "unlinkat", "fchmodat", "fchownat", "utimensat", "futimesat", "execveat",
            "name_to_handle_at", "inotify_add_watch"}
TWO_PATH_AT_CALLS = {"renameat", "renameat2", "linkat"}
TWO_PATH_CALLS = {"rename", "link"}


def split_arguments(text):
    """The top-level arguments of a strace call, as written (quotes and brackets respected)."""
    args, depth, current, quoted, escaped = [], 0, "", False, False
    for c in text:
        if quoted:
            current += c
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                quoted = False
            continue
        if c == '"':
            quoted = True
        elif c in "{[(":
            depth += 1
        elif c in "}])":
            if depth == 0:
                break  # the end of the call's argument list
            depth -= 1
        elif c == "," and depth == 0:
            args.append(current.strip())
            current = ""
            continue
        current += c
    args.append(current.strip())
    return args


def unquote(arg):
    if not (arg.startswith('"') and arg.endswith('"')):
        return None
    return arg[1:-1].encode().decode("unicode_escape")


def resolve(dirfd, path, cwd):
    """An absolute path, or "relative:PATH" for one resolved against the process's working directory. `cwd` is
    the calling thread's own working directory when it set one (chdir), else None."""
    if path.startswith("/"):
        return os.path.normpath(path)
    if dirfd is None or dirfd.startswith("AT_FDCWD"):
        return os.path.normpath(os.path.join(cwd, path)) if cwd else "relative:" + path
    match = re.match(r"-?\d+<(.*)>$", dirfd)
    if not match:
        return "relative:" + path  # a descriptor strace could not name: count it against the load
    return os.path.normpath(os.path.join(match.group(1), path))


def touched_paths(trace: Path, windowed: bool):
    """Every path the traced process named in a file call. If `windowed`, only between the two marker paths, by the
    thread that marks them and the threads it (or they) start meanwhile: not by threads an interpreter started
    earlier for business of its own (importing openvino starts a telemetry thread)."""
    paths, inside, cwds, counted = [], not windowed, {}, set()
    for line in trace.read_text(errors="replace").splitlines():
        spawn = re.match(r"^(\d+)\s+(?:<\.\.\. )?(?:clone3?|fork|vfork)\b.*= (\d+)\s*$", line)
        if spawn and inside and spawn.group(1) in counted:
            counted.add(spawn.group(2))
        match = re.match(r"^(\d+)\s+(\w+)\((.*)$", line)
        if not match:
            continue
        pid, call, args = match.group(1), match.group(2), split_arguments(match.group(3))
        if call == "chdir" and line.rstrip().endswith("= 0"):
            cwds[pid] = resolve(None, unquote(args[0]), cwds.get(pid))
        if call in AT_CALLS:
            pairs = [(args[0], args[1])] if len(args) > 1 else []
        elif call in TWO_PATH_AT_CALLS:
            pairs = [(args[0], args[1])] + ([(args[2], args[3])] if len(args) > 3 else [])
        elif call == "symlinkat":
            pairs = [(args[1], args[2])] if len(args) > 2 else []
        elif call in TWO_PATH_CALLS:
            pairs = [(None, a) for a in args[:2]]
        elif call == "symlink":
            pairs = [(None, args[1])] if len(args) > 1 else []
        elif call == "getcwd":
            continue  # its argument is what it returns, not a path it looks up
        else:
            pairs = [(None, args[0])] if args else []
        for dirfd, raw in pairs:
            path = unquote(raw)
            if path is None or path == "":
                continue  # a descriptor call (AT_EMPTY_PATH) or an argument that is not a path
            resolved = resolve(dirfd, path, cwds.get(pid))
            if resolved == TRACE_BEGIN:
                inside = True
                counted.add(pid)
            elif resolved == TRACE_END:
                inside = False
            elif inside and (not windowed or pid in counted):
                paths.append((call, resolved))
    return paths


def under(path, folder):
    folder = os.path.normpath(str(folder))
    return path == folder or path.startswith(folder + "/")


def allowlist(world, overlay, extra=()):
    places = ["/proc", "/sys", "/dev", "/lib", "/lib64", "/usr", "/etc/ld.so.cache", "/etc/ld.so.preload",
              "/etc/ssl", "/etc/localtime", sys.prefix, sys.base_prefix, str(Path(OVSEAL).resolve().parent),
              str(Path(LOAD_PROBE).resolve().parent), str(Path(FRONTEND).resolve().parent), str(overlay),
              str(world.root), *map(str, extra)]
    # The build's own libraries and programs (the frontend library, the probe) and the wheel behind the overlay.
    import openvino
    places.append(str(Path(openvino.__file__).resolve().parent))
    return [os.path.normpath(p) for p in places]


def crafted_weights():
    """The sample model's own weights with every value doubled: a load that used them would compute something
    else (and a file the size of the real one passes any size check)."""
    weights = np.fromfile(MODELS / "sample" / "model.bin", dtype=np.uint8).copy()
    as_float = weights[: len(weights) // 4 * 4].view(np.float32)
    as_float *= 2
    return weights.tobytes()


@pytest.fixture
def places(tmp_path, world):
    """A working directory, the sealed file's folder and a home, all full of planted weights."""
    cwd, folder, home = tmp_path / "cwd", tmp_path / "models", tmp_path / "home"
    for d in (cwd, folder, home):
        d.mkdir()
    planted = crafted_weights()
    for name in (".bin", "model.bin", "genuine.bin", "onnx.bin", "genuine.ovseal.bin"):
        for d in (cwd, folder, home):
            (d / name).write_bytes(planted)
    return cwd, folder, home


def check_trace(trace, windowed, sealed, cwd, folder, home, allowed, expected_probes=()):
    """`expected_probes`: paths that may be looked at (stat) but never opened."""
    paths = touched_paths(trace, windowed)
    assert paths, f"the trace {trace} shows no file access at all: it did not record the load"
    relative = sorted({p for _, p in paths if p.startswith("relative:")})
    assert not relative, f"paths resolved against the working directory: {relative}"
    probes = {os.path.normpath(str(p)) for p in expected_probes}
    forbidden = sorted({f"{call} {p}" for call, p in paths
                        if p != os.path.normpath(str(sealed)) and any(under(p, d) for d in (cwd, folder, home))
                        and not (p in probes and "stat" in call)})
    assert not forbidden, f"files touched in the working directory, the sealed file's folder or $HOME: {forbidden}"
    outside = sorted({f"{call} {p}" for call, p in paths
                      if p != os.path.normpath(str(sealed)) and not (p in probes and "stat" in call)
                      and not any(under(p, a) for a in allowed)
                      and not ("stat" in call and any(under(a, p) for a in allowed))})  # a look at a parent
    assert not outside, f"files touched outside the allowlist: {outside}"


pytestmark = pytest.mark.skipif(STRACE is None, reason="strace is not installed (scripts/setup.sh installs it)")


@pytest.mark.parametrize("model", ["genuine", "onnx"])
def test_planted_weights_change_nothing_and_the_load_touches_only_allowed_files(loader, world, overlay, reference,
                                                                                places, tmp_path, model):
    cwd, folder, home = places
    original = getattr(world, model)
    expected = reference(loader.path, original)
    sealed = folder / original.name
    shutil.copyfile(original, sealed)
    trace = tmp_path / "trace.txt"
    wrapper = [STRACE, "-f", "-qq", "-y", "-s", "4096", "-e", "trace=%file,clone,clone3,fork,vfork", "-o", str(trace)]
    results = loader.load(sealed, repeat=2, cwd=cwd, home=home, wrapper=wrapper)
    assert results == [("ok", expected)] * 2, "the planted weights changed what the sealed model computes"
    # An application that hands ov::Core a model path gets OpenVINO's own look (a stat, never an open) for a
    # weights file beside it; the ovseal frontend never reads one (docs/THREAT_MODEL.md).
    probes = [sealed.with_suffix(".bin")] if loader.path == "frontend" else []
    check_trace(trace, loader.path in ("frontend", "python"), sealed, cwd, folder, home, allowlist(world, overlay),
                probes)


@pytest.mark.parametrize("system, starts", [
    ("ordinary", ["stored", "hit"]),
    # A container runtime's default seccomp profile denies unshare: importing a compiled model (which reads the
    # model inside it from a string, and so looks for ".bin") cannot be sealed off, and the cache is not used.
    ("unshare denied", ["not stored", "not stored"]),
])
def test_sealed_cache_with_planted_weights(world, overlay, reference, places, tmp_path, system, starts):
    """`ovseal run --cache-dir` with weights planted everywhere: a first start stores an entry, a second imports
    it; both compute the genuine outputs and touch nothing but the sealed file, the keys and the cache folder."""
    cwd, folder, home = places
    sealed = folder / "genuine.ovseal"
    shutil.copyfile(world.genuine, sealed)
    cache = world.outputs / f"cache-{tmp_path.name}"
    wrapper = [DENY_UNSHARE] if system == "unshare denied" else []
    expected = reference("cli", world.genuine)
    for i, start in enumerate(starts):
        trace, out = tmp_path / f"trace-{i}.txt", world.outputs / f"cache-out-{tmp_path.name}-{i}"
        result = subprocess.run([*wrapper, STRACE, "-f", "-qq", "-y", "-s", "4096", "-e", "trace=%file,clone,clone3,fork,vfork", "-o",
                                 str(trace), OVSEAL, "run", str(sealed), "--identity", str(world.device), "--trust",
                                 str(world.trusted), "--cache-dir", str(cache), "--save-outputs", str(out)],
                                cwd=cwd, env=traced({**os.environ, "HOME": str(home)}), capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert re.search(rf"cache:\s+{start}", result.stdout), result.stdout + result.stderr
        digest = hashlib.sha256(b"".join(np.ascontiguousarray(np.load(f)).tobytes()
                                         for f in sorted(out.glob("*.npy")))).hexdigest()
        assert digest == expected, "the planted weights changed what the sealed model computes"
        check_trace(trace, False, sealed, cwd, folder, home, allowlist(world, overlay))


def test_the_trace_sees_a_plain_load_reading_beside_the_model(world, overlay, tmp_path):
    """The check itself: loading a plain IR reads its .bin beside the .xml, and the trace says so."""
    folder = tmp_path / "plain"
    shutil.copytree(MODELS / "sample", folder)
    trace = tmp_path / "trace.txt"
    subprocess.run([STRACE, "-f", "-qq", "-y", "-s", "4096", "-e", "trace=%file,clone,clone3,fork,vfork", "-o", str(trace), OVSEAL, "run",
                    str(folder / "model.xml")], cwd=tmp_path, env=traced(os.environ), capture_output=True, check=True)
    assert any(p == str(folder / "model.bin") for _, p in touched_paths(trace, False))
    with pytest.raises(AssertionError, match="sealed file's folder"):
        check_trace(trace, False, folder / "model.xml", tmp_path / "nowhere", folder, tmp_path / "nohome",
                    allowlist(world, overlay))


def test_a_fifo_in_place_of_the_sealed_file_is_refused_at_once(world, tmp_path):
    """A FIFO where the sealed file should be would block an open forever (nobody writes to it): refused as not a
    regular file, immediately."""
    fifo = tmp_path / "model.ovseal"
    os.mkfifo(fifo)
    result = subprocess.run([OVSEAL, "run", str(fifo), "--identity", str(world.device), "--trust",
                             str(world.trusted)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 3, result.stderr
    assert "not a regular file" in result.stderr


@pytest.mark.parametrize("which", ["key file", "trusted key", "identity", "license", "clock state", "key ring"])
def test_a_fifo_in_place_of_any_input_never_hangs_a_load(world, tmp_path, which):
    """A FIFO nobody writes to, put where a key, a license, a trusted key, an identity, the clock state or the key
    ring should be, reads as empty: a typed error (or a load that does without it), at once."""
    fifo = tmp_path / "planted"
    os.mkfifo(fifo)
    run = [OVSEAL, "run", str(world.genuine)]
    identity, trust = ["--identity", str(world.device)], ["--trust", str(world.trusted)]
    if which == "key file":
        cmd = run + ["-k", str(fifo)]
    elif which == "trusted key":
        cmd = run + identity + ["--trust", str(fifo)]
    elif which == "identity":
        device = tmp_path / "device"
        device.mkdir()
        os.mkfifo(device / "identity")
        shutil.copyfile(world.device / "identity.pub", device / "identity.pub")
        cmd = run + ["--identity", str(device)] + trust
    elif which == "license":
        cmd = run + identity + trust + ["--license", str(fifo)]
    elif which == "clock state":
        license = tmp_path / "x.lic"
        license.write_bytes(b"not a license")
        cmd = run + identity + trust + ["--license", str(license), "--clock-state", str(fifo)]
    else:
        cmd = [LOAD_PROBE, str(fifo), str(world.genuine)]
    result = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=60)
    assert result.returncode >= 0, result.stderr
    if which == "key ring":
        assert result.returncode == 1 and "load_probe: " in result.stderr and "key-ring" in result.stderr, \
            result.stderr
    else:
        assert result.returncode != 1 and (result.returncode == 0 or "ovseal: error:" in result.stderr), \
            result.stderr
