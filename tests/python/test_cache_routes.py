# SPDX-License-Identifier: Apache-2.0
"""compile_model refuses OpenVINO's model cache wherever it is set: OpenVINO would write the compiled model, the
decrypted weights included, into it. Each route OpenVINO honours has a control: plain OpenVINO with the same
setting writes a file holding a marker from the model's weights, so the route is real. The decision is the C++
API's (src/openvino/disk_writes.cpp), fed with this Core's values."""

import os
from pathlib import Path

import numpy as np
import openvino as ov
import openvino.opset13 as ops
import openvino.properties as props
import openvino.properties.device as device_props
import pytest

import ovseal

MARKER = b"OVSEAL-PLAINTEXT-MARKER-7f3a9c2e"  # 32 bytes: 8 floats


def marker_model():
    """x [1,64] @ W + a bias made of the marker: bias constants stay contiguous f32 in the compiled model."""
    width = 8 * 64
    bias = np.frombuffer(MARKER * (width // 8), dtype=np.float32).reshape(1, width)
    weights = np.random.default_rng(5).uniform(-0.1, 0.1, (64, width)).astype(np.float32)
    x = ops.parameter([1, 64], np.float32, name="input")
    return ov.Model([ops.result(ops.add(ops.matmul(x, ops.constant(weights), False, False), ops.constant(bias)))],
                    [x], "marker")


@pytest.fixture(scope="session")
def marker(tmp_path_factory, secrets):
    d = tmp_path_factory.mktemp("marker")
    ov.save_model(marker_model(), d / "marker.xml", compress_to_fp16=False)
    ovseal.seal(d / "marker.xml", d / "marker.ovseal", key_file=secrets.key_file)
    return d / "marker.xml", d / "marker.ovseal"


def files_in(folder):
    return [p for p in folder.rglob("*") if p.is_file()]


def marker_in(folder):
    return any(MARKER in p.read_bytes() for p in files_in(folder))


def nothing(core, cache):
    pass


def core_wide(core, cache):
    core.set_property({"CACHE_DIR": cache})


def on_cpu(core, cache):
    core.set_property("CPU", {"CACHE_DIR": cache})


def cpu_first(cache):
    return dict([device_props.priorities("CPU")])


# name: (set on the Core, device, config, whether plain OpenVINO 2026.4 writes a cache this way (measured))
ROUTES = {
    "core_wide": (core_wide, "CPU", None, True),
    "core_wide_property_helper": (lambda c, d: c.set_property(dict([props.cache_dir(d)])), "CPU", None, True),
    "core_wide_cache_path": (lambda c, d: c.set_property({"CACHE_PATH": d}), "CPU", None, True),
    "on_the_device": (on_cpu, "CPU", None, True),
    "on_the_device_cache_path": (lambda c, d: c.set_property("CPU", {"CACHE_PATH": d}), "CPU", None, True),
    "on_the_device_with_id": (lambda c, d: c.set_property("CPU.0", {"CACHE_DIR": d}), "CPU", None, True),
    "in_the_config": (nothing, "CPU", lambda d: {"CACHE_DIR": d}, True),
    "in_the_config_property_key": (nothing, "CPU", lambda d: {props.cache_dir: d}, True),
    "in_the_config_property_helper": (nothing, "CPU", lambda d: dict([props.cache_dir(d)]), True),
    "in_the_config_path_value": (nothing, "CPU", lambda d: {"CACHE_DIR": Path(d)}, True),
    "in_the_config_cache_path": (nothing, "CPU", lambda d: {"CACHE_PATH": d}, True),
    "in_device_properties_dict": (nothing, "CPU", lambda d: {"DEVICE_PROPERTIES": {"CPU": {"CACHE_DIR": d}}}, True),
    "in_device_properties_helper": (
        nothing, "CPU", lambda d: dict([device_props.properties({"CPU": {props.cache_dir: d}})]), True),
    "in_device_properties_serialized": (
        nothing, "CPU", lambda d: {"DEVICE_PROPERTIES": "{CPU:{CACHE_DIR:%s}}" % d}, True),
    "in_the_config_for_auto": (nothing, "AUTO", lambda d: {"CACHE_DIR": d}, True),
    "core_wide_for_hetero": (core_wide, "HETERO:CPU", None, True),
    "on_the_device_for_auto": (on_cpu, "AUTO", None, True),
    "on_the_device_for_auto_cpu": (on_cpu, "AUTO:CPU", None, True),
    "on_the_device_for_auto_excluding_gpu": (on_cpu, "AUTO:-GPU", None, True),
    "on_the_device_for_multi_cpu": (on_cpu, "MULTI:CPU", None, True),
    "on_the_device_for_batch_cpu": (on_cpu, "BATCH:CPU(4)", None, True),
    "on_the_device_for_hetero_cpu": (on_cpu, "HETERO:CPU", None, False),
    "on_the_device_for_multi_with_priorities": (on_cpu, "MULTI", cpu_first, True),
    "on_the_device_for_auto_with_priorities": (on_cpu, "AUTO", lambda d: {"MULTI_DEVICE_PRIORITIES": "CPU"}, True),
    "on_the_device_for_batch_with_priorities": (on_cpu, "BATCH", lambda d: {"MULTI_DEVICE_PRIORITIES": "CPU"}, True),
    "on_hetero": (lambda c, d: c.set_property("HETERO", {"CACHE_DIR": d}), "HETERO:CPU", None, True),
    "on_auto": (lambda c, d: c.set_property("AUTO", {"CACHE_DIR": d}), "AUTO:CPU", None, False),
    "in_device_properties_for_auto": (
        nothing, "AUTO", lambda d: {"DEVICE_PROPERTIES": {"CPU": {"CACHE_DIR": d}}}, True),
    "in_device_properties_for_multi_cpu": (
        nothing, "MULTI:CPU", lambda d: {"DEVICE_PROPERTIES": "{CPU:{CACHE_DIR:%s}}" % d}, True),
    "in_device_properties_of_hetero": (
        nothing, "HETERO:CPU", lambda d: {"DEVICE_PROPERTIES": {"HETERO": {"CACHE_DIR": d}}}, True),
    "in_device_properties_for_hetero_cpu": (
        nothing, "HETERO:CPU", lambda d: {"DEVICE_PROPERTIES": {"CPU": {"CACHE_DIR": d}}}, False),
}


@pytest.mark.parametrize("route", ROUTES)
def test_refused(marker, secrets, work, route):
    on_core, device, config, _ = ROUTES[route]
    cache = work / "cache"
    cache.mkdir()
    core = ov.Core()
    on_core(core, str(cache))
    with pytest.raises(ovseal.CacheDirRefusedError) as raised:
        ovseal.compile_model(core, marker[1], device, config(str(cache)) if config else None,
                             key_file=secrets.key_file)
    assert isinstance(raised.value, ovseal.UsageError) and raised.value.code == 2
    assert "plaintext" in str(raised.value)
    assert files_in(cache) == []


@pytest.mark.parametrize("route", [name for name, (*_, honoured) in ROUTES.items() if honoured])
def test_plain_openvino_writes_the_weights(marker, work, route):
    on_core, device, config, _ = ROUTES[route]
    cache = work / "cache"
    cache.mkdir()
    core = ov.Core()
    on_core(core, str(cache))
    core.compile_model(str(marker[0]), device, config(str(cache)) if config else {})
    assert marker_in(cache), "OpenVINO no longer writes the weights this way: revisit the route"


def test_cache_set_after_a_first_compile(marker, secrets, work):
    cache = work / "cache"
    cache.mkdir()
    core = ov.Core()
    ovseal.compile_model(core, marker[1], "CPU", key_file=secrets.key_file)
    on_cpu(core, str(cache))
    with pytest.raises(ovseal.CacheDirRefusedError):
        ovseal.compile_model(core, marker[1], "CPU", key_file=secrets.key_file)
    assert files_in(cache) == []
    # Plain OpenVINO honours it from the next compile on.
    plain = ov.Core()
    plain.compile_model(str(marker[0]), "CPU")
    on_cpu(plain, str(cache))
    plain.compile_model(str(marker[0]), "CPU")
    assert marker_in(cache)


def test_empty_cache_settings_are_no_cache(core, marker, secrets):
    config = {"CACHE_DIR": "", "DEVICE_PROPERTIES": {"CPU": {"CACHE_DIR": ""}}, "PERFORMANCE_HINT": "LATENCY"}
    compiled = ovseal.compile_model(core, marker[1], "CPU", config, key_file=secrets.key_file)
    assert type(compiled) is ov.CompiledModel


# OpenVINO's pass tracing writes the model, weights included, to the current folder after every pass, even
# while it only reads a model: every load is refused while it is on.
@pytest.fixture
def tracing(monkeypatch, work):
    monkeypatch.chdir(work)
    return lambda value: monkeypatch.setenv("OV_ENABLE_SERIALIZE_TRACING", value)


def test_pass_tracing_is_refused(core, marker, secrets, work, tracing):
    tracing("true")
    with pytest.raises(ovseal.UsageError, match="OV_ENABLE_SERIALIZE_TRACING"):
        ovseal.read_model(core, marker[1], key_file=secrets.key_file)
    with pytest.raises(ovseal.UsageError, match="OV_ENABLE_SERIALIZE_TRACING"):
        ovseal.compile_model(core, marker[1], key_file=secrets.key_file)
    assert files_in(work) == []


@pytest.mark.parametrize("value", ["0", "false", "off", ""])
def test_pass_tracing_off_is_off(core, marker, secrets, work, tracing, value):
    tracing(value)
    ovseal.compile_model(core, marker[1], key_file=secrets.key_file)
    assert files_in(work) == []


def test_pass_tracing_writes_the_weights_with_plain_openvino(marker, work, tracing):
    tracing("true")
    ov.Core().read_model(str(marker[0]))
    os.environ.pop("OV_ENABLE_SERIALIZE_TRACING")
    assert marker_in(work), "OpenVINO no longer dumps models this way: revisit the check"
