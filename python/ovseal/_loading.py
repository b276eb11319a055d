"""Loading sealed models into OpenVINO: openvino's own Model and CompiledModel, whose decrypted weights live in
locked memory owned by the model itself (the frontend library decrypts into it), for exactly as long as OpenVINO
keeps the model."""

from __future__ import annotations

from typing import Any, Mapping, Optional

import openvino as ov

from . import _frontend
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


def _refuse_model_cache(core: "ov.Core", device: str, config: Optional[Mapping[Any, Any]]) -> None:
    # OpenVINO's model cache writes the compiled model, weights included, to CACHE_DIR: the plaintext on disk.
    if any(_property_name(k) == _CACHE_DIR and v for k, v in (config or {}).items()):
        raise CacheDirRefusedError("CACHE_DIR is refused for sealed models: OpenVINO's model cache would write "
                                   "the decrypted weights to disk")
    try:
        core_cache = core.get_property(_CACHE_DIR)
    except Exception:
        core_cache = ""
    if core_cache:
        raise CacheDirRefusedError("this Core has CACHE_DIR set: OpenVINO's model cache would write the decrypted "
                                   "weights of a sealed model to disk; use a Core without it")


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
    """:func:`read_model` (with the same keyword arguments) and ``core.compile_model``. OpenVINO's model cache
    (``CACHE_DIR`` in ``config`` or on the Core) is refused with :class:`ovseal.errors.CacheDirRefusedError`."""
    _refuse_model_cache(core, device, config)
    model = read_model(core, path, key_file=key_file, passphrase=passphrase, identity=identity, licenses=licenses,
                       trust=trust, passphrase_file=passphrase_file, allow_unsigned=allow_unsigned,
                       clock_state=clock_state, tcti=tcti)
    return core.compile_model(model, device, dict(config or {}))
