// SPDX-License-Identifier: Apache-2.0
// Finding a token's Ed25519 key pair by URI and converting between PKCS#11's encoding and ovseal's.

#include "pkcs11/ed25519_objects.hpp"

#include <algorithm>
#include <cstdio>

#include "ovseal/error.hpp"

namespace ovseal::pkcs11 {
namespace {

// Builds a search template; the vectors it points into live as long as the builder.
class Template {
public:
    Template& ulong_value(CK_ATTRIBUTE_TYPE type, CK_ULONG value) {
        m_numbers.push_back(std::make_unique<CK_ULONG>(value));
        m_attributes.push_back({type, m_numbers.back().get(), sizeof(CK_ULONG)});
        return *this;
    }
    Template& bytes(CK_ATTRIBUTE_TYPE type, std::span<const std::uint8_t> value) {
        m_attributes.push_back({type, const_cast<std::uint8_t*>(value.data()), static_cast<CK_ULONG>(value.size())});
        return *this;
    }
    Template& text(CK_ATTRIBUTE_TYPE type, const std::string& value) {
        return bytes(type, {reinterpret_cast<const std::uint8_t*>(value.data()), value.size()});
    }
    std::span<CK_ATTRIBUTE> attributes() { return m_attributes; }

private:
    std::vector<std::unique_ptr<CK_ULONG>> m_numbers;
    std::vector<CK_ATTRIBUTE> m_attributes;
};

void name_key(Template& t, const Uri& uri, const std::vector<std::uint8_t>& extra_id) {
    if (uri.object) t.text(CKA_LABEL, *uri.object);
    if (uri.id)
        t.bytes(CKA_ID, *uri.id);
    else if (!extra_id.empty())
        t.bytes(CKA_ID, extra_id);
}

void require_ed25519(Session& session, CK_OBJECT_HANDLE key, const Uri& uri, const char* what) {
    const auto type = session.ulong_attribute(key, CKA_KEY_TYPE);
    const auto params = session.attribute(key, CKA_EC_PARAMS);
    if (type != CK_ULONG(CKK_EC_EDWARDS) || (params && !is_ed25519_params(*params))) {
        char number[24];
        std::snprintf(number, sizeof number, "0x%lx", type ? static_cast<unsigned long>(*type) : 0UL);
        throw Error(ErrorCode::invalid_key, "the " + std::string(what) + " " + uri.describe_object() + " in token '" +
                                                session.token().label + "' is not an Ed25519 key (CKA_KEY_TYPE " +
                                                (type ? number : "unknown") +
                                                "); ovseal signs with Ed25519 (CKK_EC_EDWARDS, edwards25519)");
    }
}

}  // namespace

std::vector<std::uint8_t> ed25519_params_oid() {
    return {0x06, 0x03, 0x2b, 0x65, 0x70};
}

std::vector<std::uint8_t> ed25519_params_name() {
    constexpr std::string_view name = "edwards25519";
    std::vector<std::uint8_t> der(2 + name.size());
    der[0] = 0x13;  // PrintableString
    der[1] = static_cast<std::uint8_t>(name.size());
    std::copy(name.begin(), name.end(), der.begin() + 2);
    return der;
}

bool is_ed25519_params(std::span<const std::uint8_t> params) {
    const auto oid = ed25519_params_oid();
    const auto name = ed25519_params_name();
    return std::ranges::equal(params, oid) || std::ranges::equal(params, name);
}

std::optional<PublicKeyBytes> decode_ec_point(std::span<const std::uint8_t> point) {
    if (point.size() == 34 && point[0] == 0x04 && point[1] == 32) point = point.subspan(2);
    if (point.size() != 32) return std::nullopt;
    PublicKeyBytes key{};
    std::copy(point.begin(), point.end(), key.begin());
    return key;
}

std::vector<std::uint8_t> encode_ec_point(const PublicKeyBytes& key) {
    std::vector<std::uint8_t> der(2 + key.size());
    der[0] = 0x04;  // OCTET STRING
    der[1] = static_cast<std::uint8_t>(key.size());
    std::copy(key.begin(), key.end(), der.begin() + 2);
    return der;
}

void require_key_pair_type(const Uri& uri) {
    if (uri.type && *uri.type != "private" && *uri.type != "public") {
        throw Error(ErrorCode::usage, "the PKCS#11 URI's type=" + *uri.type + " is not a key pair (private or public)");
    }
}

CK_OBJECT_HANDLE find_private_key(Session& session, const Uri& uri) {
    if (!uri.object && !uri.id) {
        throw Error(ErrorCode::usage, "the PKCS#11 URI names no key: add object=LABEL (or id=...)");
    }
    require_key_pair_type(uri);
    Template t;
    t.ulong_value(CKA_CLASS, CKO_PRIVATE_KEY);
    name_key(t, uri, {});
    const auto found = session.find(t.attributes());
    if (found.empty()) {
        throw Error(ErrorCode::token_key_missing,
                    "no private key " + uri.describe_object() + " in token '" + session.token().label +
                        "': check object= (the key's label) and id=, or create it with `ovseal keygen --signing URI`");
    }
    if (found.size() > 1) {
        throw Error(ErrorCode::usage, std::to_string(found.size()) + " private keys match " + uri.describe_object() +
                                          " in token '" + session.token().label + "': add id=... to the URI");
    }
    require_ed25519(session, found.front(), uri, "private key");
    return found.front();
}

std::optional<PublisherPublicKey> find_public_key(Session& session, const Uri& uri,
                                                  const std::vector<std::uint8_t>& private_key_id) {
    Template t;
    t.ulong_value(CKA_CLASS, CKO_PUBLIC_KEY);
    name_key(t, uri, private_key_id);
    const auto found = session.find(t.attributes());
    if (found.empty()) return std::nullopt;
    if (found.size() > 1) {
        throw Error(ErrorCode::usage, std::to_string(found.size()) + " public keys match " + uri.describe_object() +
                                          " in token '" + session.token().label + "': add id=... to the URI");
    }
    require_ed25519(session, found.front(), uri, "public key");
    const auto point = session.attribute(found.front(), CKA_EC_POINT);
    const auto key = point ? decode_ec_point(*point) : std::nullopt;
    if (!key) {
        throw Error(ErrorCode::invalid_key, "the public key " + uri.describe_object() + " in token '" +
                                                session.token().label + "' has no usable CKA_EC_POINT (32-byte key)");
    }
    return PublisherPublicKey::from_bytes(*key);
}

std::vector<CK_OBJECT_HANDLE> objects_labelled(Session& session, const std::string& label) {
    Template t;
    t.text(CKA_LABEL, label);
    return session.find(t.attributes());
}

std::vector<CK_OBJECT_HANDLE> objects_with_id(Session& session, const std::vector<std::uint8_t>& id) {
    Template t;
    t.bytes(CKA_ID, id);
    return session.find(t.attributes());
}

}  // namespace ovseal::pkcs11
