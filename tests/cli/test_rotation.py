# SPDX-License-Identifier: Apache-2.0
"""Key rotation: `ovseal rewrap` (new stanzas, same file key, payload, signature and licenses: FORMAT.md §12.1)
and `ovseal reseal` (a new file key: new model id, old licenses and signature gone). Every way that opens a
file is checked with real inference: outputs equal the plain model's, bit for bit."""

import shutil

import pytest

from conftest_identity import device, ih, plain_outputs, publisher  # noqa: F401  (pytest fixtures)
from conftest_identity import seal_signed

NAME, VERSION, DESCRIPTION = "rotor", "3.1.4", "rotation test model"


@pytest.fixture(scope="module")
def signed(cli, wd_module, models, secrets, publisher):
    """mlp sealed with key1 only, 64 KiB chunks (3 chunks), signed, with public metadata."""
    out = wd_module / "signed.ovseal"
    seal_signed(cli, models, out, publisher, "--key-file", secrets.key1,
                extra=("--chunk-size", "65536", "--name", NAME, "--version", VERSION, "--description", DESCRIPTION))
    return out


@pytest.fixture(scope="module")
def devices_file(wd_module, device):
    p = wd_module / "devices.txt"
    p.write_text(device("d2").pub + "\n")
    return p


@pytest.fixture(scope="module")
def full(cli, wd_module, signed, secrets, device, devices_file):
    """`signed` rewrapped to add key2, passphrase pass1, device d1 (-r) and device d2 (-R):
    stanzas [0] key1, [1] key2, [2] pass1, [3] d1, [4] d2."""
    out = wd_module / "full.ovseal"
    r = cli.ok("rewrap", signed, "-o", out, "--key-file", secrets.key1, "--add-key-file", secrets.key2,
               "--add-passphrase-file", secrets.pass1, "--scrypt-log2n", "16",
               "-r", device("d1").pub, "-R", devices_file)
    assert "Wrote" in r.stdout
    return out


@pytest.fixture(scope="module")
def license(cli, wd_module, signed, secrets, publisher, device):
    """A license for device d3 (in no stanza) to open `signed`."""
    out = wd_module / "d3.lic"
    cli.ok("license", "issue", "--model", signed, "--key-file", secrets.key1, "--sign", publisher.key,
           "--device", device("d3").pub, "-o", out)
    return out


def ways(secrets, device, publisher):
    """Name -> the options that open a file that way."""
    return {
        "key1": ["--key-file", secrets.key1],
        "key2": ["--key-file", secrets.key2],
        "pass1": ["--passphrase-file", secrets.pass1],
        "d1": ["--identity", device("d1").dir, "--trust", publisher.pub],
        "d2": ["--identity", device("d2").dir, "--trust", publisher.pub],
    }


def stanza_types(h, cli, path):
    return [s["type"] for s in h.inspect_json(cli, path)["stanzas"]]


def model_id(h, cli, path):
    sig = h.inspect_json(cli, path)["signature"]
    return sig["model_id"] if sig else None


def payload(h, path):
    """The bytes after the header: every chunk and the trailer."""
    data = path.read_bytes()
    return data[h.header_length(data):]


def is_hex64(text):
    return text is not None and len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def opens_like_plain(h, ih, wd, path, label, opener, plain):
    out, _ = ih.run_outputs(wd, label, path, *opener)
    h.assert_same_outputs(plain, out)


def only_files(wd, *names):
    """WD holds exactly NAMES (no output and no partial file was left behind)."""
    assert sorted(p.name for p in wd.iterdir()) == sorted(names)


# ---------------------------------------------------------------------------------------------------------
# rewrap: adding

def test_rewrap_adds_every_way(cli, h, ih, wd, full, secrets, device, publisher, plain_outputs):
    assert stanza_types(h, cli, full) == ["key", "key", "scrypt", "x25519-tagged", "x25519-tagged"]
    plain = plain_outputs("mlp")
    for name, opener in ways(secrets, device, publisher).items():
        opens_like_plain(h, ih, wd, full, name, opener, plain)
        cli.ok("verify", full, *opener)
    # The signature still verifies under the publisher's key, whichever stanza opens the file.
    r = cli.ok("verify", full, "--key-file", secrets.key2, "--trust", publisher.pub)
    assert model_id(h, cli, full) in r.stdout


def test_rewrap_keeps_model_id_chunks_and_trailer(cli, h, signed, full):
    mid = model_id(h, cli, signed)
    assert is_hex64(mid)
    assert model_id(h, cli, full) == mid
    before, after = signed.read_bytes(), full.read_bytes()
    assert h.header_length(after) > h.header_length(before)   # four stanzas more
    assert payload(h, full) == payload(h, signed)
    info_before, info_after = h.inspect_json(cli, signed), h.inspect_json(cli, full)
    for k in ("chunk_count", "chunk_size", "entries", "metadata"):
        assert info_after[k] == info_before[k], k
    assert len(after) - h.header_length(after) == len(before) - h.header_length(before)


def test_rewrap_keeps_licenses(cli, h, ih, wd, signed, full, license, secrets, device, publisher, plain_outputs):
    """A license issued for the input opens the rewrapped file (same model id and file key)."""
    opener = ["--identity", device("d3").dir, "--license", license, "--trust", publisher.pub]
    cli.ok("verify", signed, *opener)
    r = cli.ok("verify", full, *opener)
    assert model_id(h, cli, full) in r.stdout
    opens_like_plain(h, ih, wd, full, "lic", opener, plain_outputs("mlp"))
    # ... and keeps doing so after a stanza is removed.
    less = wd / "less.ovseal"
    cli.ok("rewrap", full, "-o", less, "--key-file", secrets.key1, "--remove-stanza", "3")
    cli.ok("verify", less, *opener)


# ---------------------------------------------------------------------------------------------------------
# rewrap: removing

@pytest.mark.parametrize("how", ["index-key", "index-device", "key-file", "passphrase"])
def test_rewrap_removes_a_stanza(cli, h, ih, wd, full, secrets, device, publisher, plain_outputs, how):
    removed, options, keyword, types = {
        "index-key": ("key2", ["--remove-stanza", "1"], "key", ["key", "scrypt", "x25519-tagged", "x25519-tagged"]),
        "index-device": ("d1", ["--remove-stanza", "3"], "key", ["key", "key", "scrypt", "x25519-tagged"]),
        "key-file": ("key2", ["--remove-key-file", secrets.key2], "key", ["key", "scrypt", "x25519-tagged", "x25519-tagged"]),
        "passphrase": ("pass1", ["--remove-passphrase"], "passphrase", ["key", "key", "x25519-tagged", "x25519-tagged"]),
    }[how]
    out = wd / "less.ovseal"
    cli.ok("rewrap", full, "-o", out, "--key-file", secrets.key1, *options)
    assert stanza_types(h, cli, out) == types
    assert model_id(h, cli, out) == model_id(h, cli, full)
    assert payload(h, out) == payload(h, full)
    all_ways = ways(secrets, device, publisher)
    ih.fails_both(wd, out, "no_matching_key", keyword, *all_ways[removed])
    plain = plain_outputs("mlp")
    for name, opener in all_ways.items():
        if name == removed:
            continue
        if name in ("key1", "d2"):          # inference through two of the remaining ways, verify for all
            opens_like_plain(h, ih, wd, out, f"o-{name}", opener, plain)
        cli.ok("verify", out, *opener)


def test_rewrap_removes_by_key_file_opened_with_it(cli, h, ih, wd, full, secrets, plain_outputs):
    """The key that opens the file may remove its own stanza: the result opens only the other ways."""
    out = wd / "x.ovseal"
    cli.ok("rewrap", full, "-o", out, "--key-file", secrets.key2, "--remove-key-file", secrets.key2)
    assert stanza_types(h, cli, out) == ["key", "scrypt", "x25519-tagged", "x25519-tagged"]
    ih.fails_both(wd, out, "no_matching_key", "key", "--key-file", secrets.key2)
    opens_like_plain(h, ih, wd, out, "k1", ["--key-file", secrets.key1], plain_outputs("mlp"))


def test_rewrap_changes_passphrase(cli, h, ih, wd, full, secrets, plain_outputs):
    out = wd / "changed.ovseal"
    cli.ok("rewrap", full, "-o", out, "--passphrase-file", secrets.pass1, "--remove-passphrase",
           "--add-passphrase-file", secrets.pass2, "--scrypt-log2n", "16")
    types = stanza_types(h, cli, out)
    assert sorted(types) == sorted(["key", "key", "scrypt", "x25519-tagged", "x25519-tagged"]) and types.count("scrypt") == 1
    assert model_id(h, cli, out) == model_id(h, cli, full)
    assert payload(h, out) == payload(h, full)
    ih.fails_both(wd, out, "no_matching_key", "passphrase", "--passphrase-file", secrets.pass1)
    opens_like_plain(h, ih, wd, out, "p2", ["--passphrase-file", secrets.pass2], plain_outputs("mlp"))
    cli.ok("verify", out, "--key-file", secrets.key1)


# ---------------------------------------------------------------------------------------------------------
# rewrap: refusals (nothing written)

def test_rewrap_removing_every_stanza_is_usage(cli, ih, wd, signed, full, secrets):
    out = wd / "none.ovseal"
    ih.assert_error(cli("rewrap", signed, "-o", out, "--key-file", secrets.key1, "--remove-stanza", "0"), "usage")
    ih.assert_error(cli("rewrap", full, "-o", out, "--key-file", secrets.key1,
                        "--remove-stanza", "0", "--remove-stanza", "1", "--remove-stanza", "2",
                        "--remove-stanza", "3", "--remove-stanza", "4"), "usage")
    ih.assert_error(cli("rewrap", signed, "-o", out, "--key-file", secrets.key1,
                        "--remove-key-file", secrets.key1), "usage")
    only_files(wd)


def test_rewrap_second_passphrase_is_usage(cli, ih, wd, full, secrets):
    out = wd / "two.ovseal"
    r = cli("rewrap", full, "-o", out, "--key-file", secrets.key1, "--add-passphrase-file", secrets.pass2,
            "--scrypt-log2n", "16")
    ih.assert_error(r, "usage", "passphrase")
    only_files(wd)


def test_rewrap_missing_stanza_index_is_usage(cli, ih, wd, signed, secrets):
    r = cli("rewrap", signed, "-o", wd / "o.ovseal", "--key-file", secrets.key1, "--add-key-file", secrets.key2,
            "--remove-stanza", "5")
    ih.assert_error(r, "usage", "stanza")
    only_files(wd)


def test_rewrap_wrong_key(cli, ih, wd, signed, full, secrets):
    r = cli("rewrap", signed, "-o", wd / "o.ovseal", "--key-file", secrets.key2, "--add-key-file", secrets.key2)
    ih.assert_error(r, "no_matching_key", "key")
    r = cli("rewrap", full, "-o", wd / "o.ovseal", "--passphrase-file", secrets.pass2,
            "--add-key-file", secrets.key2)
    ih.assert_error(r, "no_matching_key", "passphrase")
    only_files(wd)
    # In place: the input is left as it was.
    work = wd / "in.ovseal"
    shutil.copyfile(signed, work)
    r = cli("rewrap", work, "-o", work, "--key-file", secrets.key2, "--add-key-file", secrets.key2)
    ih.assert_error(r, "no_matching_key", "key")
    assert work.read_bytes() == signed.read_bytes()
    only_files(wd, "in.ovseal")


def test_rewrap_in_place(cli, h, ih, wd, signed, secrets, publisher, plain_outputs):
    work = wd / "m.ovseal"
    shutil.copyfile(signed, work)
    r = cli.ok("rewrap", work, "-o", work, "--key-file", secrets.key1, "--add-key-file", secrets.key2,
               "--remove-key-file", secrets.key1)
    assert "Wrote" in r.stdout
    assert stanza_types(h, cli, work) == ["key"]
    assert model_id(h, cli, work) == model_id(h, cli, signed)
    assert payload(h, work) == payload(h, signed)
    ih.fails_both(wd, work, "no_matching_key", "key", "--key-file", secrets.key1)
    opens_like_plain(h, ih, wd, work, "o", ["--key-file", secrets.key2, "--trust", publisher.pub],
                     plain_outputs("mlp"))
    assert sorted(p.name for p in wd.iterdir() if p.is_file()) == ["m.ovseal"]


@pytest.mark.parametrize("in_place", [False, True], ids=["new-file", "in-place"])
def test_rewrap_damaged_chunk(cli, h, ih, wd, signed, secrets, in_place):
    """A flipped byte in a chunk: payload_auth_failed (never re-wrapped under a fresh header), nothing written."""
    data = signed.read_bytes()
    hl = h.header_length(data)
    damaged = ih.flip(data, hl + 65536 + 16 + 100)          # inside the second chunk
    work = wd / "d.ovseal"
    work.write_bytes(damaged)
    out = work if in_place else wd / "o.ovseal"
    r = cli("rewrap", work, "-o", out, "--key-file", secrets.key1, "--add-key-file", secrets.key2)
    ih.assert_error(r, "payload_auth_failed")
    assert work.read_bytes() == damaged
    only_files(wd, "d.ovseal")


# ---------------------------------------------------------------------------------------------------------
# reseal

@pytest.fixture(scope="module")
def resealed(cli, wd_module, signed, secrets, device, publisher):
    """`signed` resealed for key2, pass1 and d1 (-r) only, signed again."""
    out = wd_module / "resealed.ovseal"
    r = cli.ok("reseal", signed, "-o", out, "--key-file", secrets.key1, "--to-key-file", secrets.key2,
               "--to-passphrase-file", secrets.pass1, "--scrypt-log2n", "16", "-r", device("d1").pub,
               "--sign", publisher.key)
    assert "Wrote" in r.stdout
    return out


def test_reseal_new_recipients_open(cli, h, ih, wd, resealed, secrets, device, publisher, plain_outputs):
    assert stanza_types(h, cli, resealed) == ["key", "scrypt", "x25519-tagged"]
    all_ways = ways(secrets, device, publisher)
    plain = plain_outputs("mlp")
    for name in ("key2", "pass1", "d1"):
        opens_like_plain(h, ih, wd, resealed, name, all_ways[name], plain)
    # The old key no longer opens it (nor a device that was never a recipient).
    ih.fails_both(wd, resealed, "no_matching_key", "key", *all_ways["key1"])
    ih.fails_both(wd, resealed, "no_matching_key", "key", *all_ways["d2"])


def test_reseal_new_model_id_and_payload(cli, h, signed, resealed, secrets, publisher):
    old, new = model_id(h, cli, signed), model_id(h, cli, resealed)
    assert is_hex64(old) and is_hex64(new) and new != old
    assert payload(h, resealed) != payload(h, signed)
    info = h.inspect_json(cli, resealed)
    assert info["signature"]["signer_key_id"] == publisher.key_id
    r = cli.ok("verify", resealed, "--key-file", secrets.key2, "--trust", publisher.pub)
    assert new in r.stdout


def test_reseal_keeps_metadata(cli, h, signed, resealed):
    before, after = h.inspect_json(cli, signed), h.inspect_json(cli, resealed)
    for k in ("name", "version", "description"):
        assert after["metadata"][k] == before["metadata"][k], k
    assert (after["metadata"]["name"], after["metadata"]["version"], after["metadata"]["description"]) == \
        (NAME, VERSION, DESCRIPTION)
    assert [(e["name"], e["kind"], e["size"]) for e in after["entries"]] == \
        [(e["name"], e["kind"], e["size"]) for e in before["entries"]]
    assert after["chunk_size"] == before["chunk_size"]


def test_reseal_old_license_wrong_model(cli, ih, wd, signed, resealed, license, device, publisher):
    opener = ["--identity", device("d3").dir, "--license", license, "--trust", publisher.pub]
    cli.ok("verify", signed, *opener)
    ih.fails_both(wd, resealed, "license_wrong_model", "model", *opener)


def test_reseal_without_sign_is_unsigned(cli, h, ih, wd, signed, secrets, publisher, plain_outputs):
    out = wd / "u.ovseal"
    r = cli.ok("reseal", signed, "-o", out, "--key-file", secrets.key1, "--to-key-file", secrets.key2)
    assert "unsigned" in r.stdout
    assert h.inspect_json(cli, out)["signature"] is None
    assert stanza_types(h, cli, out) == ["key"]
    opens_like_plain(h, ih, wd, out, "o", ["--key-file", secrets.key2], plain_outputs("mlp"))
    ih.fails_both(wd, out, "signature_required", "signed", "--key-file", secrets.key2, "--trust", publisher.pub)
    ih.fails_both(wd, out, "no_matching_key", "key", "--key-file", secrets.key1)


def test_reseal_without_recipient_is_usage(cli, ih, wd, signed, secrets, publisher):
    out = wd / "o.ovseal"
    ih.assert_error(cli("reseal", signed, "-o", out, "--key-file", secrets.key1), "usage")
    ih.assert_error(cli("reseal", signed, "-o", out, "--key-file", secrets.key1, "--sign", publisher.key), "usage")
    only_files(wd)


def test_reseal_wrong_key_and_damaged(cli, h, ih, wd, signed, secrets):
    out = wd / "o.ovseal"
    r = cli("reseal", signed, "-o", out, "--key-file", secrets.key2, "--to-key-file", secrets.key2)
    ih.assert_error(r, "no_matching_key", "key")
    data = signed.read_bytes()
    bad = wd / "bad.ovseal"
    bad.write_bytes(ih.flip(data, h.header_length(data) + 100))
    r = cli("reseal", bad, "-o", out, "--key-file", secrets.key1, "--to-key-file", secrets.key2)
    ih.assert_error(r, "payload_auth_failed")
    only_files(wd, "bad.ovseal")


def test_reseal_in_place(cli, h, ih, wd, signed, secrets, device, publisher, plain_outputs):
    work = wd / "m.ovseal"
    shutil.copyfile(signed, work)
    cli.ok("reseal", work, "-o", work, "--key-file", secrets.key1, "--to-key-file", secrets.key2,
           "-r", device("d2").pub, "--sign", publisher.key)
    assert stanza_types(h, cli, work) == ["key", "x25519-tagged"]
    assert model_id(h, cli, work) not in (None, model_id(h, cli, signed))
    ih.fails_both(wd, work, "no_matching_key", "key", "--key-file", secrets.key1)
    plain = plain_outputs("mlp")
    opens_like_plain(h, ih, wd, work, "k2", ["--key-file", secrets.key2, "--trust", publisher.pub], plain)
    opens_like_plain(h, ih, wd, work, "d2", ["--identity", device("d2").dir, "--trust", publisher.pub], plain)
    assert sorted(p.name for p in wd.iterdir() if p.is_file()) == ["m.ovseal"]


def test_reseal_help_names_the_recipient_options(cli):
    """The --to-* options' help must read as sentences (not "Key file to to")."""
    out = cli.ok("reseal", "--help").stdout
    assert " to to" not in out, out
    for option in ("--to-key-file", "--to-passphrase-file", "--to-device", "--to-devices-file"):
        assert option in out
