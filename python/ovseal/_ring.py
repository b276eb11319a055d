# SPDX-License-Identifier: Apache-2.0
"""The key ring: what a reader opens sealed files with, as the dict that both the native module and the frontend
library take (key-ring schema version 1)."""

from __future__ import annotations

import os
from typing import Iterable, List, Optional, Union

from . import _native

PathLike = Union[str, "os.PathLike[str]"]
Paths = Union[PathLike, Iterable[PathLike], None]

KEY_RING_VERSION = 1


def paths(value: Paths) -> List[str]:
    """One path or several, as absolute strings (the frontend resolves relative ones against another folder)."""
    if value is None:
        return []
    if isinstance(value, (str, bytes, os.PathLike)):
        value = [value]
    return [os.path.abspath(os.fsdecode(p)) for p in value]


def key_ring(
    *,
    key_file: Paths = None,
    passphrase: Optional[str] = None,
    passphrase_file: Optional[PathLike] = None,
    identity: Paths = None,
    licenses: Paths = (),
    trust: Paths = (),
    allow_unsigned: bool = False,
    clock_state: Optional[PathLike] = None,
    clock_tolerance: int = _native.DEFAULT_CLOCK_TOLERANCE,
    tcti: Optional[str] = None,
) -> dict:
    ring: dict = {"version": KEY_RING_VERSION, "key_files": paths(key_file)}
    if passphrase is not None:
        ring["passphrase"] = passphrase
    if passphrase_file is not None:
        ring["passphrase_file"] = paths(passphrase_file)[0]
    ring["identities"] = paths(identity)
    if tcti:
        ring["tcti"] = tcti
    ring["licenses"] = paths(licenses)
    ring["trust"] = paths(trust)
    ring["allow_unsigned"] = bool(allow_unsigned)
    if clock_state is not None:
        ring["clock_state"] = paths(clock_state)[0]
    ring["clock_tolerance"] = int(clock_tolerance)
    return ring
