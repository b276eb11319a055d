// SPDX-License-Identifier: Apache-2.0
#pragma once

// Publisher signing keys kept in a PKCS#11 token (an HSM, a smart card, SoftHSM2), named by RFC 7512 URIs such
// as "pkcs11:token=publisher;object=signing-2027". The token signs (CKM_EDDSA); the private key never leaves it.
// See docs/HSM.md. In ovseal/identity.hpp: SigningKey::from_pkcs11 opens such a key for signing,
// SigningKey::generate_in_token makes one, PublisherPublicKey::from_pkcs11 reads its public half.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "ovseal/key.hpp"

namespace ovseal {

/// Where the PKCS#11 module and the token's user PIN come from when the URI does not say. The URI's own
/// module-path and pin-source / pin-value always win.
struct Pkcs11Options {
    /// The module (.so). Empty: SoftHSM2's /usr/lib/softhsm/libsofthsm2.so if it is installed; otherwise
    /// Error(token_unavailable). (The CLI and the Python package fill it from OVSEAL_PKCS11_MODULE.)
    std::filesystem::path module;
    /// The user PIN, held like a passphrase: Key::from_passphrase(...). Empty: `pin_file`.
    std::optional<Key> pin;
    /// A file holding the user PIN (one trailing newline is ignored). Empty: `prompt`. (The CLI and the Python
    /// package fill `pin` from OVSEAL_PKCS11_PIN when neither `pin` nor `pin_file` is given.)
    std::filesystem::path pin_file;
    /// Asked last, with a text naming the token; returns the PIN, or "" for none (ovseal wipes its copy).
    std::function<std::string(const std::string& prompt)> prompt;
};

/// True if TEXT is meant as a PKCS#11 URI (it starts with "pkcs11:"), not a file name.
bool is_pkcs11_uri(std::string_view text);

}  // namespace ovseal
