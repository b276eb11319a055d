"""No plaintext of a sealed model reaches the disk while it is run."""

import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

# The memory-hygiene tests (tests/memory) make processes dump core on purpose, with the marker model's bytes in
# a control heap copy, in folders named like this; ctest may run them at the same time as these tests.
HYGIENE_DIRS = os.path.join(tempfile.gettempdir(), "ovseal-hygiene-")


def files_under(root):
    for dirpath, _, filenames in os.walk(root, onerror=lambda e: None):
        for f in filenames:
            p = os.path.join(dirpath, f)
            if os.path.isfile(p) and not os.path.islink(p):
                yield p


def contains(path, needle):
    try:
        with open(path, "rb") as f:
            return needle in f.read()
    except OSError:
        return False


def test_run_sealed_writes_no_plaintext(cli, h, tmp_path_factory, secrets, seal, models):
    root = tmp_path_factory.mktemp("np")
    dirs = {name: root / name for name in ("tmp", "home", "cwd", "out", "sealed")}
    for d in dirs.values():
        d.mkdir()
    sealed = dirs["sealed"] / "m.ovseal"
    shutil.copyfile(seal("marker", "key1", "--chunk-size", h.SMALL_CHUNK), sealed)
    assert h.MARKER not in sealed.read_bytes()
    # The plaintext really holds the marker.
    assert models["marker"].with_suffix(".bin").read_bytes().count(h.MARKER) >= 1000

    env = h.base_env()
    env["TMPDIR"] = str(dirs["tmp"])
    env["HOME"] = str(dirs["home"])
    for var, sub in (("XDG_CACHE_HOME", ".cache"), ("XDG_CONFIG_HOME", ".config"),
                     ("XDG_DATA_HOME", ".local/share"), ("XDG_STATE_HOME", ".local/state")):
        env[var] = str(dirs["home"] / sub)
    env.pop("XDG_RUNTIME_DIR", None)

    start = time.time() - 1.0
    cli.ok("run", sealed, "-d", "CPU", "--key-file", secrets.key1, "--save-outputs", dirs["out"],
           env=env, cwd=dirs["cwd"])
    assert sorted(p.name for p in dirs["out"].iterdir()) == ["logits.npy"]
    y = np.load(dirs["out"] / "logits.npy")
    assert y.shape == (1, 10) and np.all(np.isfinite(y))

    leaks = []
    scanned = 0
    # Everything in the fresh directories (all of it written during the run, or the sealed file itself).
    for d in dirs.values():
        for p in files_under(d):
            scanned += 1
            if contains(p, h.MARKER):
                leaks.append(p)
    # Anything the run may have written to the usual shared places despite TMPDIR.
    # (Other pytest sessions' directories hold plain test models of their own: skip them.)
    pytest_dirs = str(tmp_path_factory.getbasetemp().parent) + os.sep
    for d in ("/tmp", "/var/tmp", "/dev/shm"):
        if not os.path.isdir(d):
            continue
        for p in files_under(d):
            if p.startswith(pytest_dirs) or p.startswith(HYGIENE_DIRS):
                continue
            try:
                st = os.stat(p)
            except OSError:
                continue
            if st.st_mtime >= start and st.st_size <= 256 * 2**20 and contains(p, h.MARKER):
                leaks.append(p)
    assert scanned >= 2
    assert leaks == [], f"plaintext marker found on disk after the run: {leaks}"
    # And the sealed file was not changed.
    assert sealed.read_bytes() == seal("marker", "key1", "--chunk-size", h.SMALL_CHUNK).read_bytes()


def test_seal_with_conversion_writes_no_plaintext(cli, h, tmp_path_factory, secrets):
    """An ONNX model with external data is converted to IR in memory: the converted IR, whose weights hold the
    marker, never reaches a file."""
    from format_models import EXTERNAL_DATA, onnx_external

    root = tmp_path_factory.mktemp("np")
    dirs = {name: root / name for name in ("tmp", "home", "cwd", "out")}
    for d in dirs.values():
        d.mkdir()
    model = onnx_external(root / "model", marker=True)
    originals = {model, model.parent / EXTERNAL_DATA}
    assert h.MARKER not in model.read_bytes()
    assert (model.parent / EXTERNAL_DATA).read_bytes().count(h.MARKER) >= 1000

    env = h.base_env()
    env["TMPDIR"] = str(dirs["tmp"])
    env["HOME"] = str(dirs["home"])
    env.pop("XDG_RUNTIME_DIR", None)
    start = time.time() - 1.0
    sealed = dirs["out"] / "m.ovseal"
    r = cli.ok("seal", model, "-o", sealed, "--key-file", secrets.key1, "--chunk-size", h.SMALL_CHUNK,
               env=env, cwd=dirs["cwd"])
    assert "Converted to OpenVINO IR" in r.stdout
    assert h.MARKER not in r.stdout_bytes and h.MARKER not in r.stderr_bytes
    # The sealed IR holds the marker: the conversion really carried the weights.
    out = dirs["out"] / "outputs"
    out.mkdir()
    cli.ok("run", sealed, "-d", "CPU", "--key-file", secrets.key1, "--save-outputs", out)
    assert np.load(out / "marker.npy").tobytes().count(h.MARKER) == 1024
    (out / "marker.npy").unlink()

    leaks = []
    for p in files_under(root):
        if Path(p) not in originals and contains(p, h.MARKER):
            leaks.append(p)
    pytest_dirs = str(tmp_path_factory.getbasetemp().parent) + os.sep
    for d in ("/tmp", "/var/tmp", "/dev/shm"):
        if not os.path.isdir(d):
            continue
        for p in files_under(d):
            if p.startswith(pytest_dirs) or p.startswith(HYGIENE_DIRS):
                continue
            try:
                st = os.stat(p)
            except OSError:
                continue
            if st.st_mtime >= start and st.st_size <= 256 * 2**20 and contains(p, h.MARKER):
                leaks.append(p)
    assert leaks == [], f"plaintext marker found on disk after sealing: {leaks}"
