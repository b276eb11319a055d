// SPDX-License-Identifier: Apache-2.0
#pragma once

// OpenSSL EVP_PKEY helpers shared by the asymmetric primitives (asymmetric.cpp) and Ed25519 signing
// (ed25519_signing.cpp, the publisher's, which the device runtime leaves out).

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <span>

#include "crypto/crypto.hpp"

namespace ovseal::crypto::evp {

struct PkeyDeleter {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

/// Clears OpenSSL's error queue and throws Error(internal) naming `what`.
[[noreturn]] void fail(const char* what);
/// A private key of `type` (EVP_PKEY_X25519, EVP_PKEY_ED25519) from its 32 raw bytes.
Pkey private_key(int type, KeyView private_bytes, const char* what);
/// A peer's public key of `type`, or null if it is not 32 bytes OpenSSL accepts.
Pkey peer_key(int type, std::span<const std::uint8_t> key);
/// The raw public key of `p`.
Bytes32 raw_public(const Pkey& p, const char* what);

}  // namespace ovseal::crypto::evp
