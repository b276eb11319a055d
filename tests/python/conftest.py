# SPDX-License-Identifier: Apache-2.0
"""Fixtures for the tests of the Python package ovseal, as installed (scripts/setup.sh installs it into .venv).

Models come from samples/make_models.py (OpenVINO's Python API), made once per session. Sealed files, keys,
a device identity, a publisher key and a license are made through the package itself.
"""

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openvino as ov
import pytest

import ovseal

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "correct horse battery staple"
SCRYPT_LOG2N = 16  # the smallest work factor: these tests are about the binding, not scrypt

# Model name -> (file relative to the models folder, input shape)
MODELS = {"mlp": ("mlp/model.xml", (1, 64)), "cnn": ("cnn/model.xml", (1, 3, 32, 32)),
          "onnx": ("onnx/model.onnx", (1, 32))}


def pytest_report_header(config):
    return f"ovseal {ovseal.__version__} from {Path(ovseal.__file__).parent}"


@pytest.fixture(scope="session")
def models(tmp_path_factory):
    out = tmp_path_factory.mktemp("models")
    subprocess.run([sys.executable, str(ROOT / "samples" / "make_models.py"), str(out), "--only", *MODELS],
                   check=True, stdout=subprocess.DEVNULL)
    return {name: out / rel for name, (rel, _) in MODELS.items()}


@pytest.fixture(scope="session")
def inputs():
    rng = np.random.default_rng(20261126)
    return {name: rng.standard_normal(shape).astype(np.float32) for name, (_, shape) in MODELS.items()}


def infer(compiled, data):
    """The first output of one inference, copied out of OpenVINO's tensor."""
    request = compiled.create_infer_request()
    request.infer({0: data})
    return np.array(request.get_output_tensor(0).data, copy=True)


@pytest.fixture(scope="session")
def core():
    return ov.Core()


@pytest.fixture(scope="session")
def plain_outputs(core, models, inputs):
    return {name: infer(core.compile_model(str(models[name]), "CPU"), inputs[name]) for name in MODELS}


@dataclass
class Publisher:
    signing_key: Path
    public_key: Path
    public_text: str


@dataclass
class Device:
    identity: Path
    public_text: str


@dataclass
class Secrets:
    key_file: Path
    other_key_file: Path
    publisher: Publisher
    other_publisher: Publisher
    device: Device
    other_device: Device


@pytest.fixture(scope="session")
def secrets(tmp_path_factory):
    d = tmp_path_factory.mktemp("secrets")
    ovseal.generate_key(d / "model.key")
    ovseal.generate_key(d / "other.key")

    def publisher(name):
        text = ovseal.generate_signing_key(d / name, scrypt_log2_n=SCRYPT_LOG2N)
        return Publisher(d / name, d / (name + ".pub"), text)

    def device(name):
        return Device(d / name, ovseal.create_identity(d / name))

    return Secrets(d / "model.key", d / "other.key", publisher("publisher.key"), publisher("other-publisher.key"),
                   device("device"), device("other-device"))


@dataclass
class Sealed:
    with_key: Path         # key file only, unsigned
    with_passphrase: Path  # passphrase only, unsigned
    signed: Path           # key file only, signed by the publisher: the device opens it with its license
    to_device: Path        # key file and the device, signed by the publisher
    license: Path          # the device's license for `signed`


@pytest.fixture(scope="session")
def sealed(tmp_path_factory, models, secrets):
    """Each model sealed four ways, with a license for the device."""
    d = tmp_path_factory.mktemp("sealed")
    result = {}
    signer = str(secrets.publisher.signing_key)
    for name, model in models.items():
        s = Sealed(*(d / f"{name}-{how}.ovseal" for how in ("key", "pass", "signed", "device")), d / f"{name}.lic")
        ovseal.seal(model, s.with_key, key_file=secrets.key_file, chunk_size=65536)
        ovseal.seal(model, s.with_passphrase, passphrase=PASSPHRASE, scrypt_log2_n=SCRYPT_LOG2N)
        ovseal.seal(model, s.signed, key_file=secrets.key_file, sign=signer, name=f"{name}-model", version="1.2")
        ovseal.seal(model, s.to_device, key_file=secrets.key_file, devices=[secrets.device.public_text], sign=signer)
        [license] = ovseal.issue_licenses(s.signed, [secrets.device.public_text], signer=signer,
                                          key_file=secrets.key_file, note="tests")
        s.license.write_bytes(license)
        result[name] = s
    return result


@pytest.fixture
def work(tmp_path):
    return tmp_path
