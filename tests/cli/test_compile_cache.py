# SPDX-License-Identifier: Apache-2.0
"""`ovseal run --cache-dir`: the sealed compiled-model cache from the command line. The first start compiles and
stores a sealed entry, the next imports it; outputs stay equal to the plain model's, bit for bit; a damaged
entry is rebuilt, never used; the cache never holds the model's plaintext."""

import pytest


def run(cli, wd, label, model, *extra):
    out = wd / label
    out.mkdir()
    r = cli.ok("run", model, "-d", "CPU", "--save-outputs", out, *extra)
    return r, out


def cache_line(r):
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("cache:")]
    assert len(lines) == 1, r.describe()
    return lines[0].split(None, 1)[1]


@pytest.mark.parametrize("model", ["cnn", "onnx"])
def test_second_start_imports_and_outputs_stay_exact(cli, h, wd, models, secrets, seal, model):
    sealed = seal(model)
    cache = wd / "cache"
    _, plain = run(cli, wd, "plain", models[model])
    first, first_out = run(cli, wd, "first", sealed, "--key-file", secrets.key1, "--cache-dir", cache)
    second, second_out = run(cli, wd, "second", sealed, "--key-file", secrets.key1, "--cache-dir", cache)
    assert cache_line(first).startswith("stored"), first.describe()
    assert cache_line(second).startswith("hit"), second.describe()
    h.assert_same_outputs(plain, first_out)
    h.assert_same_outputs(plain, second_out)
    entries = list(cache.iterdir())
    assert len(entries) == 1 and entries[0].suffix == ".ovcache"
    assert entries[0].stat().st_mode & 0o077 == 0, "a cache entry must be readable by its owner only"
    assert entries[0].read_bytes().startswith(h.MAGIC), "a cache entry is a sealed file"


def test_damaged_entry_is_rebuilt(cli, h, wd, models, secrets, seal):
    sealed = seal("mlp")
    cache = wd / "cache"
    _, plain = run(cli, wd, "plain", models["mlp"])
    run(cli, wd, "first", sealed, "--key-file", secrets.key1, "--cache-dir", cache)
    [entry] = cache.iterdir()
    data = bytearray(entry.read_bytes())
    data[len(data) // 2] ^= 0x40
    entry.write_bytes(bytes(data))
    r, out = run(cli, wd, "damaged", sealed, "--key-file", secrets.key1, "--cache-dir", cache)
    assert cache_line(r).startswith("rebuilt"), r.describe()
    assert "ovseal: cache:" in r.stderr, r.describe()
    h.assert_same_outputs(plain, out)
    r, _ = run(cli, wd, "again", sealed, "--key-file", secrets.key1, "--cache-dir", cache)
    assert cache_line(r).startswith("hit"), r.describe()


def test_cache_holds_no_plaintext(cli, h, wd, secrets, seal):
    sealed = seal("marker", "key1", "--chunk-size", h.SMALL_CHUNK)
    cache = wd / "cache"
    run(cli, wd, "first", sealed, "--key-file", secrets.key1, "--cache-dir", cache)
    [entry] = cache.iterdir()
    assert h.MARKER not in entry.read_bytes()


def test_plain_model_refuses_cache_dir(cli, h, wd, models):
    r = cli("run", models["mlp"], "--cache-dir", wd / "cache")
    h.assert_error(r, "usage", "--cache-dir")
    assert not (wd / "cache").exists()
