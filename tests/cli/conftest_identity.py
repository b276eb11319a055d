# SPDX-License-Identifier: Apache-2.0
"""Shared fixtures and helpers for the device / signature / license tests (test_devices.py, test_signatures.py,
test_licenses.py). Not a conftest.py: the test modules import the fixtures they use from here, e.g.

    from conftest_identity import ih, publisher, device  # noqa: F401  (pytest fixtures)

conftest.ERROR_KEYWORDS has keywords for the errors of the first revision only (values 0-14): for the errors added
since, every test passes its own keyword to `ih.assert_error`.
"""

import base64
import hashlib
import re
import types
from pathlib import Path

import pytest

DEVICE_PUB_RE = re.compile(r"^ovseal-x25519:[A-Za-z0-9_-]{48}$")
SIGNER_PUB_RE = re.compile(r"^ovseal-ed25519:[A-Za-z0-9_-]{48}$")
HEX64_RE = re.compile(r"^[0-9a-f]{64}$")
KEY_ID_RE = re.compile(r"^[0-9a-f]{16}$")
SIGNING_PASSPHRASE = "publisher signing passphrase"


def decode_public_key(text, size=32):
    """FORMAT.md §14: prefix + base64url (no padding) of key (SIZE bytes: 32, or a compressed P-256 point's 33) ||
    checksum (4). Returns the key after checking the checksum."""
    text = text.strip()
    prefix, sep, b64 = text.partition(":")
    assert sep and len(b64) == -(-(size + 4) * 4 // 3), text
    raw = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
    assert len(raw) == size + 4, text
    key, checksum = raw[:size], raw[size:]
    assert hashlib.sha256((prefix + ":").encode() + key).digest()[:4] == checksum, f"bad checksum: {text}"
    return key


def key_id(text):
    """FORMAT.md §12.3: first 8 bytes of SHA-256("ovseal-v1 key id" || public key), 16 hex digits."""
    return hashlib.sha256(b"ovseal-v1 key id" + decode_public_key(text)).hexdigest()[:16]


def typo(text):
    """The public key TEXT with one base64url character of its key part changed (still a valid character), so
    only the checksum can catch it."""
    prefix, _, b64 = text.strip().partition(":")
    i = 10
    c = "B" if b64[i] != "B" else "C"
    return f"{prefix}:{b64[:i]}{c}{b64[i + 1:]}"


def clock_line(seconds):
    """FORMAT.md §13.4: `OVSEAL-CLOCK-1 <seconds> <checksum>`, checksum = first 8 bytes of
    SHA-256("ovseal-v1 clock" || seconds as written), in hex."""
    s = str(seconds)
    return f"OVSEAL-CLOCK-1 {s} {hashlib.sha256(b'ovseal-v1 clock' + s.encode()).digest()[:8].hex()}\n"


def parse_clock(text):
    m = re.fullmatch(r"OVSEAL-CLOCK-1 (\d+) ([0-9a-f]{16})\n?", text)
    assert m, f"clock state is not in the documented form: {text!r}"
    assert clock_line(int(m.group(1))).strip() == text.strip(), f"clock state checksum is wrong: {text!r}"
    return int(m.group(1))


def flip(data, off, mask=0x01):
    b = bytearray(data)
    b[off] ^= mask
    return bytes(b)


def make_helpers(h, cli):
    errors = h.ERRORS

    def assert_error(r, name, keyword=None):
        """As conftest.assert_error, for every error of FORMAT.md §10 revision 2. KEYWORD is required for the
        new errors (conftest.ERROR_KEYWORDS does not have them)."""
        if keyword is None:
            assert name in h.ERROR_KEYWORDS, f"pass a keyword for {name}"
            keyword = h.ERROR_KEYWORDS[name]
        code = errors[name]
        assert r.returncode == code, f"expected exit code {code} ({name})\n" + r.describe()
        assert any(line.startswith("ovseal: error:") for line in r.stderr.splitlines()), \
            "stderr has no line starting with 'ovseal: error:'\n" + r.describe()
        assert keyword.lower() in r.error_message(), \
            f"the error message does not contain {keyword!r} (error {name})\n" + r.describe()

    def run_outputs(wd, label, model, *extra):
        """`ovseal run MODEL --save-outputs WD/LABEL EXTRA...` must succeed; returns the output folder."""
        out = Path(wd) / label
        out.mkdir()
        r = cli.ok("run", model, "-d", "CPU", "--save-outputs", out, *extra)
        return out, r

    def run_fails(wd, model, name, keyword, *extra):
        """`ovseal run` fails with NAME and writes no output."""
        out = Path(wd) / f"out-{len(list(Path(wd).iterdir()))}"
        out.mkdir()
        r = cli("run", model, "-d", "CPU", "--save-outputs", out, *extra)
        assert_error(r, name, keyword)
        assert list(out.iterdir()) == [], "run wrote outputs although it failed\n" + r.describe()
        return r

    def fails_both(wd, model, name, keyword, *extra):
        """verify and run both fail with NAME (run writes nothing)."""
        assert_error(cli("verify", model, *extra), name, keyword)
        run_fails(wd, model, name, keyword, *extra)

    return types.SimpleNamespace(
        ERRORS=errors, assert_error=assert_error, run_outputs=run_outputs,
        run_fails=run_fails, fails_both=fails_both, decode_public_key=decode_public_key, key_id=key_id,
        typo=typo, clock_line=clock_line, parse_clock=parse_clock, flip=flip,
        DEVICE_PUB_RE=DEVICE_PUB_RE, SIGNER_PUB_RE=SIGNER_PUB_RE, HEX64_RE=HEX64_RE, KEY_ID_RE=KEY_ID_RE,
        SIGNING_PASSPHRASE=SIGNING_PASSPHRASE)


@pytest.fixture(scope="session")
def ih(h, cli):
    """Helpers for the identity tests (see make_helpers)."""
    return make_helpers(h, cli)


class Publisher:
    """A publisher signing key: .key (private, for --sign), .pub (public key file, for --trust), .text (the
    public key text), .key_id."""


def make_publisher(cli, d, name):
    p = Publisher()
    p.key = Path(d) / f"{name}.key"
    r = cli.ok("keygen", "--signing", "-o", p.key)
    p.pub = Path(str(p.key) + ".pub")
    p.text = p.pub.read_text().strip()
    p.key_id = key_id(p.text)
    p.keygen_stdout = r.stdout
    return p


@pytest.fixture(scope="session")
def publisher(cli, tmp_path_factory):
    """The publisher every test trusts."""
    return make_publisher(cli, tmp_path_factory.mktemp("pk"), "a")


@pytest.fixture(scope="session")
def other_publisher(cli, tmp_path_factory):
    """A second publisher, not in the trust list unless a test puts it there."""
    return make_publisher(cli, tmp_path_factory.mktemp("pk"), "b")


class Device:
    """A device identity: .dir (for --identity), .pub (its public key text), .key_id."""


@pytest.fixture(scope="session")
def device(cli, tmp_path_factory):
    """device(name) -> a device identity made once per session per name."""
    root = tmp_path_factory.mktemp("dev")
    cache = {}

    def _device(name):
        if name not in cache:
            d = Device()
            d.dir = root / name
            d.init_stdout = cli.ok("device", "init", "-o", d.dir).stdout
            d.pub = (d.dir / "identity.pub").read_text().strip()
            d.key_id = key_id(d.pub)
            cache[name] = d
        return cache[name]

    return _device


def seal_signed(cli, models, out, publisher, *recipients, extra=()):
    """`ovseal seal` of the mlp to OUT, for RECIPIENTS (`--key-file K`, `-r PUB`, ...), signed by PUBLISHER, with the
    EXTRA options; returns the result."""
    return cli.ok("seal", models["mlp"], "-o", out, *recipients, "--sign", publisher.key, *extra)


@pytest.fixture(scope="module")
def keyed_model(cli, wd_module, models, secrets, publisher):
    """mlp sealed with key1 only (no device stanza) and signed: a license is a device's only way in."""
    out = wd_module / "keyed.ovseal"
    seal_signed(cli, models, out, publisher, "--key-file", secrets.key1)
    return out


def license_issuer(cli, folder, model, secrets, publisher):
    """issue(*options, model=MODEL, signer=PUBLISHER, secret=None) -> the path of a new license in FOLDER; the
    model opens with `secret` (key1 if None), and the options go to `license issue`."""
    count = [0]

    def _issue(*options, model=model, signer=publisher, secret=None):
        count[0] += 1
        out = folder / f"l{count[0]}.lic"
        cli.ok("license", "issue", "--model", model, *(secret or ["--key-file", secrets.key1]),
               "--sign", signer.key, *options, "-o", out)
        assert out.is_file()
        return out

    return _issue


@pytest.fixture(scope="session")
def plain_outputs(cli, models, tmp_path_factory):
    """plain_outputs(model) -> folder of the plain model's outputs (default random inputs, seed 1)."""
    root = tmp_path_factory.mktemp("plain")
    cache = {}

    def _plain(model):
        if model not in cache:
            out = root / model
            out.mkdir()
            cli.ok("run", models[model], "-d", "CPU", "--save-outputs", out)
            cache[model] = out
        return cache[model]

    return _plain
