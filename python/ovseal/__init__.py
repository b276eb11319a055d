# SPDX-License-Identifier: Apache-2.0
"""ovseal: seal OpenVINO models and load them sealed, decrypting only into locked, non-dumpable, wiped memory.

    import openvino as ov
    import ovseal

    ovseal.generate_key("model.key")
    ovseal.seal("model.xml", "model.ovseal", key_file="model.key")
    compiled = ovseal.compile_model(ov.Core(), "model.ovseal", "CPU", key_file="model.key")

read_model / compile_model return openvino's own Model / CompiledModel. Every failure is an ovseal.Error
subclass (ovseal.errors) with the stable ``code`` and ``name`` of ovseal's C++ API.
"""

import openvino as _openvino  # noqa: F401  (loads the OpenVINO libraries the native module links to)

from . import _native
from ._files import Entry, FileInfo, inspect, is_sealed_file, model_id, seal, verify
from ._keys import create_identity, generate_key, generate_signing_key, identity_public_key
from ._licenses import LicenseInfo, inspect_license, issue_licenses, write_licenses
from ._loading import compile_model, read_model
from .errors import *  # noqa: F401,F403
from .errors import ERROR_CLASSES, Error

__version__ = _native.version()

__all__ = [
    "read_model", "compile_model",
    "seal", "inspect", "verify", "model_id", "is_sealed_file", "FileInfo", "Entry",
    "generate_key", "create_identity", "identity_public_key", "generate_signing_key",
    "issue_licenses", "write_licenses", "inspect_license", "LicenseInfo",
    "Error", "ERROR_CLASSES",
] + [cls.__name__ for cls in ERROR_CLASSES.values()] + [
    "InternalError", "UsageError", "IoError", "FormatError", "AuthenticationError", "ModelError",
    "SignatureError", "LicenseError", "ClockError", "TpmError", "TokenError", "CacheDirRefusedError",
]
__all__ = list(dict.fromkeys(__all__))
