# SPDX-License-Identifier: Apache-2.0
"""The exceptions ovseal raises: one class per error code of ovseal's C++ API (include/ovseal/error.hpp), grouped
under a class per kind of failure, all under :class:`Error`. Codes are stable and equal the CLI's exit codes."""

from __future__ import annotations

from typing import Dict, Type


class Error(Exception):
    """An ovseal failure. ``code`` is the stable number, ``name`` its snake_case name."""

    code: int = 0
    name: str = "ok"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def __reduce__(self):  # keep the class (and so the code) through pickling
        return (type(self), (self.message,))


# The kinds of failure.
class InternalError(Error):
    """A bug or an unexpected failure of a library ovseal uses."""


class UsageError(Error, ValueError):
    """The call itself is wrong (arguments, options, a combination ovseal refuses)."""


class IoError(Error, OSError):
    """A file could not be read or written (missing key file, unreadable model, ...)."""

    def __init__(self, message: str = "") -> None:
        Error.__init__(self, message)


class FormatError(Error):
    """The input is not a well-formed ovseal file of a version this build reads."""


class NoMatchingKeyError(Error):
    """None of the given keys, passphrases or identities opens the file."""


class AuthenticationError(Error):
    """The file was changed after sealing (or the key is not the file's)."""


class InvalidKeyError(Error):
    """A key, key file, public key or identity is not valid."""


class ModelError(Error):
    """OpenVINO refused the model, or it is of a kind ovseal does not seal."""


class SignatureError(Error):
    """The publisher signature is missing, untrusted or wrong."""


class LicenseError(Error):
    """No license lets this device open this model now."""


class ClockError(Error):
    """The rollback guard saw the clock go back, or its state file is not valid."""


class TpmError(Error):
    """The TPM 2.0 holding a device identity could not be used."""


class TokenError(Error):
    """The PKCS#11 token holding a signing key could not be used."""


# One class per code.
class NotOvsealFileError(FormatError):
    code, name = 4, "not_ovseal_file"


class UnsupportedVersionError(FormatError):
    code, name = 5, "unsupported_version"


class MalformedHeaderError(FormatError):
    code, name = 6, "malformed_header"


class TruncatedError(FormatError):
    code, name = 10, "truncated"


class TrailingDataError(FormatError):
    code, name = 11, "trailing_data"


class HeaderAuthenticationError(AuthenticationError):
    code, name = 8, "header_auth_failed"


class PayloadAuthenticationError(AuthenticationError):
    code, name = 9, "payload_auth_failed"


class ModelRejectedError(ModelError):
    code, name = 13, "model_rejected"


class UnsupportedModelError(ModelError):
    code, name = 14, "unsupported_model"


class SignatureRequiredError(SignatureError):
    code, name = 15, "signature_required"


class UntrustedSignerError(SignatureError):
    code, name = 16, "untrusted_signer"


class BadSignatureError(SignatureError):
    code, name = 17, "bad_signature"


class LicenseInvalidError(LicenseError):
    code, name = 18, "license_invalid"


class LicenseWrongModelError(LicenseError):
    code, name = 19, "license_wrong_model"


class LicenseWrongDeviceError(LicenseError):
    code, name = 20, "license_wrong_device"


class LicenseNotYetValidError(LicenseError):
    code, name = 21, "license_not_yet_valid"


class LicenseExpiredError(LicenseError):
    code, name = 22, "license_expired"


class LicenseRequiredError(LicenseError):
    """The publisher sealed the model to open only through a license it signed (a key file, passphrase or device
    key does not open it under a trust list)."""

    code, name = 34, "license_required"


class ClockRollbackError(ClockError):
    code, name = 23, "clock_rollback"


class StateInvalidError(ClockError):
    code, name = 24, "state_invalid"


class TpmUnavailableError(TpmError):
    code, name = 25, "tpm_unavailable"


class TpmPolicyFailedError(TpmError):
    code, name = 26, "tpm_policy_failed"


class TpmWrongDeviceError(TpmError):
    code, name = 27, "tpm_wrong_device"


class TpmBusyError(TpmError):
    code, name = 28, "tpm_busy"


class TpmFailedError(TpmError):
    code, name = 29, "tpm_failed"


class TokenUnavailableError(TokenError):
    code, name = 30, "token_unavailable"


class TokenLoginFailedError(TokenError):
    code, name = 31, "token_login_failed"


class TokenKeyMissingError(TokenError):
    code, name = 32, "token_key_missing"


class TokenFailedError(TokenError):
    code, name = 33, "token_failed"


# The codes whose kind has no narrower class.
InternalError.code, InternalError.name = 1, "internal"
UsageError.code, UsageError.name = 2, "usage"
IoError.code, IoError.name = 3, "io"
NoMatchingKeyError.code, NoMatchingKeyError.name = 7, "no_matching_key"
InvalidKeyError.code, InvalidKeyError.name = 12, "invalid_key"


class CacheDirRefusedError(UsageError):
    """compile_model was asked to use OpenVINO's model cache, which would write the decrypted model to disk."""


def _classes() -> Dict[int, Type[Error]]:
    found: Dict[int, Type[Error]] = {}
    pending = [Error]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.code and "code" in cls.__dict__ and cls is not CacheDirRefusedError:
            found[cls.code] = cls
    return found


ERROR_CLASSES: Dict[int, Type[Error]] = _classes()
"""The class for each error code."""


def error_for_code(code: int, message: str) -> Error:
    """The exception for ``code`` (a plain :class:`Error` carrying the code if this version does not know it)."""
    cls = ERROR_CLASSES.get(code)
    if cls is not None:
        return cls(message)
    error = Error(message)
    error.code, error.name = code, "unknown"
    return error
