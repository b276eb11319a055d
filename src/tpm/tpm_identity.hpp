// SPDX-License-Identifier: Apache-2.0
#pragma once

// A device private key sealed by a TPM 2.0: the file DIR/identity.tpm (docs/FORMAT.md §14.1) and the calls
// that seal and unseal it.

#include <filesystem>
#include <span>

#include "memory/secret_bytes.hpp"
#include "ovseal/identity.hpp"
#include "tpm/tpm.hpp"

namespace ovseal::keys {

class DeviceAgreement;

inline constexpr const char* tpm_identity_file = "identity.tpm";

tpm::SealedBlob seal_in_tpm(std::span<const std::uint8_t> private_key, const TpmOptions& options);
memory::SecretBytes unseal_from_tpm(const tpm::SealedBlob& blob, const TpmOptions& options);

/// Creates a P-256 key in the TPM; returns its blob and its public key.
tpm::SealedBlob create_p256_in_tpm(const TpmOptions& options, DevicePublicKey& public_key);
/// Asks the TPM for one agreement with a P-256 identity's key (its own public point): throws the TPM's error
/// (no TPM, PCRs changed, another TPM) if the key cannot be used.
void check_tpm_key(const DeviceIdentity& identity);

/// The key that authenticates a TPM-anchored clock state (docs/FORMAT.md §13.4): derivable only with the
/// device's private key, so only the device (through its TPM) can write a state that it will accept.
memory::SecretBytes clock_guard_key(DeviceAgreement& device);
/// The device's secret that binds compiled-model cache entries to it (docs/FORMAT.md §16.4): derivable only with
/// the device's private key (through its TPM for a TPM-held P-256 key).
memory::SecretBytes cache_device_secret(const DeviceIdentity& identity);

/// The public key of a P-256 blob (read from its public area, no TPM needed).
DevicePublicKey p256_public_key_of(const tpm::SealedBlob& blob);

/// What identity.tpm holds: an X25519 private key sealed by the TPM, or a P-256 key that lives in the TPM.
enum class TpmIdentityKind { sealed_x25519, p256 };
struct TpmIdentityFile {
    TpmIdentityKind kind;
    tpm::SealedBlob blob;
};

/// Writes the file (mode 0600, never overwriting); reads and checks it (invalid_key saying what is wrong).
void write_tpm_identity(const std::filesystem::path& path, const TpmIdentityFile& file);
TpmIdentityFile read_tpm_identity(const std::filesystem::path& path);

}  // namespace ovseal::keys
