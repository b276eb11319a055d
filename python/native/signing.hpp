// SPDX-License-Identifier: Apache-2.0
#pragma once

// Loading the publisher signing key the Python bindings sign with, from a key file or a PKCS#11 URI.

#include <optional>
#include <string>

#include "ovseal/identity.hpp"
#include "ovseal/secret_bytes.hpp"

namespace ovseal::python {

/// A publisher signing key: a key file (with its passphrase if it has one) or a "pkcs11:" URI, whose module and
/// PIN come from the URI or from OVSEAL_PKCS11_MODULE / OVSEAL_PKCS11_PIN.
SigningKey load_signer(const std::string& path_or_uri, const std::optional<SecretBytes>& passphrase);

}  // namespace ovseal::python
