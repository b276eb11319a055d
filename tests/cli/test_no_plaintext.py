# SPDX-License-Identifier: Apache-2.0
"""No plaintext of a sealed model reaches the disk while it is run."""

import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

def other_tests_places():
    """Where other tests that ctest runs beside these ones write the marker on purpose: the memory-hygiene tests'
    core files (tests/memory), and the build, where the unit tests keep their temporary folders and the test
    models live (it may itself be under /tmp)."""
    places = [os.path.join(tempfile.gettempdir(), "ovseal-hygiene-")]
    if os.environ.get("OVSEAL_BIN"):  # build/tools/ovseal/ovseal
        places.append(str(Path(os.environ["OVSEAL_BIN"]).resolve().parents[2]) + os.sep)
    return tuple(places)


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


def shared_files_with(needle, since, tmp_path_factory):
    """Files in /tmp, /var/tmp and /dev/shm changed since `since` that hold `needle`. Other pytest sessions'
    folders hold plain test models of their own; the other tests' places (above) are skipped too."""
    skipped = (str(tmp_path_factory.getbasetemp().parent) + os.sep,) + other_tests_places()
    found = []
    for d in ("/tmp", "/var/tmp", "/dev/shm"):
        if not os.path.isdir(d):
            continue
        for p in files_under(d):
            if p.startswith(skipped):
                continue
            try:
                st = os.stat(p)
            except OSError:
                continue
            if st.st_mtime >= since and st.st_size <= 256 * 2**20 and contains(p, needle):
                found.append(p)
    return found


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
    leaks += shared_files_with(h.MARKER, start, tmp_path_factory)
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
    leaks += shared_files_with(h.MARKER, start, tmp_path_factory)
    assert leaks == [], f"plaintext marker found on disk after sealing: {leaks}"
