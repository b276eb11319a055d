// SPDX-License-Identifier: Apache-2.0
#pragma once

// Writing a sealed file (docs/FORMAT.md): one pass, streaming each entry from its source file.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "crypto/random_source.hpp"
#include "format/header.hpp"
#include "keys/stanzas.hpp"
#include "ovseal/identity.hpp"
#include "ovseal/key.hpp"

namespace ovseal::container {

class OpenedContainer;

struct PackageEntry {
    std::string name;
    format::EntryKind kind;
    std::filesystem::path source;           // a plaintext file, or, if empty:
    std::span<const std::uint8_t> content;  // plaintext in memory (resealing)
};

struct SealParameters {
    format::Metadata metadata;
    unsigned chunk_size_log2 = 0;  // 0: chosen from the package size
    unsigned scrypt_log2_n = default_scrypt_log2_n;
    std::vector<DevicePublicKey> devices;  // device recipients, beside the keys; each at most once
    keys::DeviceStanzaForm device_stanzas = keys::DeviceStanzaForm::tagged;  // untagged: test vectors only
    std::optional<SigningKey> signer;                                        // the publisher signature (§12)
    unsigned file_mode = 0644;  // ciphertext: readable like the model it replaces
    bool sync = true;           // fsync before the rename (a cache entry, checked on use, need not)
};

/// A license-only model (FORMAT.md §5.1) is signed and has no device recipient; throws Error(usage) otherwise.
void check_license_only(const SealParameters& parameters);

/// Seals `entries` for every key in `recipients` and every device of `parameters` into `output`, written through a
/// temporary file in the same
/// folder and renamed into place, so a failure never leaves a partial file under the final name.
void seal_package(const std::vector<PackageEntry>& entries, std::span<const Key> recipients,
                  const SealParameters& parameters, const std::filesystem::path& output, crypto::RandomSource& random);

/// Writes a copy of an opened file with other stanzas: same file key, body, chunks and trailer, so the
/// signature and every license stay valid (docs/FORMAT.md §12.1). The new header is authenticated with the
/// file key. Written through a temporary file like seal_package.
void rewrap_file(const OpenedContainer& file, const std::vector<format::Stanza>& stanzas,
                 const std::filesystem::path& output);

/// The chunk size (log2) chosen automatically for a package whose largest entry has `largest` bytes.
unsigned default_chunk_size_log2(std::uint64_t largest);

}  // namespace ovseal::container
