// SPDX-License-Identifier: Apache-2.0
#pragma once

// A token found by a URI, and a session with it: login, object search, attributes, signing, key generation.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "memory/secret_bytes.hpp"
#include "pkcs11/cryptoki.hpp"
#include "pkcs11/module.hpp"
#include "pkcs11/uri.hpp"

namespace ovseal::pkcs11 {

struct TokenInfo {
    CK_SLOT_ID slot = 0;
    std::string label;  // blank padding removed
    std::string serial;
    CK_FLAGS flags = 0;

    bool login_required() const noexcept { return (flags & CKF_LOGIN_REQUIRED) != 0; }
    bool has_pin_pad() const noexcept { return (flags & CKF_PROTECTED_AUTHENTICATION_PATH) != 0; }
};

/// The one initialised token that the URI's token, serial, manufacturer, model and slot-id select. Throws
/// Error(token_unavailable) when none does (naming the tokens there are), Error(usage) when several do.
TokenInfo find_token(const Module& module, const Uri& uri);

class Session {
public:
    Session(std::shared_ptr<Module> module, TokenInfo token, bool read_write);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    const TokenInfo& token() const noexcept { return m_token; }
    const Module& module() const noexcept { return *m_module; }
    CK_SESSION_HANDLE handle() const noexcept { return m_handle; }

    /// Logs the user in; PIN null means the token's own PIN pad. "Already logged in" is fine.
    void login(const memory::SecretBytes* pin);

    /// Every object matching TEMPLATE.
    std::vector<CK_OBJECT_HANDLE> find(std::span<CK_ATTRIBUTE> search_template);
    /// An attribute's bytes; nothing if the object has no such attribute or keeps it secret.
    std::optional<std::vector<std::uint8_t>> attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type);
    std::optional<CK_ULONG> ulong_attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type);

    /// One Ed25519 signature (CKM_EDDSA, pure) with the private key KEY. Not thread-safe: callers serialise.
    std::array<std::uint8_t, 64> sign_eddsa(CK_OBJECT_HANDLE key, std::span<const std::uint8_t> message);

private:
    std::shared_ptr<Module> m_module;
    TokenInfo m_token;
    CK_SESSION_HANDLE m_handle = CK_INVALID_HANDLE;
};

}  // namespace ovseal::pkcs11
