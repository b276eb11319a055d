# SPDX-License-Identifier: Apache-2.0
"""ovseal inspect: public metadata, shown unverified, control characters escaped."""

import json
import math

import pytest

NAME = "Test CNN \u00e9"
VERSION = "1.2.3-rc1"
DESCRIPTION = "first line\nsecond \x1b[31mred\x1b[0m line\ttab"


@pytest.fixture(scope="module")
def sealed_meta(seal):
    return seal("cnn", "key1", "--name", NAME, "--version", VERSION, "--description", DESCRIPTION)


def test_inspect_text(cli, models, sealed_meta):
    r = cli.ok("inspect", sealed_meta)
    assert NAME in r.stdout
    assert VERSION in r.stdout
    assert "first line" in r.stdout and "red" in r.stdout
    assert "unverified" in r.stdout.lower()
    # Control characters in metadata are escaped (FORMAT.md §5.1): no raw ESC, the newline of the
    # description does not reach the terminal as a newline.
    assert b"\x1b" not in r.stdout_bytes
    assert "first line\nsecond" not in r.stdout
    assert "line\ttab" not in r.stdout
    assert "model.xml" in r.stdout and "model.bin" in r.stdout


def test_inspect_json(cli, h, models, sealed_meta):
    info = h.inspect_json(cli, sealed_meta)
    assert info["format_version"] == 1
    assert info["verified"] is False
    cs = info["chunk_size"]
    assert isinstance(cs, int) and 2 ** 16 <= cs <= 2 ** 22 and cs & (cs - 1) == 0
    md = info["metadata"]
    assert md["name"] == NAME
    assert md["version"] == VERSION
    assert md["description"] == DESCRIPTION
    for k in ("created", "openvino_version", "sealed_by"):
        assert k in md and md[k] not in (None, "")
    assert "ovseal" in str(md["sealed_by"]).lower()
    xml = models["cnn"]
    sizes = {e["name"]: e["size"] for e in info["entries"]}
    assert sizes == {"model.xml": xml.stat().st_size, "model.bin": xml.with_suffix(".bin").stat().st_size}
    kinds = {e["name"]: e["kind"] for e in info["entries"]}
    assert kinds["model.xml"] != kinds["model.bin"]
    assert [s["type"] for s in info["stanzas"]] == ["key"]


def test_inspect_onnx_entries(cli, h, models, seal):
    info = h.inspect_json(cli, seal("onnx"))
    assert [(e["name"], e["size"]) for e in info["entries"]] == [("model.onnx", models["onnx"].stat().st_size)]


def test_inspect_needs_no_key(cli, h, seal):
    # No key given, none in the environment: inspect still works.
    r = cli.ok("inspect", seal("mlp"))
    assert "unverified" in r.stdout.lower()


def test_file_layout(cli, h, seal):
    """The file length is H + N * (CS + 16) with N = sum of max(1, ceil(size / CS)) (FORMAT.md §6.2)."""
    for sealed in (seal("mlp"), seal("marker", "key1", "--chunk-size", h.SMALL_CHUNK)):
        data = sealed.read_bytes()
        assert data[:8] == h.MAGIC
        info = h.inspect_json(cli, sealed)
        cs = info["chunk_size"]
        n = sum(max(1, math.ceil(e["size"] / cs)) for e in info["entries"])
        assert len(data) == h.header_length(data) + n * (cs + 16)
    info = h.inspect_json(cli, seal("marker", "key1", "--chunk-size", h.SMALL_CHUNK))
    assert info["chunk_size"] == 65536


def test_sealed_file_hides_content(seal, models):
    """Entries are encrypted: neither the weights' marker nor the topology text appears in the file."""
    data = seal("marker", "key1", "--chunk-size", "65536").read_bytes()
    assert b"OVSEAL-PLAINTEXT-MARKER-7f3a9c2e" not in data
    assert b"<layer" not in data and b"<?xml" not in data
    xml = models["marker"].read_bytes()
    assert xml[:200] not in data
