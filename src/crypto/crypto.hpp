// SPDX-License-Identifier: Apache-2.0
#pragma once

// The only interface to OpenSSL. Everything else in ovseal calls these functions.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <span>
#include <string_view>

#include "crypto/key_view.hpp"
#include "memory/secret_bytes.hpp"

namespace ovseal::crypto {

using Bytes32 = std::array<std::uint8_t, 32>;
constexpr std::size_t gcm_nonce_size = 12;
constexpr std::size_t gcm_tag_size = 16;

/// Fills `out` from the operating system's CSPRNG (through OpenSSL's DRBG).
void random_bytes(std::span<std::uint8_t> out);

/// HKDF-SHA-256 (RFC 5869), extract and expand, into `out` (any length up to 255 * 32).
void hkdf_sha256(KeyView ikm, std::span<const std::uint8_t> salt, std::string_view info, std::span<std::uint8_t> out);

/// HMAC-SHA-256 (RFC 2104).
Bytes32 hmac_sha256(KeyView key, std::span<const std::uint8_t> message);

/// SHA-256 of a message, one shot.
Bytes32 sha256(std::span<const std::uint8_t> message);

/// Incremental SHA-256.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(std::span<const std::uint8_t> data);
    Bytes32 finish();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// scrypt (RFC 7914) with N = 2^log2_n.
void scrypt(KeyView passphrase, std::span<const std::uint8_t> salt, unsigned log2_n, unsigned r, unsigned p,
            std::span<std::uint8_t> out);

/// Constant-time equality of two byte strings of equal length (false if lengths differ).
bool equal_constant_time(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept;

/// AES-256-GCM with one key and many nonces. Not thread-safe: use one instance per thread.
class Aes256Gcm {
public:
    explicit Aes256Gcm(KeyView key);
    ~Aes256Gcm();
    Aes256Gcm(const Aes256Gcm&) = delete;
    Aes256Gcm& operator=(const Aes256Gcm&) = delete;

    /// Encrypts `plaintext` into `ciphertext` (same size; may be the same memory) and writes the tag.
    void seal(std::span<const std::uint8_t, gcm_nonce_size> nonce, std::span<const std::uint8_t> aad,
              std::span<const std::uint8_t> plaintext, std::span<std::uint8_t> ciphertext,
              std::span<std::uint8_t, gcm_tag_size> tag);

    /// Decrypts and verifies; returns false (and wipes `plaintext`) when the tag does not verify.
    /// `ciphertext` and `plaintext` may be the same memory.
    [[nodiscard]] bool open(std::span<const std::uint8_t, gcm_nonce_size> nonce, std::span<const std::uint8_t> aad,
                            std::span<const std::uint8_t> ciphertext, std::span<const std::uint8_t, gcm_tag_size> tag,
                            std::span<std::uint8_t> plaintext);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// X25519 (RFC 7748). Private keys are 32 random bytes; `x25519_shared` returns the raw shared secret, which
/// callers must reject when it is all zero (a low-order peer key).
Bytes32 x25519_public_key(KeyView private_key);
memory::SecretBytes x25519_shared(KeyView private_key, std::span<const std::uint8_t> peer_public);

/// An X25519 private key kept ready for many agreements (one scalar multiplication each).
class X25519Key {
public:
    explicit X25519Key(KeyView private_key);
    ~X25519Key();
    X25519Key(const X25519Key&) = delete;
    X25519Key& operator=(const X25519Key&) = delete;
    const Bytes32& public_key() const noexcept { return m_public; }
    /// The raw shared secret; all zero for a low-order peer (callers reject it).
    memory::SecretBytes agree(std::span<const std::uint8_t> peer_public) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    Bytes32 m_public{};
};

/// Ed25519 (RFC 8032, pure). Private keys are 32-byte seeds.
using Signature64 = std::array<std::uint8_t, 64>;
Bytes32 ed25519_public_key(KeyView private_key);
Signature64 ed25519_sign(KeyView private_key, std::span<const std::uint8_t> message);
/// An Ed25519 key kept ready for many signatures (its public key is derived once).
class Ed25519Signer {
public:
    explicit Ed25519Signer(KeyView seed);
    ~Ed25519Signer();
    Ed25519Signer(const Ed25519Signer&) = delete;
    Ed25519Signer& operator=(const Ed25519Signer&) = delete;
    Signature64 sign(std::span<const std::uint8_t> message) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};
bool ed25519_verify(std::span<const std::uint8_t> public_key, std::span<const std::uint8_t> message,
                    std::span<const std::uint8_t> signature);

/// Base64url without padding (RFC 4648 §5); decode returns nothing for malformed text.
std::string base64url_encode(std::span<const std::uint8_t> bytes);
std::optional<std::vector<std::uint8_t>> base64url_decode(std::string_view text);

/// The OpenSSL version string, for diagnostics.
std::string_view library_version();

}  // namespace ovseal::crypto
