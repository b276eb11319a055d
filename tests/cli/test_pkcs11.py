# SPDX-License-Identifier: Apache-2.0
"""Publisher signing keys in a PKCS#11 token (docs/HSM.md), against a real SoftHSM2 token in a private folder made
by these tests: `keygen --signing pkcs11:...`, `token show`, `seal`/`reseal`/`license issue --sign pkcs11:...`,
the device opening with only the public key, and the token errors 30-33, whose messages never show a PIN.

SOFTHSM2_CONF is set only in the environment of the processes these tests start; the device side runs without
it, so nothing there can reach the token."""

import os
import shutil
import subprocess

import pytest

from conftest_identity import device, ih, plain_outputs  # noqa: F401  (pytest fixtures)
from test_prompt import run_on_terminal

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN = "ovseal-cli"
PIN = "Pn-4k7Wq"
WRONG_PIN = "Zx-9r2Jt"
SO_PIN = "so-31415926"


class Hsm:
    """A private SoftHSM2 token: .env (the environment with SOFTHSM2_CONF), .pin_file, .uri(object)."""

    def uri(self, obj, query=""):
        return f"pkcs11:token={TOKEN};object={obj}" + (f"?{query}" if query else "")


@pytest.fixture(scope="module")
def hsm(h, tmp_path_factory):
    util = shutil.which("softhsm2-util")
    if util is None or not os.path.exists(MODULE):
        pytest.skip(f"SoftHSM2 is not installed (softhsm2-util, {MODULE}); scripts/setup.sh installs softhsm2")
    d = tmp_path_factory.mktemp("t")
    (d / "tokens").mkdir()
    conf = d / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {d / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    s = Hsm()
    s.env = h.base_env()
    s.env.pop("OVSEAL_PKCS11_PIN", None)
    s.env.pop("OVSEAL_PKCS11_MODULE", None)
    s.env["SOFTHSM2_CONF"] = str(conf)
    subprocess.run([util, "--init-token", "--free", "--label", TOKEN, "--so-pin", SO_PIN, "--pin", PIN],
                   env=s.env, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    s.pin_file = d / "pin"
    s.pin_file.write_text(PIN + "\n")
    s.wrong_pin_file = d / "wrong-pin"
    s.wrong_pin_file.write_text(WRONG_PIN + "\n")
    return s


@pytest.fixture(scope="module")
def token_key(cli, ih, hsm, tmp_path_factory):
    """A signing key generated in the token: .uri, .pub (public key file), .text, .key_id, .stdout (of keygen)."""
    d = tmp_path_factory.mktemp("pk")
    k = type("TokenKey", (), {})()
    k.uri = hsm.uri("publisher-2027")
    k.pub = d / "publisher.pub"
    r = cli.ok("keygen", "--signing", k.uri, "-o", k.pub, "--pin-file", hsm.pin_file, env=hsm.env)
    k.text = k.pub.read_text().strip()
    k.key_id = ih.key_id(k.text)
    k.stdout = r.stdout
    return k


def no_pin_shown(r, *pins):
    for pin in pins or (PIN, WRONG_PIN):
        assert pin not in r.stdout and pin not in r.stderr, "a PIN appears in the output\n" + r.describe()


# ---------------------------------------------------------------------------------------------------------
# The publisher: a key made in the token, its public key, signing

def test_keygen_in_token_writes_only_the_public_key(cli, ih, hsm, token_key):
    assert ih.SIGNER_PUB_RE.match(token_key.text), token_key.text
    assert token_key.pub.read_text() == token_key.text + "\n"
    assert [p.name for p in token_key.pub.parent.iterdir()] == ["publisher.pub"], "a private key file was written"
    assert token_key.key_id in token_key.stdout
    assert "token" in token_key.stdout.lower()
    # token show reads the same public key from the token, with no PIN.
    r = cli.ok("token", "show", token_key.uri, env=hsm.env)
    assert r.stdout.strip() == token_key.text
    out = token_key.pub.parent / "again.pub"
    r = cli.ok("token", "show", token_key.uri, "-o", out, env=hsm.env)
    assert out.read_text().strip() == token_key.text and token_key.key_id in r.stdout
    ih.assert_error(cli("token", "show", token_key.uri, "-o", out, env=hsm.env), "io", "exists")


def test_keygen_refuses_a_label_in_use_and_an_existing_output(cli, ih, hsm, token_key, wd):
    r = cli("keygen", "--signing", token_key.uri, "-o", wd / "second.pub", "--pin-file", hsm.pin_file, env=hsm.env)
    ih.assert_error(r, "usage", "already")
    assert not (wd / "second.pub").exists()
    assert cli.ok("token", "show", token_key.uri, env=hsm.env).stdout.strip() == token_key.text
    # An existing output is refused before the token makes a key: the label stays free.
    existing = wd / "existing.pub"
    existing.write_text("keep me\n")
    ih.assert_error(cli("keygen", "--signing", hsm.uri("fresh"), "-o", existing, "--pin-file", hsm.pin_file,
                        env=hsm.env), "io", "exists")
    assert existing.read_text() == "keep me\n"
    ih.assert_error(cli("token", "show", hsm.uri("fresh"), env=hsm.env), "token_key_missing", "fresh")
    cli.ok("keygen", "--signing", hsm.uri("fresh"), "-o", wd / "fresh.pub", "--pin-file", hsm.pin_file, env=hsm.env)
    # Token options make no sense for a file key, and a file key's passphrase none for a token key.
    ih.assert_error(cli("keygen", "-o", wd / "k", "--pin-file", hsm.pin_file), "usage", "pkcs")
    ih.assert_error(cli("keygen", "--signing", hsm.uri("other"), "-o", wd / "o.pub", "--passphrase-file",
                        hsm.pin_file, env=hsm.env), "usage", "token")


def test_token_signed_model_and_licenses_open_on_devices_with_only_the_public_key(
        cli, h, ih, hsm, token_key, models, secrets, device, plain_outputs, wd):
    sign = ["--sign", token_key.uri, "--pin-file", hsm.pin_file]
    # Sealed to the publisher's key only, signed in the token; devices open it through licenses.
    model = wd / "m.ovseal"
    r = cli.ok("seal", models["mlp"], "-o", model, "--key-file", secrets.key1, *sign, env=hsm.env)
    assert token_key.key_id in r.stdout
    assert h.inspect_json(cli, model)["signature"]["signer_key_id"] == token_key.key_id
    fleet = wd / "fleet.txt"
    fleet.write_text(f"{device('t1').pub}\n{device('t2').pub}\n")
    lics = wd / "lics"
    cli.ok("license", "issue", "--model", model, "--key-file", secrets.key1, *sign, "--devices", fleet,
           "--expires", "2100-01-01", "-o", lics, env=hsm.env)
    for name in ("t1", "t2"):
        lic = lics / f"{device(name).key_id}.lic"
        info = cli.ok("license", "inspect", lic).stdout
        assert token_key.key_id in info
        # The device: no SOFTHSM2_CONF, no PIN, no key file; its identity, its license and the public key.
        o, _ = ih.run_outputs(wd, f"o-{name}", model, "--identity", device(name).dir, "--license", lic,
                              "--trust", token_key.pub)
        h.assert_same_outputs(plain_outputs("mlp"), o)
    cli.ok("verify", model, "--identity", device("t1").dir, "--license", lics / f"{device('t1').key_id}.lic",
           "--trust", token_key.pub)
    # Sealed straight to a device, signed in the token.
    direct = wd / "direct.ovseal"
    cli.ok("seal", models["cnn"], "-o", direct, "--key-file", secrets.key1, "-r", device("t1").pub, *sign,
           env=hsm.env)
    o, _ = ih.run_outputs(wd, "o-direct", direct, "--identity", device("t1").dir, "--trust", token_key.pub)
    h.assert_same_outputs(plain_outputs("cnn"), o)
    # Re-sealed and signed again in the token.
    resealed = wd / "resealed.ovseal"
    cli.ok("reseal", direct, "-o", resealed, "--key-file", secrets.key1, "--trust", token_key.pub,
           "--to-key-file", secrets.key2, *sign, env=hsm.env)
    assert h.inspect_json(cli, resealed)["signature"]["signer_key_id"] == token_key.key_id
    o, _ = ih.run_outputs(wd, "o-resealed", resealed, "--key-file", secrets.key2, "--trust", token_key.pub)
    h.assert_same_outputs(plain_outputs("cnn"), o)
    # A trust list without the token's key refuses the model.
    other = wd / "other.key"
    cli.ok("keygen", "--signing", "-o", other)
    ih.fails_both(wd, direct, "untrusted_signer", "trust list", "--identity", device("t1").dir,
                  "--trust", str(other) + ".pub")


def test_pin_from_the_uri_the_environment_or_a_file_in_that_order(cli, ih, hsm, token_key, models, secrets, wd):
    def seal(*extra, env=hsm.env):
        return cli("seal", models["mlp"], "-o", wd / f"s{len(list(wd.iterdir()))}.ovseal", "--key-file", secrets.key1,
                   *extra, env=env)

    env_pin = dict(hsm.env, OVSEAL_PKCS11_PIN=PIN)
    env_wrong = dict(hsm.env, OVSEAL_PKCS11_PIN=WRONG_PIN)
    assert seal("--sign", token_key.uri, env=env_pin).returncode == 0
    # --pin-file wins over the environment, the URI's pin-source over both.
    assert seal("--sign", token_key.uri, "--pin-file", hsm.pin_file, env=env_wrong).returncode == 0
    assert seal("--sign", hsm.uri("publisher-2027", f"pin-source=file:{hsm.pin_file}"), "--pin-file",
                hsm.wrong_pin_file, env=env_wrong).returncode == 0
    r = seal("--sign", hsm.uri("publisher-2027", f"pin-source={hsm.wrong_pin_file}"), "--pin-file", hsm.pin_file)
    assert r.returncode == ih.ERRORS["token_login_failed"], r.describe()
    no_pin_shown(r)


def test_pin_asked_on_the_terminal_without_echo(cli, h, hsm, token_key, models, secrets, ovseal_bin, wd,
                                                monkeypatch):
    # run_on_terminal's child inherits this environment: the token's config for it alone, undone after the test.
    for name, value in hsm.env.items():
        if name.startswith(("SOFTHSM2", "OVSEAL_PKCS11")):
            monkeypatch.setenv(name, value)
    monkeypatch.delenv("OVSEAL_PKCS11_PIN", raising=False)
    out = wd / "prompted.ovseal"
    code, shown = run_on_terminal([ovseal_bin, "seal", str(models["mlp"]), "-o", str(out), "--key-file",
                                   str(secrets.key1), "--sign", token_key.uri], [PIN.encode()])
    assert code == 0, shown
    assert f"PIN for token '{TOKEN}'" in shown, shown
    assert PIN not in shown, "the PIN was echoed"
    assert h.inspect_json(cli, out)["signature"]["signer_key_id"] == token_key.key_id
    code, shown = run_on_terminal([ovseal_bin, "token", "show", token_key.uri], [])
    assert code == 0 and token_key.text in shown, shown
    assert "PIN" not in shown.replace(token_key.text, ""), shown  # public keys need no PIN (the key text may hold "PIN")


# ---------------------------------------------------------------------------------------------------------
# Errors: exit codes 30-33, and no PIN in any message

def test_wrong_pin_is_token_login_failed(cli, ih, hsm, token_key, models, secrets, wd):
    base = ["seal", models["mlp"], "-o", wd / "x.ovseal", "--key-file", secrets.key1]
    for r in (cli(*base, "--sign", token_key.uri, "--pin-file", hsm.wrong_pin_file, env=hsm.env),
              cli(*base, "--sign", token_key.uri, env=dict(hsm.env, OVSEAL_PKCS11_PIN=WRONG_PIN)),
              cli(*base, "--sign", hsm.uri("publisher-2027", f"pin-value={WRONG_PIN}"), env=hsm.env)):
        ih.assert_error(r, "token_login_failed", "pin")
        assert TOKEN in r.error_message()
        no_pin_shown(r)
    assert not (wd / "x.ovseal").exists()


def test_no_pin_and_no_terminal_is_token_login_failed(cli, ih, hsm, token_key, model_and_device):
    model, lic_args = model_and_device
    r = cli("license", "issue", "--model", model, *lic_args, "--sign", token_key.uri, env=hsm.env)
    ih.assert_error(r, "token_login_failed", "pin")
    assert "--pin-file" in r.stderr


def test_missing_object_is_token_key_missing(cli, ih, hsm, token_key, models, secrets, wd):
    r = cli("seal", models["mlp"], "-o", wd / "x.ovseal", "--key-file", secrets.key1, "--sign",
            hsm.uri("no-such-key"), "--pin-file", hsm.pin_file, env=hsm.env)
    ih.assert_error(r, "token_key_missing", "no-such-key")
    assert TOKEN in r.error_message()
    no_pin_shown(r)
    r = cli("token", "show", f"pkcs11:token={TOKEN};id=%ca%fe", env=hsm.env)
    ih.assert_error(r, "token_key_missing", "cafe")
    assert not (wd / "x.ovseal").exists()


def test_missing_module_or_token_is_token_unavailable(cli, ih, hsm, token_key, models, secrets, wd):
    base = ["seal", models["mlp"], "-o", wd / "x.ovseal", "--key-file", secrets.key1, "--pin-file", hsm.pin_file]
    missing = wd / "no-module.so"
    for r in (cli(*base, "--sign", token_key.uri, "--pkcs11-module", missing, env=hsm.env),
              cli(*base, "--sign", token_key.uri, env=dict(hsm.env, OVSEAL_PKCS11_MODULE=str(missing))),
              cli(*base, "--sign", hsm.uri("publisher-2027", f"module-path={missing}"), env=hsm.env)):
        ih.assert_error(r, "token_unavailable", "no-module.so")
        no_pin_shown(r)
    r = cli(*base, "--sign", "pkcs11:token=absent;object=publisher-2027", env=hsm.env)
    ih.assert_error(r, "token_unavailable", "absent")
    assert TOKEN in r.error_message(), "the message should name the tokens there are\n" + r.describe()
    assert not (wd / "x.ovseal").exists()


def test_malformed_uris_and_mixed_options_are_usage_errors(cli, ih, hsm, token_key, models, secrets, wd):
    base = ["seal", models["mlp"], "-o", wd / "x.ovseal", "--key-file", secrets.key1]
    for uri in (f"pkcs11:token={TOKEN};object=a;object=b", f"pkcs11:token={TOKEN};label=a", "pkcs11:object=%zz",
                f"pkcs11:token={TOKEN}", f"pkcs11:object=a?pin-value={WRONG_PIN}&bogus=1"):
        r = cli(*base, "--sign", uri, "--pin-file", hsm.pin_file, env=hsm.env)
        ih.assert_error(r, "usage", "pkcs")
        no_pin_shown(r)
    ih.assert_error(cli(*base, "--sign", token_key.uri, "--signing-passphrase-file", hsm.pin_file, env=hsm.env),
                    "usage", "pin")
    ih.assert_error(cli("token", "show", "publisher.key", env=hsm.env), "usage", "pkcs")
    assert not (wd / "x.ovseal").exists()


@pytest.fixture(scope="module")
def model_and_device(cli, models, secrets, device, tmp_path_factory):
    d = tmp_path_factory.mktemp("m")
    model = d / "m.ovseal"
    cli.ok("seal", models["mlp"], "-o", model, "--key-file", secrets.key1)
    return model, ["--key-file", secrets.key1, "--device", device("t3").pub, "-o", d / "t3.lic"]
