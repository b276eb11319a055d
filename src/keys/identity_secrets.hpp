#pragma once

#include <memory>
#include <optional>
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
    memory::SecretBytes private_key;                 // X25519, 32 bytes (a key file, or unsealed by a TPM)
    std::shared_ptr<const crypto::P256Key> p256;     // P-256 in software (tests and test vectors)
    std::optional<TpmDeviceKey> tpm_p256;            // P-256 inside a TPM
    std::optional<std::string> tpm_tcti;             // set when the identity lives in a TPM (either form)
};

struct SigningKey::Secret {
    memory::SecretBytes seed;                        // Ed25519, 32 bytes
    std::unique_ptr<const crypto::Ed25519Signer> signer;  // ready to sign many messages
    explicit Secret(memory::SecretBytes s) : seed(std::move(s)), signer(std::make_unique<crypto::Ed25519Signer>(seed.secret())) {}
};

}  // namespace ovseal
