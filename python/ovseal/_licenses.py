# SPDX-License-Identifier: Apache-2.0
"""Offline licenses: one signed file per device that lets it open one signed model during a validity window."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable, List, Optional

from . import _native
from ._files import _device_keys
from ._ring import Paths, PathLike, key_ring, paths


@dataclass(frozen=True)
class LicenseInfo:
    """A license's contents. Its own signature is checked; whether its signer is trusted is not."""

    model_id: str
    device: str
    not_before: int
    expires: int
    note: str
    signer: str
    size: int


def issue_licenses(
    sealed: PathLike,
    devices: Iterable[str],
    *,
    signer: str,
    signer_passphrase: Optional[str] = None,
    key_file: Paths = None,
    passphrase: Optional[str] = None,
    passphrase_file: Optional[PathLike] = None,
    not_before: int = 0,
    expires: int = 0,
    note: str = "",
) -> List[bytes]:
    """Licenses (in ``devices`` order) for each device (public key text or identity.pub) to open ``sealed``,
    which the publisher's key file or passphrase must open. ``not_before`` / ``expires``: seconds since the epoch
    (0: no limit). ``signer``: the signing key file that signed the model, or a "pkcs11:" URI."""
    ring = key_ring(key_file=key_file, passphrase=passphrase, passphrase_file=passphrase_file)
    signer_path = signer if signer.startswith("pkcs11:") else paths(signer)[0]
    return _native.issue_licenses(paths(sealed)[0], ring, _device_keys(devices), signer_path, signer_passphrase,
                                  int(not_before), int(expires), note)


def write_licenses(
    sealed: PathLike, devices: Iterable[str], directory: PathLike, **options
) -> List[str]:
    """:func:`issue_licenses`, written as DIRECTORY/<device key id>.lic (refusing to overwrite); returns the paths."""
    devices = _device_keys(devices)
    written = []
    for device, license in zip(devices, issue_licenses(sealed, devices, **options)):
        path = os.path.join(os.fsdecode(directory), _native.device_key_id(device) + ".lic")
        with open(path, "xb") as f:
            f.write(license)
        written.append(path)
    return written


def inspect_license(path: PathLike) -> LicenseInfo:
    """Reads a license and checks its own signature (not whether its signer is trusted)."""
    return LicenseInfo(**_native.inspect_license(paths(path)[0]))
