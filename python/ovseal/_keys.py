# SPDX-License-Identifier: Apache-2.0
"""Key files, device identities and publisher signing keys."""

from __future__ import annotations

from typing import Optional

from . import _native
from ._ring import PathLike, paths


def generate_key(path: PathLike) -> None:
    """Writes a new random 256-bit key file (mode 0600); refuses to overwrite an existing file."""
    _native.generate_key(paths(path)[0])


def create_identity(directory: PathLike, *, storage: str = "file", tcti: str = "", pcrs: str = "") -> str:
    """Creates a device identity folder and returns its public key text (``ovseal-x25519:...`` or
    ``ovseal-p256:...``). ``storage``: "file" (DIR/identity), "tpm" (the X25519 key sealed by this machine's
    TPM) or "tpm-p256" (a P-256 key that never leaves the TPM); ``pcrs`` binds TPM keys, e.g. "sha256:0,7"."""
    return _native.create_identity(paths(directory)[0], storage, tcti, pcrs)


def identity_public_key(directory: PathLike, *, tcti: str = "") -> str:
    """The public key text of an identity folder."""
    return _native.identity_public_key(paths(directory)[0], tcti)


def generate_signing_key(path: PathLike, *, passphrase: Optional[str] = None, scrypt_log2_n: int = _native.DEFAULT_SCRYPT_LOG2_N) -> str:
    """Writes a publisher signing key to PATH (protected by ``passphrase`` if given) and its public key to
    PATH.pub; returns the public key text (``ovseal-ed25519:...``). Refuses to overwrite."""
    return _native.generate_signing_key(paths(path)[0], passphrase, scrypt_log2_n)
