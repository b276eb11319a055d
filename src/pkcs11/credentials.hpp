// SPDX-License-Identifier: Apache-2.0
#pragma once

// Which module to load and which PIN to log in with: the URI first, then the caller's options, then (for the
// module) SoftHSM2's if installed and (for the PIN) a prompt. The library reads no environment variable: the CLI
// and the Python package fill the options from OVSEAL_PKCS11_MODULE and OVSEAL_PKCS11_PIN
// (ovseal/environment.hpp); the messages still name them, for those users.

#include <filesystem>
#include <optional>

#include "memory/secret_bytes.hpp"
#include "ovseal/pkcs11.hpp"
#include "pkcs11/session.hpp"
#include "pkcs11/uri.hpp"

namespace ovseal::pkcs11 {

constexpr const char* module_variable = "OVSEAL_PKCS11_MODULE";
constexpr const char* pin_variable = "OVSEAL_PKCS11_PIN";
constexpr const char* default_module = "/usr/lib/softhsm/libsofthsm2.so";

/// URI module-path, options.module, SoftHSM2's module if installed; else Error(token_unavailable).
std::filesystem::path module_path(const Uri& uri, const Pkcs11Options& options);

/// URI pin-value or pin-source, options.pin, options.pin_file, options.prompt; nothing if none gives one.
std::optional<memory::SecretBytes> user_pin(const Uri& uri, const Pkcs11Options& options, const TokenInfo& token);

/// Logs SESSION in as the user if the token wants it: with the PIN from user_pin, or its PIN pad. No PIN at all
/// is Error(token_login_failed).
void log_in(Session& session, const Uri& uri, const Pkcs11Options& options);

}  // namespace ovseal::pkcs11
