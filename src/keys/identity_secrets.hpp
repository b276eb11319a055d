#pragma once

#include <memory>

#include "crypto/crypto.hpp"
#include "memory/secret_bytes.hpp"
#include "ovseal/identity.hpp"

namespace ovseal {

struct DeviceIdentity::Secret {
    memory::SecretBytes private_key;  // X25519, 32 bytes
};

struct SigningKey::Secret {
    memory::SecretBytes seed;                        // Ed25519, 32 bytes
    std::unique_ptr<const crypto::Ed25519Signer> signer;  // ready to sign many messages
    explicit Secret(memory::SecretBytes s) : seed(std::move(s)), signer(std::make_unique<crypto::Ed25519Signer>(seed.secret())) {}
};

}  // namespace ovseal
