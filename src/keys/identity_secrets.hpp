#pragma once

#include <memory>
#include <span>

#include "crypto/crypto.hpp"
#include "memory/secret_bytes.hpp"
#include "ovseal/identity.hpp"

namespace ovseal {

struct DeviceIdentity::Secret {
    memory::SecretBytes private_key;  // X25519, 32 bytes
};

/// What makes a SigningKey's Ed25519 signatures: the key in software, or a PKCS#11 token. Safe to call from any
/// thread.
struct Signer {
    virtual ~Signer() = default;
    virtual crypto::Signature64 sign(std::span<const std::uint8_t> message) const = 0;
};

/// The software key: OpenSSL, with the key parsed once (licence issuance signs thousands of messages a second).
class SoftwareSigner final : public Signer {
public:
    explicit SoftwareSigner(std::span<const std::uint8_t> seed) : m_key(seed) {}
    crypto::Signature64 sign(std::span<const std::uint8_t> message) const override { return m_key.sign(message); }

private:
    crypto::Ed25519Signer m_key;
};

struct SigningKey::Secret {
    memory::SecretBytes seed;              // Ed25519, 32 bytes; empty for a key in a token
    std::unique_ptr<const Signer> signer;  // ready to sign many messages

    explicit Secret(memory::SecretBytes s)
        : seed(std::move(s)), signer(std::make_unique<SoftwareSigner>(seed.secret())) {}
    explicit Secret(std::unique_ptr<const Signer> token) : signer(std::move(token)) {}
    bool in_token() const noexcept { return seed.empty(); }
};

}  // namespace ovseal
