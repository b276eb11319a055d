// SPDX-License-Identifier: Apache-2.0
// The public API for keys in a PKCS#11 token (ovseal/pkcs11.hpp, ovseal/identity.hpp).

#include <memory>

#include "keys/identity_secrets.hpp"
#include "ovseal/error.hpp"
#include "ovseal/identity.hpp"
#include "ovseal/pkcs11.hpp"
#include "pkcs11/credentials.hpp"
#include "pkcs11/ed25519_objects.hpp"
#include "pkcs11/return_codes.hpp"
#include "pkcs11/token_signer.hpp"

namespace ovseal {
namespace {

using pkcs11::Session;
using pkcs11::Uri;

std::unique_ptr<Session> open_session(const Uri& uri, const Pkcs11Options& options, bool read_write) {
    auto module = pkcs11::Module::load(pkcs11::module_path(uri, options));
    auto token = pkcs11::find_token(*module, uri);
    return std::make_unique<Session>(std::move(module), std::move(token), read_write);
}

std::string describe(const Uri& uri, const Session& session) {
    return uri.describe_object() + " in token '" + session.token().label + "'";
}

PublisherPublicKey require_public_key(Session& session, const Uri& uri, const std::vector<std::uint8_t>& id) {
    auto key = pkcs11::find_public_key(session, uri, id);
    if (!key) {
        throw Error(ErrorCode::token_key_missing,
                    "no public key " + describe(uri, session) +
                        " (ovseal reads the key pair's public key object, CKA_EC_POINT, to know what it signs with)");
    }
    return *key;
}

std::shared_ptr<const SigningKey::Secret> token_secret(std::unique_ptr<Session> session, CK_OBJECT_HANDLE key,
                                                       const PublisherPublicKey& pub, const Uri& uri) {
    auto description = describe(uri, *session);
    return std::make_shared<const SigningKey::Secret>(
        std::make_unique<pkcs11::TokenSigner>(std::move(session), key, pub.bytes(), std::move(description)));
}

// CKA_EC_PARAMS is asked as the OID, which most tokens take; PKCS#11 3.0 also allows the curve's name, which a
// few insist on.
void generate_key_pair(Session& session, const std::string& label, const std::vector<std::uint8_t>& id,
                       CK_OBJECT_HANDLE& public_key, CK_OBJECT_HANDLE& private_key) {
    CK_BBOOL yes = CK_TRUE;
    CK_BBOOL no = CK_FALSE;
    auto* label_bytes = reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(label.data()));
    auto* id_bytes = const_cast<CK_BYTE*>(id.data());
    CK_MECHANISM mechanism{CKM_EC_EDWARDS_KEY_PAIR_GEN, nullptr, 0};
    CK_RV rv = CKR_OK;
    for (const auto& params : {pkcs11::ed25519_params_oid(), pkcs11::ed25519_params_name()}) {
        CK_ATTRIBUTE public_template[] = {
            {CKA_TOKEN, &yes, sizeof yes},
            {CKA_VERIFY, &yes, sizeof yes},
            {CKA_PRIVATE, &no, sizeof no},  // devices' trust lists are public; reading it needs no PIN
            {CKA_EC_PARAMS, const_cast<std::uint8_t*>(params.data()), static_cast<CK_ULONG>(params.size())},
            {CKA_LABEL, label_bytes, static_cast<CK_ULONG>(label.size())},
            {CKA_ID, id_bytes, static_cast<CK_ULONG>(id.size())},
        };
        CK_ATTRIBUTE private_template[] = {
            {CKA_TOKEN, &yes, sizeof yes},
            {CKA_PRIVATE, &yes, sizeof yes},
            {CKA_SENSITIVE, &yes, sizeof yes},
            {CKA_EXTRACTABLE, &no, sizeof no},
            {CKA_SIGN, &yes, sizeof yes},
            {CKA_LABEL, label_bytes, static_cast<CK_ULONG>(label.size())},
            {CKA_ID, id_bytes, static_cast<CK_ULONG>(id.size())},
        };
        const CK_ULONG id_count = id.empty() ? 1 : 0;  // leave CKA_ID out when there is none yet
        rv = session.module().api().C_GenerateKeyPair(
            session.handle(), &mechanism, public_template, std::size(public_template) - id_count, private_template,
            std::size(private_template) - id_count, &public_key, &private_key);
        if (rv != CKR_ATTRIBUTE_VALUE_INVALID && rv != CKR_CURVE_NOT_SUPPORTED && rv != CKR_DOMAIN_PARAMS_INVALID &&
            rv != CKR_TEMPLATE_INCONSISTENT) {
            break;
        }
    }
    pkcs11::check(
        rv, "generating an Ed25519 key pair (CKM_EC_EDWARDS_KEY_PAIR_GEN) in token '" + session.token().label + "'");
}

}  // namespace

bool is_pkcs11_uri(std::string_view text) {
    return pkcs11::is_uri(text);
}

PublisherPublicKey PublisherPublicKey::from_pkcs11(std::string_view text, const Pkcs11Options& options) {
    const Uri uri = pkcs11::parse_uri(text);
    if (!uri.object && !uri.id) {
        throw Error(ErrorCode::usage, "the PKCS#11 URI names no key: add object=LABEL (or id=...)");
    }
    pkcs11::require_key_pair_type(uri);
    auto session = open_session(uri, options, false);
    if (auto key = pkcs11::find_public_key(*session, uri)) return *key;
    // Some tokens show public objects only after a login: look again if there is a PIN to log in with.
    if (session->token().login_required()) {
        if (const auto pin = pkcs11::user_pin(uri, options, session->token())) {
            session->login(&*pin);
            if (auto key = pkcs11::find_public_key(*session, uri)) return *key;
        }
    }
    return require_public_key(*session, uri, {});
}

SigningKey SigningKey::from_pkcs11(std::string_view text, const Pkcs11Options& options) {
    const Uri uri = pkcs11::parse_uri(text);
    auto session = open_session(uri, options, false);
    pkcs11::log_in(*session, uri, options);
    const CK_OBJECT_HANDLE key = pkcs11::find_private_key(*session, uri);
    const auto id = session->attribute(key, CKA_ID).value_or(std::vector<std::uint8_t>{});
    const auto pub = require_public_key(*session, uri, id);
    return SigningKey(token_secret(std::move(session), key, pub, uri), pub);
}

SigningKey SigningKey::generate_in_token(std::string_view text, const Pkcs11Options& options) {
    const Uri uri = pkcs11::parse_uri(text);
    if (!uri.object) {
        throw Error(ErrorCode::usage, "name the new key with object=LABEL in the PKCS#11 URI");
    }
    pkcs11::require_key_pair_type(uri);
    auto session = open_session(uri, options, true);
    pkcs11::log_in(*session, uri, options);
    if (!pkcs11::objects_labelled(*session, *uri.object).empty() ||
        (uri.id && !pkcs11::objects_with_id(*session, *uri.id).empty())) {
        throw Error(ErrorCode::usage, "token '" + session->token().label + "' already has " + uri.describe_object() +
                                          ": refusing to make a second one (choose another "
                                          "object=, or delete the old key in the token first)");
    }
    CK_OBJECT_HANDLE public_key = CK_INVALID_HANDLE;
    CK_OBJECT_HANDLE private_key = CK_INVALID_HANDLE;
    generate_key_pair(*session, *uri.object, uri.id.value_or(std::vector<std::uint8_t>{}), public_key, private_key);
    const auto point = session->attribute(public_key, CKA_EC_POINT);
    const auto bytes = point ? pkcs11::decode_ec_point(*point) : std::nullopt;
    if (!bytes) {
        session->module().api().C_DestroyObject(session->handle(), private_key);  // an unusable pair: no orphans
        session->module().api().C_DestroyObject(session->handle(), public_key);
        throw Error(ErrorCode::token_failed, "token '" + session->token().label +
                                                 "' made a key pair whose public key (CKA_EC_POINT) is not a 32-byte "
                                                 "Ed25519 key");
    }
    const auto pub = PublisherPublicKey::from_bytes(*bytes);
    return SigningKey(token_secret(std::move(session), private_key, pub, uri), pub);
}

}  // namespace ovseal
