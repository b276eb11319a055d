# SPDX-License-Identifier: Apache-2.0
"""Attack: a device owner turns a sealed model into one only its own key file opens, with the shipped tools.

`rewrap` and `reseal` refuse licenses and device identities. `seal` reads a model with OpenVINO; with the ovseal
frontend installed (as README shows, for unmodified applications) and a key ring in OVSEAL_KEYRING, OpenVINO
would hand a sealed file passed off as a model to that frontend, which decrypts it, and `seal` would seal the
plaintext again for the attacker's key. `seal` refuses a sealed input, and reads every model with the frontend of
its own format only, so not even a file that changes between the check and the read gets decrypted.
"""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import MODELS, OVSEAL, ovseal


@pytest.fixture
def attacker(world, overlay, tmp_path):
    """The device owner's environment: the frontend beside OpenVINO's libraries, its own key ring, a key file."""
    env = dict(os.environ, LD_LIBRARY_PATH=str(overlay / "openvino" / "libs"), OVSEAL_KEYRING=str(world.keyring))
    ovseal("keygen", "-o", tmp_path / "mine.key")
    return env, tmp_path / "mine.key"


def seal(path, key, out, env, *extra):
    return subprocess.run([OVSEAL, "seal", str(path), "-k", str(key), "-o", str(out), *extra], env=env,
                          capture_output=True, text=True, errors="replace", timeout=300)


@pytest.mark.parametrize("name, extra", [("model.pb", []), ("model.onnx", ["--convert-to-ir"]),
                                         ("model.tflite", []), ("model.onnx", [])])
def test_seal_refuses_a_sealed_file_passed_off_as_a_model(world, attacker, tmp_path, name, extra):
    env, key = attacker
    disguised = tmp_path / name
    disguised.write_bytes(world.genuine.read_bytes())
    out = tmp_path / "mine.ovseal"
    result = seal(disguised, key, out, env, *extra)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "sealed file" in result.stderr
    assert not out.exists()


def outputs_of(path, *keys):
    out = path.parent / (path.name + ".outputs")
    run = subprocess.run([OVSEAL, "run", str(path), *keys, "--save-outputs", str(out)], capture_output=True,
                         text=True, errors="replace", timeout=300)
    assert run.returncode == 0, run.stderr
    return b"".join(f.read_bytes() for f in sorted(out.glob("*.npy")))


def test_a_model_that_turns_into_a_sealed_file_while_it_is_read_is_never_decrypted(world, attacker, tmp_path):
    """The file is a plain TensorFlow model when `seal` checks it and, as often as a writer can make it, the sealed
    model when OpenVINO reads it to convert it: whatever gets sealed computes what the plain model does, never the
    sealed model."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))
    import format_models
    env, key = attacker
    plain_model = format_models.tf_frozen(tmp_path / "tf")
    expected = outputs_of(plain_model)
    plain, sealed = plain_model.read_bytes(), world.genuine.read_bytes()
    target = tmp_path / "model.pb"
    target.write_bytes(plain)
    stop = threading.Event()

    def writer():
        fd = os.open(target, os.O_RDWR)
        try:
            while not stop.is_set():
                for content in (sealed, plain):
                    os.pwrite(fd, content, 0)
                    os.ftruncate(fd, len(content))
                    time.sleep(0.0005)
        finally:
            os.close(fd)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    results = []
    try:
        for i in range(20):
            out = tmp_path / f"mine-{i}.ovseal"
            results.append((seal(target, key, out, env, "--chunk-size", "65536").returncode, out))
    finally:
        stop.set()
        thread.join()
    print("seal exit codes:", sorted(code for code, _ in results))
    for code, out in results:
        if code == 0:
            assert outputs_of(out, "-k", str(key)) == expected, \
                "seal decrypted the sealed model and sealed its plaintext for the attacker"
