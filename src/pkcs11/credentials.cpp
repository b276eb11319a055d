// SPDX-License-Identifier: Apache-2.0
// Choosing the PKCS#11 module and the PIN (URI, options, environment, then a prompt) and logging in.

#include "pkcs11/credentials.hpp"

#include <cstring>
#include <string>

#include "keys/key_secret.hpp"
#include "keys/secret_file.hpp"
#include "ovseal/error.hpp"

namespace ovseal::pkcs11 {
namespace {

constexpr std::size_t pin_file_limit = 256;

std::span<const std::uint8_t> bytes_of(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// pin-source is a file: URI ("file:/etc/pin", "file:///etc/pin") or a plain path; RFC 7512 leaves other
// schemes to the application, and ovseal runs no commands to get a PIN.
std::filesystem::path pin_source_path(const std::string& source) {
    if (source.rfind("file://", 0) == 0) {
        const auto rest = source.substr(7);
        if (rest.empty() || rest[0] != '/') {
            throw Error(ErrorCode::usage, "pin-source must be a local file: 'file:/path' or 'file:///path'");
        }
        return rest;
    }
    if (source.rfind("file:", 0) == 0) return source.substr(5);
    const auto colon = source.find(':');
    if (colon != std::string::npos && colon < source.find('/')) {
        throw Error(ErrorCode::usage, "pin-source must be a file: URI or a file name");
    }
    return source;
}

// A PIN file holds the PIN and at most one trailing newline, like a passphrase file.
memory::SecretBytes read_pin_file(const std::filesystem::path& path) {
    auto content = keys::read_secret_file(path, pin_file_limit, "PIN file", ErrorCode::token_login_failed);
    auto text = content.secret();
    std::size_t length = text.size();
    if (length > 0 && text[length - 1] == '\n') --length;
    if (length > 0 && text[length - 1] == '\r') --length;
    if (length == 0) throw Error(ErrorCode::token_login_failed, "the PIN file '" + path.string() + "' is empty");
    return memory::SecretBytes::copy_of(text.first(length));
}

}  // namespace

std::filesystem::path module_path(const Uri& uri, const Pkcs11Options& options) {
    if (uri.module_path) return *uri.module_path;
    if (!options.module.empty()) return options.module;
    if (std::filesystem::exists(default_module)) return default_module;
    throw Error(ErrorCode::token_unavailable, std::string("no PKCS#11 module: give its file with --pkcs11-module, ") +
                                                  module_variable + " or the URI's module-path (SoftHSM2's " +
                                                  default_module + " is not installed)");
}

std::optional<memory::SecretBytes> user_pin(const Uri& uri, const Pkcs11Options& options, const TokenInfo& token) {
    if (uri.pin_value) return memory::SecretBytes::copy_of(uri.pin_value->secret());
    if (uri.pin_source) return read_pin_file(pin_source_path(*uri.pin_source));
    if (options.pin) {
        if (options.pin->kind() != Key::Kind::passphrase) {
            throw Error(ErrorCode::usage, "a token PIN is given as a passphrase (Key::from_passphrase), not a key");
        }
        return memory::SecretBytes::copy_of(options.pin->secret(secret_access()).bytes.secret());
    }
    if (!options.pin_file.empty()) return read_pin_file(options.pin_file);
    if (options.prompt) {
        std::string typed = options.prompt("PIN for token '" + token.label + "': ");
        auto pin = memory::SecretBytes::take(typed);
        if (pin.empty()) return std::nullopt;
        return pin;
    }
    return std::nullopt;
}

void log_in(Session& session, const Uri& uri, const Pkcs11Options& options) {
    const TokenInfo& token = session.token();
    if (!token.login_required()) return;
    const auto pin = user_pin(uri, options, token);
    if (!pin && !token.has_pin_pad()) {
        throw Error(ErrorCode::token_login_failed,
                    "token '" + token.label + "' needs its user PIN: give it with --pin-file FILE, " + pin_variable +
                        ", the URI's pin-source, or run on a terminal to be asked");
    }
    session.login(pin ? &*pin : nullptr);
}

}  // namespace ovseal::pkcs11
