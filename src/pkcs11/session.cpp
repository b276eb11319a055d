// SPDX-License-Identifier: Apache-2.0
// Finding the token a URI names and working with a session on it: login, object search, attributes, signing.

#include "pkcs11/session.hpp"

#include <algorithm>

#include "ovseal/error.hpp"
#include "pkcs11/return_codes.hpp"

namespace ovseal::pkcs11 {
namespace {

// CK_TOKEN_INFO strings are fixed-size and padded with blanks.
template <std::size_t N>
std::string padded_text(const unsigned char (&field)[N]) {
    std::string text(reinterpret_cast<const char*>(field), N);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\0')) text.pop_back();
    return text;
}

bool selects(const Uri& uri, CK_SLOT_ID slot, const CK_TOKEN_INFO& info) {
    return (!uri.slot_id || *uri.slot_id == slot) && (!uri.token || *uri.token == padded_text(info.label)) &&
           (!uri.serial || *uri.serial == padded_text(info.serialNumber)) &&
           (!uri.manufacturer || *uri.manufacturer == padded_text(info.manufacturerID)) &&
           (!uri.model || *uri.model == padded_text(info.model));
}

}  // namespace

TokenInfo find_token(const Module& module, const Uri& uri) {
    auto& api = module.api();
    CK_ULONG count = 0;
    check(api.C_GetSlotList(CK_TRUE, nullptr, &count), "listing the PKCS#11 slots");
    std::vector<CK_SLOT_ID> slots(count);
    check(api.C_GetSlotList(CK_TRUE, slots.data(), &count), "listing the PKCS#11 slots");
    slots.resize(count);

    std::vector<TokenInfo> matches;
    std::vector<std::string> present;
    for (const CK_SLOT_ID slot : slots) {
        CK_TOKEN_INFO info{};
        if (api.C_GetTokenInfo(slot, &info) != CKR_OK || (info.flags & CKF_TOKEN_INITIALIZED) == 0) continue;
        present.push_back("'" + padded_text(info.label) + "'");
        if (selects(uri, slot, info)) {
            matches.push_back({slot, padded_text(info.label), padded_text(info.serialNumber), info.flags});
        }
    }
    if (matches.size() == 1) return matches.front();
    if (matches.empty()) {
        std::string there;
        for (const auto& label : present) there += (there.empty() ? "" : ", ") + label;
        throw Error(ErrorCode::token_unavailable,
                    "no " + uri.describe_token() + " in the PKCS#11 module '" + module.path().string() + "' (" +
                        (there.empty() ? std::string("it has no initialised token") : "tokens there: " + there) + ")");
    }
    throw Error(ErrorCode::usage, std::to_string(matches.size()) +
                                      " tokens match the PKCS#11 URI: name one with "
                                      "token=LABEL or serial=...");
}

Session::Session(std::shared_ptr<Module> module, TokenInfo token, bool read_write)
    : m_module(std::move(module)), m_token(std::move(token)) {
    const CK_FLAGS flags = CKF_SERIAL_SESSION | (read_write ? CKF_RW_SESSION : 0);
    check(m_module->api().C_OpenSession(m_token.slot, flags, nullptr, nullptr, &m_handle),
          "opening a session with token '" + m_token.label + "'");
}

Session::~Session() {
    m_module->api().C_CloseSession(m_handle);
}

void Session::login(const memory::SecretBytes* pin) {
    // No PIN: the token's PIN pad (a null PIN is how PKCS#11 asks for it).
    const auto bytes = pin != nullptr ? pin->secret() : std::span<const std::uint8_t>();
    auto* pin_bytes = pin != nullptr ? const_cast<CK_UTF8CHAR*>(bytes.data()) : nullptr;
    const CK_RV rv = m_module->api().C_Login(m_handle, CKU_USER, pin_bytes, static_cast<CK_ULONG>(bytes.size()));
    if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) return;
    if (error_code_for(rv) == ErrorCode::token_login_failed) {
        const char* why = rv == CKR_PIN_LOCKED    ? "the user PIN is locked after too many wrong PINs (the security "
                                                    "officer can set a new one)"
                          : rv == CKR_PIN_EXPIRED ? "the user PIN has expired"
                                                  : "wrong PIN";
        throw Error(ErrorCode::token_login_failed,
                    "cannot log in to token '" + m_token.label + "': " + why + " [" + return_code_name(rv) + "]");
    }
    check(rv, "logging in to token '" + m_token.label + "'");
}

std::vector<CK_OBJECT_HANDLE> Session::find(std::span<CK_ATTRIBUTE> search_template) {
    auto& api = m_module->api();
    check(api.C_FindObjectsInit(m_handle, search_template.data(), static_cast<CK_ULONG>(search_template.size())),
          "searching token '" + m_token.label + "'");
    std::vector<CK_OBJECT_HANDLE> found;
    CK_OBJECT_HANDLE batch[16];
    CK_ULONG n = 0;
    CK_RV rv = CKR_OK;
    while ((rv = api.C_FindObjects(m_handle, batch, 16, &n)) == CKR_OK && n > 0) {
        found.insert(found.end(), batch, batch + n);
    }
    api.C_FindObjectsFinal(m_handle);
    check(rv, "searching token '" + m_token.label + "'");
    return found;
}

std::optional<std::vector<std::uint8_t>> Session::attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
    auto& api = m_module->api();
    CK_ATTRIBUTE a{type, nullptr, 0};
    CK_RV rv = api.C_GetAttributeValue(m_handle, object, &a, 1);
    if (rv == CKR_ATTRIBUTE_SENSITIVE || rv == CKR_ATTRIBUTE_TYPE_INVALID ||
        a.ulValueLen == CK_UNAVAILABLE_INFORMATION) {
        return std::nullopt;
    }
    check(rv, "reading an attribute in token '" + m_token.label + "'");
    std::vector<std::uint8_t> value(a.ulValueLen);
    a.pValue = value.data();
    check(api.C_GetAttributeValue(m_handle, object, &a, 1), "reading an attribute in token '" + m_token.label + "'");
    value.resize(a.ulValueLen);
    return value;
}

std::optional<CK_ULONG> Session::ulong_attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
    const auto bytes = attribute(object, type);
    if (!bytes || bytes->size() != sizeof(CK_ULONG)) return std::nullopt;
    CK_ULONG value = 0;
    std::copy(bytes->begin(), bytes->end(), reinterpret_cast<std::uint8_t*>(&value));
    return value;
}

std::array<std::uint8_t, 64> Session::sign_eddsa(CK_OBJECT_HANDLE key, std::span<const std::uint8_t> message) {
    auto& api = m_module->api();
    CK_MECHANISM mechanism{CKM_EDDSA, nullptr, 0};  // no parameters: pure Ed25519, as RFC 8032 and ovseal's verifier
    check(api.C_SignInit(m_handle, &mechanism, key),
          "starting an Ed25519 signature (CKM_EDDSA) in token '" + m_token.label + "'");
    std::array<std::uint8_t, 64> signature{};
    CK_ULONG length = signature.size();
    check(api.C_Sign(m_handle, const_cast<CK_BYTE*>(message.data()), static_cast<CK_ULONG>(message.size()),
                     signature.data(), &length),
          "an Ed25519 signature in token '" + m_token.label + "'");
    if (length != signature.size()) {
        throw Error(ErrorCode::token_failed, "token '" + m_token.label + "' returned an Ed25519 signature of " +
                                                 std::to_string(length) + " bytes instead of 64");
    }
    return signature;
}

}  // namespace ovseal::pkcs11
