# SPDX-License-Identifier: Apache-2.0
"""Loading sealed models into OpenVINO: openvino's own Model and CompiledModel, whose decrypted weights live in
locked memory owned by the model itself (the frontend library decrypts into it), for exactly as long as OpenVINO
keeps the model."""

from __future__ import annotations

import os
from typing import Any, Mapping, Optional

import openvino as ov

from . import _frontend, _native
from ._ring import Paths, PathLike, key_ring, paths
from .errors import CacheDirRefusedError

_CACHE_DIR = "CACHE_DIR"


def read_model(
    core: "ov.Core",
    path: PathLike,
    *,
    key_file: Paths = None,
    passphrase: Optional[str] = None,
    identity: Paths = None,
    licenses: Paths = (),
    trust: Paths = (),
    passphrase_file: Optional[PathLike] = None,
    allow_unsigned: bool = False,
    clock_state: Optional[PathLike] = None,
    tcti: Optional[str] = None,
) -> "ov.Model":
    """Reads a sealed model as an ``openvino.Model``. Nothing reaches OpenVINO before the whole file is
    authenticated; a non-empty ``trust`` list (publisher .pub files or folders) requires a trusted signature.
    ``core`` is the Core the model is meant for (kept for symmetry with :func:`compile_model`)."""
    if not isinstance(core, ov.Core):
        raise TypeError("core must be an openvino.Core")
    ring = key_ring(key_file=key_file, passphrase=passphrase, passphrase_file=passphrase_file, identity=identity,
                    licenses=licenses, trust=trust, allow_unsigned=allow_unsigned, clock_state=clock_state,
                    tcti=tcti)
    return _frontend.convert(paths(path)[0], ring)


def _property_name(key: Any) -> str:
    return str(key() if callable(key) else key)


def _plain(value: Any) -> Any:
    """A config value as ovseal's native check reads it: a dict (DEVICE_PROPERTIES, one device's properties) or
    text. Property helpers (``ov.properties.cache_dir``) and their ``OVAny`` values become names and values."""
    if isinstance(value, ov.OVAny):
        value = value.value
    if value is None:
        return ""
    if isinstance(value, Mapping):
        return {_property_name(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return ",".join(str(_plain(v)) for v in value)  # a device priority list
    if isinstance(value, os.PathLike):
        return os.fsdecode(value)
    return str(value)


def _cache_dir(core: "ov.Core", device: str) -> str:
    try:
        value = core.get_property(device, _CACHE_DIR) if device else core.get_property(_CACHE_DIR)
    except Exception:  # a device (or core) without the property has no cache
        return ""
    return str(value or "")


def _refuse_model_cache(core: "ov.Core", device: str, config: Optional[Mapping[Any, Any]]) -> None:
    # OpenVINO's model cache writes the compiled model, weights included, to disk: the C++ API's decision, fed
    # with this Core's values and the config.
    message = _native.model_cache_refusal(device, _plain(dict(config or {})), lambda: list(core.available_devices),
                                          lambda d: _cache_dir(core, d))
    if message:
        raise CacheDirRefusedError(message)


def compile_model(
    core: "ov.Core",
    path: PathLike,
    device: str = "CPU",
    config: Optional[Mapping[Any, Any]] = None,
    *,
    key_file: Paths = None,
    passphrase: Optional[str] = None,
    identity: Paths = None,
    licenses: Paths = (),
    trust: Paths = (),
    passphrase_file: Optional[PathLike] = None,
    allow_unsigned: bool = False,
    clock_state: Optional[PathLike] = None,
    tcti: Optional[str] = None,
) -> "ov.CompiledModel":
    """:func:`read_model` (with the same keyword arguments) and ``core.compile_model``. OpenVINO's model cache,
    wherever it is set (``CACHE_DIR`` or ``CACHE_PATH`` in ``config``, inside its ``DEVICE_PROPERTIES``, on the Core
    or on a device the compile may use), is refused with :class:`ovseal.errors.CacheDirRefusedError`: it would
    write the decrypted weights to disk. The returned model is the caller's: compiling it again with a cache, or
    saving it, writes plaintext."""
    _refuse_model_cache(core, device, config)
    model = read_model(core, path, key_file=key_file, passphrase=passphrase, identity=identity, licenses=licenses,
                       trust=trust, passphrase_file=passphrase_file, allow_unsigned=allow_unsigned,
                       clock_state=clock_state, tcti=tcti)
    return core.compile_model(model, device, dict(config or {}))
