// SPDX-License-Identifier: Apache-2.0
#pragma once

// Ed25519 key objects in a token: how PKCS#11 encodes them, and finding the key pair a URI names.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ovseal/identity.hpp"
#include "pkcs11/session.hpp"
#include "pkcs11/uri.hpp"

namespace ovseal::pkcs11 {

/// CKA_EC_PARAMS for Ed25519, as PKCS#11 3.0 allows: the DER OID 1.3.101.112 (RFC 8410), or the DER
/// PrintableString "edwards25519". Readers must take both: SoftHSM2 2.6 stores the name for the keys it
/// generates even when asked with the OID.
std::vector<std::uint8_t> ed25519_params_oid();
std::vector<std::uint8_t> ed25519_params_name();
bool is_ed25519_params(std::span<const std::uint8_t> params);

/// CKA_EC_POINT: a DER OCTET STRING around the 32-byte key (SoftHSM2, PKCS#11 3.0); some tokens store the raw
/// 32 bytes. Nothing if it is neither.
std::optional<PublicKeyBytes> decode_ec_point(std::span<const std::uint8_t> point);
std::vector<std::uint8_t> encode_ec_point(const PublicKeyBytes& key);

/// Refuses (Error(usage)) a URI whose type= is not a key pair's (private or public).
void require_key_pair_type(const Uri& uri);

/// The Ed25519 private key that the URI's object= / id= names. Throws Error(token_key_missing) when there is
/// none, Error(usage) when several match, Error(invalid_key) when it is not an Ed25519 key. Needs a login.
CK_OBJECT_HANDLE find_private_key(Session& session, const Uri& uri);

/// The public key object of the same pair (same label and id, and the private key's CKA_ID when it has one).
/// Nothing if there is none; Error(usage) when several match, Error(invalid_key) when it is not Ed25519.
std::optional<PublisherPublicKey> find_public_key(Session& session, const Uri& uri,
                                                  const std::vector<std::uint8_t>& private_key_id = {});

/// Every object (of any class) with this label, or with this id.
std::vector<CK_OBJECT_HANDLE> objects_labelled(Session& session, const std::string& label);
std::vector<CK_OBJECT_HANDLE> objects_with_id(Session& session, const std::vector<std::uint8_t>& id);

}  // namespace ovseal::pkcs11
