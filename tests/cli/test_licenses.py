# SPDX-License-Identifier: Apache-2.0
"""Offline licenses: `ovseal license issue/inspect`, opening a model with --identity + --license + --trust, each
license error of FORMAT.md §13.3, batch issue, and the rollback guard (§13.4)."""

import json
import re
import time

import pytest

from conftest_identity import (device, ih, keyed_model, other_publisher,  # noqa: F401  (pytest fixtures)
                               plain_outputs, publisher)
from conftest_identity import license_issuer

FAR_FUTURE = "2100-01-01"


@pytest.fixture(scope="module")
def model(keyed_model):
    """mlp sealed with key1 only (no device stanza) and signed: the license is the only way a device opens it."""
    return keyed_model


@pytest.fixture(scope="module")
def issue(cli, wd_module, model, secrets, publisher):
    """issue(*options, model=..., signer=...) -> path of a new license; options go to `license issue`."""
    return license_issuer(cli, wd_module, model, secrets, publisher)


@pytest.fixture(scope="module")
def lic_d1(issue, device):
    return issue("--device", device("d1").pub, "--expires", FAR_FUTURE, "--note", "site 7, line 3")


def opener(device, publisher, lic, name="d1"):
    return ["--identity", device(name).dir, "--license", lic, "--trust", publisher.pub]


# ---------------------------------------------------------------------------------------------------------
# The license opens the model on its device

def test_license_opens_model(cli, h, ih, wd, model, lic_d1, device, publisher, plain_outputs):
    assert [s["type"] for s in h.inspect_json(cli, model)["stanzas"]] == ["key"]
    o, _ = ih.run_outputs(wd, "o", model, *opener(device, publisher, lic_d1))
    h.assert_same_outputs(plain_outputs("mlp"), o)
    model_id = h.inspect_json(cli, model)["signature"]["model_id"]
    r = cli.ok("verify", model, *opener(device, publisher, lic_d1))
    assert "OK" in r.stdout and model_id in r.stdout
    # Without the license the device has no way in.
    ih.fails_both(wd, model, "no_matching_key", "key", "--identity", device("d1").dir, "--trust", publisher.pub)


def test_license_among_others(cli, ih, model, lic_d1, issue, device, publisher):
    """Several licenses and identities offered: the one for this model and device is used."""
    other = issue("--device", device("d2").pub)
    cli.ok("verify", model, "--identity", device("d2").dir, "--identity", device("d1").dir,
           "--license", other, "--license", lic_d1, "--trust", publisher.pub)


def test_license_without_trust_is_usage(cli, ih, wd, model, lic_d1, device):
    ih.fails_both(wd, model, "usage", "trust", "--identity", device("d1").dir, "--license", lic_d1)


def test_license_inspect(cli, h, ih, model, issue, device, publisher):
    nb, ex = 1893456000, 1924992000          # 2030-01-01T00:00:00Z, 2031-01-01T00:00:00Z
    lic = issue("--device", device("d1").pub, "--not-before", str(nb), "--expires", str(ex),
                "--note", "batch 42: Lyon plant")
    r = cli.ok("license", "inspect", lic)
    out = r.stdout
    assert h.inspect_json(cli, model)["signature"]["model_id"] in out
    assert device("d1").pub in out
    assert "2030-01-01" in out and "2031-01-01" in out
    assert "batch 42: Lyon plant" in out
    assert publisher.key_id in out
    # §13.1: 301 + n bytes.
    assert lic.stat().st_size == 301 + len("batch 42: Lyon plant")


def test_license_inspect_escapes_note(cli, issue, device):
    lic = issue("--device", device("d1").pub, "--note", "a\x1b[31mred\x07")
    r = cli.ok("license", "inspect", lic)
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout


def test_license_dates_utc(cli, issue, device):
    lic = issue("--device", device("d1").pub, "--not-before", "2027-01-31", "--expires", "2027-02-01T12:00:00Z")
    out = cli.ok("license", "inspect", lic).stdout
    assert "2027-01-31T00:00:00Z" in out and "2027-02-01T12:00:00Z" in out


# ---------------------------------------------------------------------------------------------------------
# Errors of §13.3

def test_wrong_device(cli, ih, wd, model, lic_d1, device, publisher):
    r = cli("verify", model, *opener(device, publisher, lic_d1, "d2"))
    ih.assert_error(r, "license_wrong_device", "device")
    ih.run_fails(wd, model, "license_wrong_device", "device", *opener(device, publisher, lic_d1, "d2"))


def test_wrong_model(cli, ih, wd, models, secrets, publisher, lic_d1, device):
    """The same model sealed again (new model id): the license of the first seal does not open it."""
    again = wd / "again.ovseal"
    cli.ok("seal", models["mlp"], "-o", again, "--key-file", secrets.key1, "--sign", publisher.key)
    ih.fails_both(wd, again, "license_wrong_model", "model", *opener(device, publisher, lic_d1))


def test_expired(cli, ih, wd, model, issue, device, publisher):
    now = int(time.time())
    lic = issue("--device", device("d1").pub, "--expires", str(now - 3600))
    ih.fails_both(wd, model, "license_expired", "expired", *opener(device, publisher, lic))
    lic2 = issue("--device", device("d1").pub, "--not-before", str(now - 7200), "--expires", str(now - 3600))
    ih.fails_both(wd, model, "license_expired", "expired", *opener(device, publisher, lic2))


def test_not_yet_valid(cli, ih, wd, model, issue, device, publisher):
    now = int(time.time())
    lic = issue("--device", device("d1").pub, "--not-before", str(now + 3600))
    ih.fails_both(wd, model, "license_not_yet_valid", "valid", *opener(device, publisher, lic))


def test_window_open_now(cli, model, issue, device, publisher):
    now = int(time.time())
    lic = issue("--device", device("d1").pub, "--not-before", str(now - 60), "--expires", str(now + 3600))
    cli.ok("verify", model, *opener(device, publisher, lic))


@pytest.mark.parametrize("where", ["magic", "model-id", "device", "expires", "ephemeral", "wrapped", "note",
                                   "signature", "last"])
def test_damaged_license(cli, ih, wd, model, lic_d1, device, publisher, where):
    """Any flipped byte of a license: license_invalid (its own signature covers everything before it), both
    when opening and in `license inspect`."""
    n = len("site 7, line 3")
    off = {"magic": 1, "model-id": 20, "device": 50, "expires": 84, "ephemeral": 100, "wrapped": 150,
           "note": 204, "signature": 237 + n + 10, "last": 300 + n}[where]
    data = lic_d1.read_bytes()
    assert len(data) == 301 + n
    bad = wd / "bad.lic"
    bad.write_bytes(ih.flip(data, off))
    ih.fails_both(wd, model, "license_invalid", "license", *opener(device, publisher, bad))
    ih.assert_error(cli("license", "inspect", bad), "license_invalid", "license")


@pytest.mark.parametrize("case", ["empty", "cut", "appended", "random-301", "sealed-model", "5000-zeros"])
def test_not_a_license(cli, ih, wd, model, lic_d1, device, publisher, case):
    """§13.1: wrong magic or wrong length is license_invalid, whatever the size of the file."""
    data = lic_d1.read_bytes()
    content = {
        "empty": b"",
        "cut": data[:-1],
        "appended": data + b"\n",
        "random-301": bytes((i * 37 + 11) % 256 for i in range(301)),
        "sealed-model": model.read_bytes(),
        "5000-zeros": bytes(5000),
    }[case]
    bad = wd / "bad.lic"
    bad.write_bytes(content)
    ih.fails_both(wd, model, "license_invalid", "license", *opener(device, publisher, bad))
    ih.assert_error(cli("license", "inspect", bad), "license_invalid", "license")


def test_license_from_untrusted_publisher(cli, ih, wd, model, issue, device, publisher, other_publisher):
    """The model is signed by `publisher` (trusted); the license by `other_publisher` (not trusted)."""
    lic = issue("--device", device("d1").pub, signer=other_publisher)
    assert other_publisher.key_id in cli.ok("license", "inspect", lic).stdout
    r = cli("verify", model, *opener(device, publisher, lic))
    ih.assert_error(r, "untrusted_signer", "trust")
    ih.run_fails(wd, model, "untrusted_signer", "trust", *opener(device, publisher, lic))


# ---------------------------------------------------------------------------------------------------------
# license issue: refusals

def test_issue_for_unsigned_model(cli, ih, wd, seal, secrets, publisher, device):
    out = wd / "x.lic"
    r = cli("license", "issue", "--model", seal("mlp"), "--key-file", secrets.key1, "--sign", publisher.key,
            "--device", device("d1").pub, "-o", out)
    ih.assert_error(r, "signature_required", "sign")
    assert not out.exists()


def test_issue_with_wrong_key(cli, ih, wd, model, secrets, publisher, device):
    out = wd / "x.lic"
    r = cli("license", "issue", "--model", model, "--key-file", secrets.key2, "--sign", publisher.key,
            "--device", device("d1").pub, "-o", out)
    ih.assert_error(r, "no_matching_key", "key")
    assert not out.exists()


@pytest.mark.parametrize("case", ["no-device", "typo-device", "empty-window", "long-note", "bad-date"])
def test_issue_bad_options(cli, ih, wd, model, secrets, publisher, device, case):
    d1 = device("d1").pub
    opts, name, kw = {
        "no-device": ([], "usage", "device"),
        "typo-device": (["--device", ih.typo(d1)], "invalid_key", "key"),
        "empty-window": (["--device", d1, "--not-before", "2000000000", "--expires", "2000000000"], "usage",
                         "expires"),
        "long-note": (["--device", d1, "--note", "n" * 1025], "usage", "1024"),
        "bad-date": (["--device", d1, "--expires", "next tuesday"], "usage", "expires"),
    }[case]
    out = wd / "x.lic"
    r = cli("license", "issue", "--model", model, "--key-file", secrets.key1, "--sign", publisher.key,
            *opts, "-o", out)
    ih.assert_error(r, name, kw)
    assert not out.exists()


# ---------------------------------------------------------------------------------------------------------
# Batch issue

def test_batch_issue(cli, h, ih, wd, model, secrets, publisher, device, plain_outputs):
    devs = [device(f"b{i:02d}") for i in range(20)]
    lst = wd / "devices.txt"
    lst.write_text("# fleet\n\n" + "".join(f"{d.pub}\n" for d in devs[:10]) + "  \n# second site\n"
                   + "".join(f"{d.pub}\n" for d in devs[10:]))
    out = wd / "batch"
    cli.ok("license", "issue", "--model", model, "--key-file", secrets.key1, "--sign", publisher.key,
           "--devices", lst, "--expires", FAR_FUTURE, "-o", out)
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"{d.key_id}.lic" for d in devs)
    for d in (devs[0], devs[19]):
        assert d.pub in cli.ok("license", "inspect", out / f"{d.key_id}.lic").stdout
    d = devs[7]
    o, _ = ih.run_outputs(wd, "o", model, *opener(lambda _: d, publisher, out / f"{d.key_id}.lic"))
    h.assert_same_outputs(plain_outputs("mlp"), o)
    # Another device's license from the same batch does not open it on this device.
    ih.fails_both(wd, model, "license_wrong_device", "device",
                  *opener(lambda _: d, publisher, out / f"{devs[8].key_id}.lic"))


# ---------------------------------------------------------------------------------------------------------
# Rollback guard (§13.4)

def test_clock_state_written(cli, h, ih, wd, model, lic_d1, device, publisher, plain_outputs):
    """A first run with a state file that does not exist yet creates it, holding the current time."""
    state = wd / "clock"
    before = int(time.time())
    o, _ = ih.run_outputs(wd, "o", model, *opener(device, publisher, lic_d1), "--clock-state", state)
    after = int(time.time())
    h.assert_same_outputs(plain_outputs("mlp"), o)
    seconds = ih.parse_clock(state.read_text())
    assert before <= seconds <= after + 1


def test_clock_rollback(cli, h, ih, wd, model, lic_d1, device, publisher, plain_outputs):
    state = wd / "clock"
    future = int(time.time()) + 3600
    state.write_text(ih.clock_line(future))
    content = state.read_bytes()
    ih.fails_both(wd, model, "clock_rollback", "clock", *opener(device, publisher, lic_d1), "--clock-state", state)
    assert state.read_bytes() == content, "a refused open must not change the clock state"
    # Within the tolerance it opens, and the state keeps the later time.
    o, _ = ih.run_outputs(wd, "o", model, *opener(device, publisher, lic_d1), "--clock-state", state,
                          "--clock-tolerance", "7200")
    h.assert_same_outputs(plain_outputs("mlp"), o)
    assert ih.parse_clock(state.read_text()) == future


def test_clock_default_tolerance(cli, ih, wd, model, lic_d1, device, publisher):
    """Default tolerance 300 s: a stored time 100 s ahead passes, 1000 s ahead does not."""
    state = wd / "clock"
    state.write_text(ih.clock_line(int(time.time()) + 100))
    cli.ok("verify", model, *opener(device, publisher, lic_d1), "--clock-state", state)
    state.write_text(ih.clock_line(int(time.time()) + 1000))
    ih.assert_error(cli("verify", model, *opener(device, publisher, lic_d1), "--clock-state", state),
                    "clock_rollback", "clock")


def test_clock_state_moves_forward(cli, ih, wd, model, lic_d1, device, publisher):
    state = wd / "clock"
    state.write_text(ih.clock_line(1700000000))
    cli.ok("verify", model, *opener(device, publisher, lic_d1), "--clock-state", state)
    assert ih.parse_clock(state.read_text()) >= int(time.time()) - 5


@pytest.mark.parametrize("case", ["garbage", "empty", "bad-checksum", "no-checksum", "other-number"])
def test_clock_state_invalid(cli, ih, wd, model, lic_d1, device, publisher, case):
    state = wd / "clock"
    good = ih.clock_line(int(time.time()) - 10)
    content = {
        "garbage": "this is not a clock\n",
        "empty": "",
        "bad-checksum": re.sub(r" [0-9a-f]{16}\n$", " 0000000000000000\n", good),
        "no-checksum": good.rsplit(" ", 1)[0] + "\n",
        "other-number": ih.clock_line(int(time.time()) - 10).replace("OVSEAL-CLOCK-1 1", "OVSEAL-CLOCK-1 2", 1),
    }[case]
    assert content != good
    state.write_text(content)
    ih.fails_both(wd, model, "state_invalid", "clock state", *opener(device, publisher, lic_d1),
                  "--clock-state", state)
    assert state.read_text() == content, "a damaged clock state must never be reset silently"


def test_license_inspect_json(cli, h, model, issue, device, publisher):
    nb, ex = 1893456000, 1924992000          # 2030-01-01T00:00:00Z, 2031-01-01T00:00:00Z
    lic = issue("--device", device("d1").pub, "--not-before", str(nb), "--expires", str(ex), "--note", "n\x1b1")
    j = json.loads(cli.ok("license", "inspect", lic, "--json").stdout)
    assert sorted(j) == ["device", "expires", "expires_utc", "file", "model_id", "not_before", "not_before_utc",
                         "note", "signature_valid", "signer", "signer_key_id", "size"]
    assert sorted(j) == sorted(h.man_json_keys(cli, "license inspect"))  # the man page lists them
    assert sorted(h.inspect_json(cli, model)["signature"]) == sorted(h.man_json_keys(cli, "inspect")["signature"])
    assert j["model_id"] == h.inspect_json(cli, model)["signature"]["model_id"]
    assert j["device"] == device("d1").pub
    assert (j["not_before"], j["expires"]) == (nb, ex)
    assert (j["not_before_utc"], j["expires_utc"]) == ("2030-01-01T00:00:00Z", "2031-01-01T00:00:00Z")
    assert j["signer_key_id"] == publisher.key_id and j["signer"] == publisher.text
    assert j["note"] == "n\x1b1" and j["signature_valid"] is True and j["size"] == lic.stat().st_size
    # No window given: null, not 0.
    j = json.loads(cli.ok("license", "inspect", issue("--device", device("d1").pub), "--json").stdout)
    assert j["not_before"] is None and j["expires"] is None and j["expires_utc"] is None


def test_license_inspect_json_error(cli, ih, wd):
    bad = wd / "bad.lic"
    bad.write_text("not a license\n")
    r = cli("license", "inspect", bad, "--json")
    ih.assert_error(r, "license_invalid", "license")
    error = json.loads(r.stdout)["error"]
    assert (error["code"], error["name"]) == (18, "license_invalid")
    stderr_line = next(line for line in r.stderr.splitlines() if line.startswith("ovseal: error: "))
    assert error["message"] == stderr_line[len("ovseal: error: "):]
