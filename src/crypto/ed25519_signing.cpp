// SPDX-License-Identifier: Apache-2.0
// Ed25519 signing through OpenSSL: the publisher's (model signatures, licenses), left out of the device runtime.

#include <openssl/evp.h>

#include <memory>

#include "crypto/crypto.hpp"
#include "crypto/evp_pkey.hpp"

namespace ovseal::crypto {

struct Ed25519Signer::Impl {
    evp::Pkey key;
};

Ed25519Signer::Ed25519Signer(KeyView seed)
    : m_impl(std::make_unique<Impl>(Impl{evp::private_key(EVP_PKEY_ED25519, seed, "Ed25519 key")})) {}

Ed25519Signer::~Ed25519Signer() = default;

Signature64 Ed25519Signer::sign(std::span<const std::uint8_t> message) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    Signature64 sig{};
    std::size_t len = sig.size();
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, m_impl->key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1 || len != sig.size()) {
        evp::fail("Ed25519 signing");
    }
    return sig;
}

Signature64 ed25519_sign(KeyView private_key_bytes, std::span<const std::uint8_t> message) {
    return Ed25519Signer(private_key_bytes).sign(message);
}

}  // namespace ovseal::crypto
