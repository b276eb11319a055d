# SPDX-License-Identifier: Apache-2.0
"""Shared fixtures for the tests that drive the `ovseal` command-line tool.

The binary under test is $OVSEAL_BIN. Models come from samples/make_models.py, generated once per session.

Every test that expects a failure checks three things: the exit code (the value of the error in
docs/FORMAT.md §10), that stderr has a line starting with "ovseal: error:", and that the message (stderr
after that prefix, lowercased) contains the one keyword of ERROR_KEYWORDS for that error. No invocation may
end by a signal (negative return code): that is a crash.

Work directories get neutral names (never the test's name), so that a keyword cannot be found in a path that
the tool echoes back.
"""

import json
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
MAKE_MODELS = ROOT / "samples" / "make_models.py"

MARKER = b"OVSEAL-PLAINTEXT-MARKER-7f3a9c2e"
MAGIC = b"\x89OVSEAL\n"

# docs/FORMAT.md §10: error name -> value = exit code of the CLI, read from the spec's table (tests/docs checks
# that table against the ErrorCode enum).
sys.path.insert(0, str(ROOT / "tests" / "docs"))
from doc_tables import spec_error_codes  # noqa: E402

ERRORS = spec_error_codes()

# One lowercase keyword that the message of each error must contain (stderr after "ovseal: error:").
# Where a test knows better (e.g. a wrong passphrase), it passes its own keyword.
ERROR_KEYWORDS = {
    "usage": "usage",
    "io": "",                      # the tests pass the file name instead
    "not_ovseal_file": "ovseal file",
    "unsupported_version": "version",
    "malformed_header": "header",
    "no_matching_key": "key",      # "passphrase" when the secret given was a passphrase
    "header_auth_failed": "authentic",
    "payload_auth_failed": "authentic",
    "truncated": "truncated",
    "trailing_data": "after",
    "invalid_key": "key",          # "passphrase" when the secret given was a passphrase
    "model_rejected": "model",
    "unsupported_model": "model",
}

# Model name -> (file to seal relative to the models dir, input shape, output name)
MODELS = {
    "cnn": ("cnn/model.xml", (1, 3, 32, 32), "probs"),
    "mlp": ("mlp/model.xml", (1, 64), "logits"),
    "onnx": ("onnx/model.onnx", (1, 32), "logits"),
    "marker": ("marker/model.xml", (1, 64), "logits"),
    "sample": ("sample/model.xml", (1, 3, 32, 32), "probs"),
}

PASSPHRASE = "correct horse battery staple"
WRONG_PASSPHRASE = "correct horse battery stapler"
SCRYPT_LOG2N = "16"
SMALL_CHUNK = "65536"


def pytest_report_header(config):
    return f"ovseal binary: {os.environ.get('OVSEAL_BIN', '(OVSEAL_BIN not set)')}"


# ---------------------------------------------------------------------------------------------------------
# Running the CLI

class Result:
    def __init__(self, args, proc):
        self.args = args
        self.returncode = proc.returncode
        self.stdout_bytes = proc.stdout
        self.stderr_bytes = proc.stderr
        self.stdout = proc.stdout.decode("utf-8", "replace")
        self.stderr = proc.stderr.decode("utf-8", "replace")

    def describe(self):
        return (f"command: {' '.join(map(str, self.args))}\nexit code: {self.returncode}\n"
                f"--- stdout ---\n{self.stdout[-3000:]}\n--- stderr ---\n{self.stderr[-3000:]}")

    def error_message(self):
        """The text of the error: from the first 'ovseal: error:' on, without the prefix, lowercased."""
        i = self.stderr.find("ovseal: error:")
        return self.stderr[i + len("ovseal: error:"):].lower() if i >= 0 else ""


def base_env():
    env = dict(os.environ)
    env.pop("OVSEAL_PASSPHRASE", None)
    return env


class Cli:
    def __init__(self, binary):
        self.binary = binary

    def __call__(self, *args, env=None, cwd=None, timeout=300, input_bytes=None, wrapper=()):
        argv = list(wrapper) + [self.binary] + [str(a) for a in args]
        proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL if input_bytes is None else None,
                              input=input_bytes, env=env if env is not None else base_env(),
                              cwd=cwd, timeout=timeout,
                              # No controlling terminal, so a missing key never turns into a prompt.
                              start_new_session=True)
        r = Result(argv, proc)
        assert r.returncode >= 0, "ovseal was killed by a signal (crash)\n" + r.describe()
        return r

    def run_wrapped(self, wrapper, *args, **kw):
        """Runs ovseal under another command (e.g. prlimit), which execs it."""
        return self(*args, wrapper=wrapper, **kw)

    def ok(self, *args, **kw):
        r = self(*args, **kw)
        assert r.returncode == 0, "expected success\n" + r.describe()
        return r


def assert_error(r, name, keyword=None):
    """Exit code of error NAME, an 'ovseal: error:' line on stderr, and KEYWORD in the message."""
    code = ERRORS[name]
    assert r.returncode == code, f"expected exit code {code} ({name})\n" + r.describe()
    assert any(line.startswith("ovseal: error:") for line in r.stderr.splitlines()), \
        "stderr has no line starting with 'ovseal: error:'\n" + r.describe()
    kw = ERROR_KEYWORDS[name] if keyword is None else keyword
    assert kw.lower() in r.error_message(), \
        f"the error message does not contain {kw!r} (error {name})\n" + r.describe()


# ---------------------------------------------------------------------------------------------------------
# Fixtures

@pytest.fixture(scope="session")
def ovseal_bin():
    path = os.environ.get("OVSEAL_BIN")
    if not path:
        pytest.fail("OVSEAL_BIN is not set: point it at the ovseal binary, e.g. "
                    "OVSEAL_BIN=build/tools/ovseal/ovseal python -m pytest tests/cli", pytrace=False)
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"OVSEAL_BIN={path!r} is not an executable file", pytrace=False)
    return os.path.abspath(path)


@pytest.fixture(scope="session")
def cli(ovseal_bin):
    return Cli(ovseal_bin)


@pytest.fixture
def wd(tmp_path_factory):
    """A fresh, neutrally named work directory."""
    return tmp_path_factory.mktemp("w")


@pytest.fixture(scope="module")
def wd_module(tmp_path_factory):
    """A neutrally named work directory shared by the tests of one module."""
    return tmp_path_factory.mktemp("w")


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("models")
    subprocess.run([sys.executable, str(MAKE_MODELS), str(out)], check=True,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return out


@pytest.fixture(scope="session")
def models(models_dir):
    """Model name -> path of the file to seal or run (model.xml or model.onnx)."""
    paths = {name: models_dir / rel for name, (rel, _, _) in MODELS.items()}
    for p in paths.values():
        assert p.is_file(), p
    return paths


class Secrets:
    pass


@pytest.fixture(scope="session")
def secrets(cli, tmp_path_factory):
    d = tmp_path_factory.mktemp("s")
    s = Secrets()
    s.key1 = d / "k1"
    s.key2 = d / "k2"
    cli.ok("keygen", "-o", s.key1)
    cli.ok("keygen", "-o", s.key2)
    s.pass1 = d / "p1"
    s.pass1.write_text(PASSPHRASE + "\n")
    s.pass2 = d / "p2"
    s.pass2.write_text(WRONG_PASSPHRASE + "\n")
    return s


def secret_args(secrets, which):
    return {
        "key1": ["--key-file", secrets.key1],
        "key2": ["--key-file", secrets.key2],
        "pass1": ["--passphrase-file", secrets.pass1],
        "pass2": ["--passphrase-file", secrets.pass2],
    }[which]


@pytest.fixture(scope="session")
def seal(cli, models, secrets, tmp_path_factory):
    """seal(model, secret="key1", *extra, tag="") -> path of a sealed file, made once per session per
    (model, secret, extra, tag). Passphrase seals use --scrypt-log2n 16."""
    d = tmp_path_factory.mktemp("sealed")
    cache = {}

    def _seal(model, secret="key1", *extra, tag=""):
        k = (model, secret, tuple(map(str, extra)), tag)
        if k not in cache:
            out = d / f"{model}-{secret}-{len(cache)}.ovseal"
            args = ["seal", models[model], "-o", out] + secret_args(secrets, secret)
            if secret.startswith("pass"):
                args += ["--scrypt-log2n", SCRYPT_LOG2N]
            cli.ok(*args, *extra)
            assert out.is_file()
            cache[k] = out
        return cache[k]

    return _seal


def man_json_keys(cli, command):
    """{key: [nested keys]} of COMMAND's --json output as the man page's JSON OUTPUT section lists it ("inspect",
    "verify", "license inspect"): the tests compare it with what the command prints."""
    page = cli.ok("help", "--man").stdout
    section = page.split(".SH JSON OUTPUT\n", 1)[1].split("\n.SH ", 1)[0]
    entries = dict(re.findall(r"^\.TP\n\.B (.+)\n(.+)$", section, re.M))
    text = entries[command.replace("-", "\\-")].replace("\\-", "-")
    keys, depth, item = {}, 0, ""
    for ch in text + ",":
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            name, _, inner = item.strip().partition(" (")
            nested = inner.rstrip(")").split(";")[0].split(", ") if inner else []
            keys[name] = [k for k in nested if re.fullmatch(r"\w+", k)]
            item = ""
        else:
            item += ch
    return keys


def inspect_json(cli, path):
    r = cli.ok("inspect", path, "--json")
    try:
        return json.loads(r.stdout)
    except ValueError as e:
        raise AssertionError(f"inspect --json output is not JSON: {e}\n" + r.describe())


def header_length(data):
    return struct.unpack_from("<I", data, 12)[0]


def load_outputs(d):
    """{file name: (bytes, array)} for every file in output dir D."""
    out = {}
    for p in sorted(Path(d).iterdir()):
        out[p.name] = (p.read_bytes(), np.load(p, allow_pickle=False))
    return out


def assert_same_outputs(a, b):
    """Output dirs A and B hold the same files, byte for byte, and the same arrays, bit for bit."""
    oa, ob = load_outputs(a), load_outputs(b)
    assert oa, f"no outputs written in {a}"
    assert sorted(oa) == sorted(ob)
    for name in oa:
        (ba, xa), (bb, xb) = oa[name], ob[name]
        assert xa.dtype == xb.dtype and xa.shape == xb.shape, name
        assert np.array_equal(xa, xb), f"{name}: arrays differ"
        assert xa.tobytes() == xb.tobytes(), f"{name}: bit patterns differ"
        assert ba == bb, f"{name}: .npy files differ"


@pytest.fixture(scope="session")
def h():
    """This module's constants and helpers (h.assert_error, h.MARKER, ...), reached through a fixture rather
    than `import conftest`, which is ambiguous when more than one conftest.py is on the path."""
    import types
    return types.SimpleNamespace(**{k: v for k, v in globals().items() if not k.startswith("__")})
