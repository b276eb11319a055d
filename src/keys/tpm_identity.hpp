#pragma once

// A device private key sealed by a TPM 2.0: the file DIR/identity.tpm (docs/FORMAT.md §14.1) and the calls
// that seal and unseal it.

#include <filesystem>
#include <span>

#include "memory/secret_bytes.hpp"
#include "ovseal/identity.hpp"
#include "tpm/tpm.hpp"

namespace ovseal::keys {

inline constexpr const char* tpm_identity_file = "identity.tpm";

tpm::SealedBlob seal_in_tpm(std::span<const std::uint8_t> private_key, const TpmOptions& options);
memory::SecretBytes unseal_from_tpm(const tpm::SealedBlob& blob, const TpmOptions& options);

/// Writes the file (mode 0600) atomically; reads and checks it (invalid_key naming the line when malformed).
void write_tpm_identity(const std::filesystem::path& path, const tpm::SealedBlob& blob);
tpm::SealedBlob read_tpm_identity(const std::filesystem::path& path);

}  // namespace ovseal::keys
