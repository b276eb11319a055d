# SPDX-License-Identifier: Apache-2.0
"""The attack tests: each one attacks a promise of README.md or docs/THREAT_MODEL.md the way an attacker would,
through every way a sealed model is loaded:

- ``cli``: ``ovseal run`` (one process per load);
- ``cpp``: an application of the C++ API (tests/attacks/load_probe.cpp, many loads in one process);
- ``frontend``: an unmodified OpenVINO application (plain ``openvino`` in Python, ``core.compile_model(path)``),
  which finds the ovseal frontend beside OpenVINO's libraries and its keys through OVSEAL_KEYRING;
- ``python``: the ``ovseal`` Python package (``ovseal.compile_model``).

Every load reports ``("ok", digest of the outputs)`` or ``("error", code)``; a load that ends any other way (a
crash, a sanitizer report, an exception that is not an ovseal error) fails the test that caused it.

Needs OVSEAL_BIN, OVSEAL_LOAD_PROBE, OVSEAL_FRONTEND and OVSEAL_TEST_MODELS (set by ctest). With
OVSEAL_SANITIZED=1 (the ASan build) the Python paths are left out: they would load sanitized code into a Python
without the sanitizer runtime.
"""

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "frontend"))
from openvino_overlay import make_overlay  # noqa: E402

OVSEAL = os.environ.get("OVSEAL_BIN", "")
LOAD_PROBE = os.environ.get("OVSEAL_LOAD_PROBE", "")
FRONTEND = os.environ.get("OVSEAL_FRONTEND", "")
MODELS = Path(os.environ.get("OVSEAL_TEST_MODELS", "/nonexistent"))
SANITIZED = os.environ.get("OVSEAL_SANITIZED") == "1"

PATHS = ["cli", "cpp"] if SANITIZED else ["cli", "cpp", "frontend", "python"]

pytestmark = pytest.mark.skipif(not (OVSEAL and LOAD_PROBE and FRONTEND and MODELS.is_dir()),
                                reason="run through ctest (OVSEAL_BIN, OVSEAL_LOAD_PROBE, OVSEAL_FRONTEND, "
                                       "OVSEAL_TEST_MODELS)")

# The ovseal error codes of docs/FORMAT.md §10 that the tests name.
CODES = {"internal": 1, "usage": 2, "io": 3, "not_ovseal_file": 4, "unsupported_version": 5, "malformed_header": 6,
         "no_matching_key": 7, "header_auth_failed": 8, "payload_auth_failed": 9, "truncated": 10,
         "trailing_data": 11, "model_rejected": 13, "signature_required": 15, "untrusted_signer": 16,
         "bad_signature": 17}


def ovseal(*args, **kw):
    result = subprocess.run([OVSEAL, *map(str, args)], capture_output=True, text=True, **kw)
    assert result.returncode == 0, f"ovseal {' '.join(map(str, args))}: {result.stdout}{result.stderr}"
    return result


# ---------------------------------------------------------------------------------------------------------
# The world: a publisher, an attacker and a device

class World:
    """Keys, a device, and two sealed models of the same shape sealed to that device: `genuine`, signed by the
    publisher the device trusts, and `forged`, sealed by an attacker who knows the device's public key and signed
    with the attacker's own key."""

    def __init__(self, root: Path):
        self.root = root
        self.keys = root / "keys"
        self.keys.mkdir()
        ovseal("keygen", "--signing", "-o", self.keys / "publisher.key")
        ovseal("keygen", "--signing", "-o", self.keys / "attacker.key")
        ovseal("device", "init", "-o", self.keys / "device")
        self.device = self.keys / "device"
        self.trusted = self.keys / "publisher.key.pub"
        self.keyring = self.keys / "device.json"
        self.keyring.write_text(json.dumps({"version": 1, "identities": [str(self.device)],
                                            "trust": [str(self.trusted)]}))
        # A key ring that trusts the attacker: what the forged model would compute if it were ever accepted.
        self.attacker_keyring = self.keys / "attacker.json"
        self.attacker_keyring.write_text(json.dumps({"version": 1, "identities": [str(self.device)],
                                                     "trust": [str(self.keys / "attacker.key.pub")]}))
        self.originals = root / "originals"
        self.originals.mkdir()
        device_pub = self.device / "identity.pub"
        self.genuine = self.originals / "genuine.ovseal"
        self.forged = self.originals / "forged.ovseal"
        ovseal("seal", MODELS / "sample" / "model.xml", "-R", device_pub, "--sign", self.keys / "publisher.key",
               "--chunk-size", "65536", "-o", self.genuine)
        ovseal("seal", MODELS / "cnn" / "model.xml", "-R", device_pub, "--sign", self.keys / "attacker.key",
               "--chunk-size", "65536", "-o", self.forged)
        self.onnx = self.originals / "onnx.ovseal"
        ovseal("seal", MODELS / "onnx" / "model.onnx", "-R", device_pub, "--sign", self.keys / "publisher.key",
               "-o", self.onnx)
        self.outputs = root / "outputs"
        self.outputs.mkdir()

    def public_key_bytes(self, pub: Path) -> bytes:
        """The 32 bytes of a publisher key's text form (docs/FORMAT.md §14)."""
        import base64
        text = next(line for line in pub.read_text().splitlines() if line and not line.startswith("#"))
        body = text.split(":", 1)[1]
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))[:32]


@pytest.fixture(scope="session")
def world(tmp_path_factory):
    return World(tmp_path_factory.mktemp("world"))


@pytest.fixture(scope="session")
def overlay(tmp_path_factory):
    """A folder for PYTHONPATH whose openvino package is the wheel's plus the frontend (tests/frontend)."""
    return make_overlay(tmp_path_factory.mktemp("site"), Path(FRONTEND))


# ---------------------------------------------------------------------------------------------------------
# Loading through each path

# Loads the model REPEAT times; one line per load, as load_probe prints them. The frontend application knows
# nothing of ovseal: its errors are OpenVINO exceptions whose text carries "ovseal error CODE (NAME)".
FRONTEND_APP = r"""
import hashlib, os, re, sys
import numpy as np
import openvino as ov
sealed, repeat = sys.argv[1], int(sys.argv[2])
core = ov.Core()
os.path.exists("/ovseal-trace-begin")
for _ in range(repeat):
    try:
        compiled = core.compile_model(sealed, "CPU")
        x = np.random.default_rng(7).standard_normal(tuple(compiled.input(0).shape)).astype(np.float32)
        out = compiled(x)[0]
        print("ok", hashlib.sha256(np.ascontiguousarray(out).tobytes()).hexdigest(), flush=True)
    except RuntimeError as e:
        m = re.search(r"ovseal error (\d+) ", str(e))
        print("error", m.group(1) if m else "unrecognised: " + str(e).replace("\n", " ")[:300], flush=True)
os.path.exists("/ovseal-trace-end")
"""

PYTHON_APP = r"""
import hashlib, json, os, sys
import numpy as np
import openvino as ov
import ovseal
sealed, keyring, repeat = sys.argv[1], json.load(open(sys.argv[2])), int(sys.argv[3])
core = ov.Core()
os.path.exists("/ovseal-trace-begin")
for _ in range(repeat):
    try:
        compiled = ovseal.compile_model(core, sealed, "CPU", identity=keyring["identities"], trust=keyring["trust"])
        x = np.random.default_rng(7).standard_normal(tuple(compiled.input(0).shape)).astype(np.float32)
        out = compiled(x)[0]
        print("ok", hashlib.sha256(np.ascontiguousarray(out).tobytes()).hexdigest(), flush=True)
    except ovseal.Error as e:
        print("error", e.code, flush=True)
os.path.exists("/ovseal-trace-end")
"""

# The marker paths above are never there; the tests find them in a trace, around the loads (Python's own start
# and imports come before them).
TRACE_BEGIN, TRACE_END = "/ovseal-trace-begin", "/ovseal-trace-end"


def traced(env):
    """`env` for a process run under strace: LeakSanitizer cannot work under ptrace, so in the sanitizer build it is
    off there (the untraced tests still check for leaks); AddressSanitizer stays on."""
    env = dict(env)
    if SANITIZED:
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":detect_leaks=0"
    return env


def parse_lines(text):
    results = []
    for line in text.splitlines():
        if line.startswith("ok "):
            results.append(("ok", line.split()[1]))
        elif line.startswith("error "):
            field = line.split()[1]
            assert field.isdigit(), f"a load failed in a way that is not an ovseal error: {line}"
            results.append(("error", int(field)))
    return results


class Loader:
    """Runs loads through one path. `wrapper` is a command to run the process under (strace)."""

    def __init__(self, path, world, overlay):
        self.path = path
        self.world = world
        self.overlay = overlay

    def env(self, home=None, keyring=None):
        env = dict(os.environ)
        env.pop("OVSEAL_KEYRING", None)
        if home is not None:
            env["HOME"] = str(home)
        if self.path == "frontend":
            env["PYTHONPATH"] = str(self.overlay)
            env["OVSEAL_KEYRING"] = str(keyring or self.world.keyring)
        return env

    def command(self, sealed, repeat, keyring, out):
        if self.path == "cpp":
            return [LOAD_PROBE, str(keyring), str(sealed), str(repeat)]
        if self.path == "frontend":
            return [sys.executable, "-P", "-c", FRONTEND_APP, str(sealed), str(repeat)]
        if self.path == "python":
            return [sys.executable, "-P", "-c", PYTHON_APP, str(sealed), str(keyring), str(repeat)]
        ring = json.loads(Path(keyring).read_text())
        return [OVSEAL, "run", str(sealed), "--identity", ring["identities"][0], "--trust", ring["trust"][0],
                "--save-outputs", str(out)]

    def load(self, sealed, repeat=1, keyring=None, cwd=None, home=None, wrapper=(), timeout=600):
        """The results of `repeat` loads of `sealed`."""
        keyring = keyring or self.world.keyring
        if self.path != "cli":
            env = traced(self.env(home, keyring)) if wrapper else self.env(home, keyring)
            proc = subprocess.run([*wrapper, *self.command(sealed, repeat, keyring, None)], capture_output=True,
                                  text=True, errors="replace", cwd=cwd, env=env, timeout=timeout)
            assert proc.returncode == 0, f"{self.path} loader ended with {proc.returncode}:\n{proc.stdout}\n{proc.stderr[-4000:]}"
            results = parse_lines(proc.stdout)
            assert len(results) == repeat, proc.stdout + proc.stderr[-4000:]
            return results
        results = []
        for i in range(repeat):
            out = Path(tempfile.mkdtemp(prefix="cli-", dir=self.world.outputs))  # fresh: no earlier run's files
            proc = subprocess.run([*wrapper, *self.command(sealed, 1, keyring, out)], capture_output=True, text=True,
                                  errors="replace", cwd=cwd, env=traced(self.env(home)) if wrapper else self.env(home),
                                  timeout=timeout,
                                  stdin=subprocess.DEVNULL, start_new_session=True)
            assert proc.returncode >= 0, f"ovseal run was killed by signal {-proc.returncode}:\n{proc.stderr}"
            if proc.returncode == 0:
                digest = hashlib.sha256()
                for npy in sorted(out.glob("*.npy")):
                    digest.update(np.ascontiguousarray(np.load(npy)).tobytes())
                results.append(("ok", digest.hexdigest()))
            else:
                assert "ovseal: error:" in proc.stderr, f"ovseal run failed without an ovseal error:\n{proc.stderr}"
                results.append(("error", proc.returncode))
        return results


@pytest.fixture(scope="session", params=PATHS)
def loader(request, world, overlay):
    return Loader(request.param, world, overlay)


class References:
    """The digest of a pristine sealed model's outputs through one path, computed once."""

    def __init__(self, world, overlay):
        self.world = world
        self.overlay = overlay
        self.known = {}

    def __call__(self, path, sealed, keyring=None):
        key = (path, str(sealed), str(keyring))
        if key not in self.known:
            [(status, digest)] = Loader(path, self.world, self.overlay).load(sealed, keyring=keyring)
            assert status == "ok", f"the pristine {sealed.name} did not load through {path}: error {digest}"
            self.known[key] = digest
        return self.known[key]


@pytest.fixture(scope="session")
def reference(world, overlay):
    return References(world, overlay)
