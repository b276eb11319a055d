// SPDX-License-Identifier: Apache-2.0
// X25519 and Ed25519 verification through OpenSSL's EVP_PKEY interface (Ed25519 signing: ed25519_signing.cpp).

#include <openssl/err.h>
#include <openssl/evp.h>

#include <memory>
#include <string>

#include "crypto/crypto.hpp"
#include "crypto/evp_pkey.hpp"
#include "ovseal/error.hpp"

namespace ovseal::crypto {
namespace evp {

[[noreturn]] void fail(const char* what) {
    ERR_clear_error();
    throw Error(ErrorCode::internal, std::string("cryptographic operation failed: ") + what);
}

Pkey private_key(int type, KeyView private_bytes, const char* what) {
    const auto key = private_bytes.bytes();
    if (key.size() != 32) fail(what);
    Pkey p(EVP_PKEY_new_raw_private_key(type, nullptr, key.data(), key.size()));
    if (!p) fail(what);
    return p;
}

Pkey peer_key(int type, std::span<const std::uint8_t> key) {
    if (key.size() != 32) return nullptr;
    Pkey p(EVP_PKEY_new_raw_public_key(type, nullptr, key.data(), key.size()));
    ERR_clear_error();
    return p;
}

Bytes32 raw_public(const Pkey& p, const char* what) {
    Bytes32 out{};
    std::size_t len = out.size();
    if (EVP_PKEY_get_raw_public_key(p.get(), out.data(), &len) != 1 || len != out.size()) fail(what);
    return out;
}

}  // namespace evp

using evp::fail;
using evp::peer_key;
using evp::Pkey;
using evp::private_key;
using evp::raw_public;

struct X25519Key::Impl {
    Pkey key;
};

X25519Key::X25519Key(KeyView private_key_bytes)
    : m_impl(std::make_unique<Impl>(Impl{private_key(EVP_PKEY_X25519, private_key_bytes, "X25519 key")})),
      m_public(raw_public(m_impl->key, "X25519 key")) {}

X25519Key::~X25519Key() = default;

memory::SecretBytes X25519Key::agree(std::span<const std::uint8_t> peer_public) const {
    Pkey peer = peer_key(EVP_PKEY_X25519, peer_public);
    if (!peer) fail("X25519 peer key");
    memory::SecretBytes shared(32);
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new(m_impl->key.get(), nullptr),
                                                                    EVP_PKEY_CTX_free);
    std::size_t len = shared.size();
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) != 1) {
        fail("X25519");
    }
    // OpenSSL refuses a low-order peer (all-zero result); report it as an all-zero secret for the caller to reject.
    if (EVP_PKEY_derive(ctx.get(), shared.secret().data(), &len) != 1 || len != 32) {
        ERR_clear_error();
        return memory::SecretBytes(32);
    }
    return shared;
}

Bytes32 x25519_public_key(KeyView private_key_bytes) {
    return X25519Key(private_key_bytes).public_key();
}

memory::SecretBytes x25519_shared(KeyView private_key_bytes, std::span<const std::uint8_t> peer_public) {
    return X25519Key(private_key_bytes).agree(peer_public);
}

Bytes32 ed25519_public_key(KeyView private_key_bytes) {
    return raw_public(private_key(EVP_PKEY_ED25519, private_key_bytes, "Ed25519 key"), "Ed25519 key");
}

bool ed25519_verify(std::span<const std::uint8_t> public_key_bytes, std::span<const std::uint8_t> message,
                    std::span<const std::uint8_t> signature) {
    Pkey key = peer_key(EVP_PKEY_ED25519, public_key_bytes);
    if (!key || signature.size() != 64) return false;
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    const bool ok =
        ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
        EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(), message.size()) == 1;
    ERR_clear_error();
    return ok;
}

}  // namespace ovseal::crypto

namespace ovseal::crypto {

std::string base64url_encode(std::span<const std::uint8_t> bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
    return out;
}

std::optional<std::vector<std::uint8_t>> base64url_decode(std::string_view text) {
    std::string standard(text);
    for (char& c : standard) {
        if (c == '+' || c == '/' || c == '=') return std::nullopt;  // only the URL-safe, unpadded alphabet
        c = c == '-' ? '+' : c == '_' ? '/' : c;
    }
    const std::size_t pad = (4 - standard.size() % 4) % 4;
    if (pad == 3) return std::nullopt;
    standard.append(pad, '=');
    std::vector<std::uint8_t> out(standard.size() / 4 * 3);
    const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(standard.data()),
                                  static_cast<int>(standard.size()));
    if (n < 0) return std::nullopt;
    out.resize(static_cast<std::size_t>(n) - pad);           // EVP_DecodeBlock counts padding as zero bytes
    if (base64url_encode(out) != text) return std::nullopt;  // reject non-canonical encodings
    return out;
}

}  // namespace ovseal::crypto
