# SPDX-License-Identifier: Apache-2.0
"""Sealing, inspecting and verifying sealed files through ovseal's C++ API."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Iterable, List, Optional, Tuple

from . import _native
from ._ring import Paths, PathLike, key_ring, paths


@dataclass(frozen=True)
class Entry:
    """A file inside the sealed payload. ``kind``: 1 IR .xml, 2 IR .bin, 3 ONNX."""

    name: str
    kind: int
    size: int


@dataclass(frozen=True)
class FileInfo:
    """What a sealed file says about itself. From :func:`inspect` it is NOT authenticated; from :func:`verify`,
    ``verified`` (and ``signature_verified`` when a trust list was given) tell what was checked."""

    format_version: int
    file_size: int
    header_size: int
    chunk_size: int
    chunk_count: int
    stanza_types: Tuple[str, ...]
    entries: Tuple[Entry, ...]
    model_name: Optional[str]
    model_version: Optional[str]
    description: Optional[str]
    created: Optional[int]
    openvino_version: Optional[str]
    sealed_by: Optional[str]
    unknown_records: Tuple[int, ...]
    signer_key_id: Optional[str]
    model_id: Optional[str]
    verified: bool = False
    signature_verified: bool = False
    opened_unsigned_by_device: bool = False
    license_only: bool = False

    @classmethod
    def _from(cls, d: dict) -> "FileInfo":
        d = dict(d)
        d["entries"] = tuple(Entry(**e) for e in d["entries"])
        d["stanza_types"] = tuple(d["stanza_types"])
        d["unknown_records"] = tuple(d["unknown_records"])
        return cls(**d)


def _device_keys(devices: Iterable[str]) -> List[str]:
    """Public key texts, given as text or as a .pub file holding it."""
    keys = []
    for device in devices:
        text = os.fsdecode(device)
        if not text.startswith("ovseal-"):
            with open(text, encoding="utf-8") as f:
                text = f.read().strip()
        keys.append(text)
    return keys


def seal(
    model: PathLike,
    output: PathLike,
    *,
    key_file: Paths = None,
    passphrase: Optional[str] = None,
    passphrase_file: Optional[PathLike] = None,
    devices: Iterable[str] = (),
    sign: Optional[str] = None,
    sign_passphrase: Optional[str] = None,
    name: Optional[str] = None,
    version: Optional[str] = None,
    description: Optional[str] = None,
    chunk_size: int = 0,
    scrypt_log2_n: int = _native.DEFAULT_SCRYPT_LOG2_N,
    check_model: bool = True,
    conversion: str = "automatic",
    license_only: bool = False,
) -> None:
    """Seals ``model`` into ``output`` for the key files, the passphrase and the ``devices`` (public key texts or
    identity.pub files). ``model``: an IR .xml (with its .bin), an .onnx, a PaddlePaddle .pdmodel, a TensorFlow
    .pb or SavedModel folder, or a .tflite; ``conversion`` ("automatic", "to_ir", "keep_format") says which are
    converted to IR, in locked memory. ``sign``: a signing key file or a "pkcs11:" URI (devices and licenses need
    a signed model). ``license_only``: devices with a trust list open the model only through a license signed by
    ``sign`` (needs ``sign``, refuses ``devices``). Plaintext is never written anywhere."""
    recipients = key_ring(key_file=key_file, passphrase=passphrase, passphrase_file=passphrase_file)
    _native.seal(
        paths(model)[0], paths(output)[0], recipients, _device_keys(devices),
        None if sign is None else (sign if sign.startswith("pkcs11:") else paths(sign)[0]),
        sign_passphrase, name, version, description, chunk_size, scrypt_log2_n, check_model, conversion,
        license_only,
    )


def inspect(path: PathLike) -> FileInfo:
    """The public header of a sealed file, read without a key. NOT authenticated: anyone could have written it."""
    return FileInfo._from(_native.inspect(paths(path)[0]))


def verify(
    path: PathLike,
    *,
    key_file: Paths = None,
    passphrase: Optional[str] = None,
    passphrase_file: Optional[PathLike] = None,
    identity: Paths = None,
    licenses: Paths = (),
    trust: Paths = (),
    allow_unsigned: bool = False,
    clock_state: Optional[PathLike] = None,
    tcti: Optional[str] = None,
) -> FileInfo:
    """Authenticates the header and every chunk (and the signature against ``trust``, licenses for ``identity``);
    raises the :class:`ovseal.Error` subclass for any failure. No plaintext is kept."""
    ring = key_ring(key_file=key_file, passphrase=passphrase, passphrase_file=passphrase_file, identity=identity,
                    licenses=licenses, trust=trust, allow_unsigned=allow_unsigned, clock_state=clock_state,
                    tcti=tcti)
    return FileInfo._from(_native.verify(paths(path)[0], ring))


def model_id(path: PathLike) -> str:
    """The model id (hex) computed from the sealed file itself; needs no key."""
    return _native.model_id(paths(path)[0])


def is_sealed_file(path: PathLike) -> bool:
    """True if the file starts with the ovseal magic."""
    return _native.is_sealed_file(paths(path)[0])
