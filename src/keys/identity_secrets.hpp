// SPDX-License-Identifier: Apache-2.0
#pragma once

// The private halves of device identities and signing keys (software, TPM or token), hidden from the API.

#include <memory>
#include <optional>
#include <span>
#include <string>

#include "crypto/crypto.hpp"
#include "crypto/p256.hpp"
#include "memory/secret_bytes.hpp"
#include "ovseal/identity.hpp"
#include "tpm/tpm.hpp"

namespace ovseal {

/// A P-256 key inside a TPM: the TPM's blob of it and the TPM to ask.
struct TpmDeviceKey {
    tpm::SealedBlob blob;
    std::string tcti;
};

/// Exactly one of the three is set, as public_key().type() says.
struct DeviceIdentity::Secret {
    memory::SecretBytes private_key;              // X25519, 32 bytes (a key file, or unsealed by a TPM)
    std::shared_ptr<const crypto::P256Key> p256;  // P-256 in software (tests and test vectors)
    std::optional<TpmDeviceKey> tpm_p256;         // P-256 inside a TPM
    std::optional<std::string> tpm_tcti;          // set when the identity lives in a TPM (either form)
};

/// What makes a SigningKey's Ed25519 signatures: the key in software, or a PKCS#11 token. Safe to call from any
/// thread.
struct Signer {
    virtual ~Signer() = default;
    virtual crypto::Signature64 sign(std::span<const std::uint8_t> message) const = 0;
};

struct SigningKey::Secret {
    memory::SecretBytes seed;              // Ed25519, 32 bytes; empty for a key in a token
    std::unique_ptr<const Signer> signer;  // ready to sign many messages

    /// A key in software (signing_key.cpp: the publisher's, which ovseal_runtime leaves out).
    explicit Secret(memory::SecretBytes s);
    explicit Secret(std::unique_ptr<const Signer> token) : signer(std::move(token)) {}
    bool in_token() const noexcept { return seed.empty(); }
};

}  // namespace ovseal
