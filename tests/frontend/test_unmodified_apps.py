# SPDX-License-Identifier: Apache-2.0
"""Unmodified OpenVINO applications load sealed models through the ovseal frontend.

Each "application" is a fresh Python process that imports openvino and nothing of ovseal: a short script with
ov.Core().read_model / compile_model, and the wheel's own benchmark_app. OpenVINO finds frontends in the folder
of the libopenvino it loaded, so every process gets an openvino package made of symbolic links to the wheel's
files whose libs/ folder also holds the frontend (PYTHONPATH puts it first); the wheel itself is left alone.
Keys come from a key-ring file named by OVSEAL_KEYRING.

Needs OVSEAL_BIN (the CLI, to seal), OVSEAL_FRONTEND (the built library) and OVSEAL_TEST_MODELS (the models of
samples/make_models.py), all set by ctest.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from openvino_overlay import make_overlay

OVSEAL = os.environ.get("OVSEAL_BIN", "")
FRONTEND = os.environ.get("OVSEAL_FRONTEND", "")
MODELS = Path(os.environ.get("OVSEAL_TEST_MODELS", "/nonexistent"))
BENCHMARK_APP = Path(sys.executable).parent / "benchmark_app"

pytestmark = pytest.mark.skipif(not (OVSEAL and FRONTEND and MODELS.is_dir()),
                                reason="run through ctest (OVSEAL_BIN, OVSEAL_FRONTEND, OVSEAL_TEST_MODELS)")

# An application that knows nothing of ovseal: the plain model and the sealed one, by both OpenVINO entry points,
# with the same inputs; the outputs must be equal bit for bit.
APP = r"""
import sys
import numpy as np
import openvino as ov

plain, sealed = sys.argv[1:3]
core = ov.Core()
reference = core.compile_model(plain, "CPU")
x = np.random.default_rng(7).standard_normal(tuple(reference.input(0).shape)).astype(np.float32)
expected = reference(x)[0]
try:
    by_read = core.compile_model(core.read_model(sealed), "CPU")(x)[0]
    by_path = core.compile_model(sealed, "CPU")(x)[0]
except RuntimeError as e:
    print("RuntimeError:", e)
    sys.exit(3)
assert by_read.tobytes() == expected.tobytes(), "read_model: outputs differ"
assert by_path.tobytes() == expected.tobytes(), "compile_model: outputs differ"
print("same outputs", expected.shape)
"""


def run(cmd, env, **kwargs):
    result = subprocess.run([str(c) for c in cmd], env=env, capture_output=True, text=True, errors="replace",
                            timeout=600, **kwargs)
    assert result.returncode >= 0, f"{cmd[0]} crashed: {result.stderr}"
    return result


@pytest.fixture(scope="module")
def overlay(tmp_path_factory):
    """A folder for PYTHONPATH whose openvino package is the wheel's plus the frontend in openvino/libs."""
    return make_overlay(tmp_path_factory.mktemp("site"), Path(FRONTEND))


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """Models sealed three ways, and key-ring files for them."""
    d = tmp_path_factory.mktemp("work")
    ok = lambda *args: subprocess.run([OVSEAL, *map(str, args)], check=True, capture_output=True)  # noqa: E731
    ok("keygen", "-o", d / "model.key")
    ok("keygen", "-o", d / "other.key")
    ok("seal", MODELS / "mlp" / "model.xml", "-k", d / "model.key", "-o", d / "mlp.ovseal")
    ok("seal", MODELS / "onnx" / "model.onnx", "-k", d / "model.key", "-o", d / "onnx.ovseal")
    # Sealed to a device identity and signed by a publisher the device trusts.
    ok("device", "init", "-o", d / "device")
    ok("keygen", "--signing", "-o", d / "publisher.key")
    (d / "trusted").mkdir()
    (d / "trusted" / "publisher.pub").write_text((d / "publisher.key.pub").read_text())
    ok("seal", MODELS / "cnn" / "model.xml", "-R", d / "device" / "identity.pub", "--sign", d / "publisher.key",
       "-o", d / "cnn.ovseal")
    # Relative paths resolve against the key-ring file's folder.
    (d / "keyring.json").write_text(json.dumps({"version": 1, "key_files": ["model.key"]}))
    (d / "wrong.json").write_text(json.dumps({"version": 1, "key_files": ["other.key"]}))
    (d / "device.json").write_text(json.dumps({"version": 1, "identities": ["device"], "trust": ["trusted/"]}))
    return d


def app_env(overlay, keyring):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(overlay)
    env.pop("OVSEAL_KEYRING", None)
    if keyring is not None:
        env["OVSEAL_KEYRING"] = str(keyring)
    return env


@pytest.mark.parametrize("plain, sealed, keyring", [
    ("mlp/model.xml", "mlp.ovseal", "keyring.json"),
    ("onnx/model.onnx", "onnx.ovseal", "keyring.json"),
    ("cnn/model.xml", "cnn.ovseal", "device.json"),
])
def test_read_model_and_compile_model(overlay, work, plain, sealed, keyring):
    result = run([sys.executable, "-c", APP, MODELS / plain, work / sealed], app_env(overlay, work / keyring))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "same outputs" in result.stdout


@pytest.mark.parametrize("keyring, code, name", [
    ("wrong.json", 7, "no_matching_key"),
    (None, 2, "usage"),
    ("absent.json", 3, "io"),
])
def test_failures_carry_the_typed_error(overlay, work, keyring, code, name):
    env = app_env(overlay, None if keyring is None else work / keyring)
    result = run([sys.executable, "-c", APP, MODELS / "mlp" / "model.xml", work / "mlp.ovseal"], env)
    assert result.returncode == 3, result.stdout + result.stderr
    assert f"ovseal error {code} ({name}):" in result.stdout
    if keyring is None:
        assert "OVSEAL_KEYRING" in result.stdout


def test_without_the_frontend_openvino_cannot_read_it(work):
    """The overlay is what makes the difference: the wheel as installed has no ovseal frontend."""
    env = app_env(None, work / "keyring.json")
    env.pop("PYTHONPATH")
    real_libs = Path(sys.executable).parents[1]
    if any(real_libs.glob("lib/python3*/site-packages/openvino/libs/libopenvino_ovseal_frontend.so*")):
        pytest.skip("the frontend is installed into this virtualenv's OpenVINO")
    result = run([sys.executable, "-c", APP, MODELS / "mlp" / "model.xml", work / "mlp.ovseal"], env)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "ovseal error" not in result.stdout


def test_benchmark_app(overlay, work):
    result = run([BENCHMARK_APP, "-m", work / "mlp.ovseal", "-d", "CPU", "-niter", "3", "-nireq", "1", "-api", "sync"],
                 app_env(overlay, work / "keyring.json"))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    match = re.search(r"Throughput:\s+([0-9.]+) FPS", output)
    assert match, output
    assert float(match.group(1)) > 0


def test_benchmark_app_wrong_key(overlay, work):
    result = run([BENCHMARK_APP, "-m", work / "mlp.ovseal", "-d", "CPU", "-niter", "3", "-nireq", "1", "-api", "sync"],
                 app_env(overlay, work / "wrong.json"))
    assert result.returncode != 0
    assert "ovseal error 7 (no_matching_key):" in result.stdout + result.stderr
