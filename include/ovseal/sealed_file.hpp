// SPDX-License-Identifier: Apache-2.0
#pragma once

// Looking at a sealed file: its unverified public header, full verification and its model id.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ovseal/identity.hpp"
#include "ovseal/key.hpp"

namespace ovseal {

/// What a sealed file says about itself. From `inspect` it is unverified: anyone could have written it.
struct FileInfo {
    struct Entry {
        std::string name;
        int kind;  // 1 IR .xml, 2 IR .bin, 3 ONNX (docs/FORMAT.md §5.2)
        std::uint64_t size;
    };
    int format_version = 0;
    std::uint64_t file_size = 0;
    std::uint64_t header_size = 0;
    std::uint64_t chunk_size = 0;
    std::uint64_t chunk_count = 0;
    std::vector<std::string> stanza_types;
    std::vector<Entry> entries;
    std::optional<std::string> model_name;
    std::optional<std::string> model_version;
    std::optional<std::string> description;
    std::optional<std::uint64_t> created;  // seconds since the epoch, UTC
    std::optional<std::string> openvino_version;
    std::optional<std::string> sealed_by;
    std::vector<int> unknown_records;
    std::optional<std::string> signer_key_id;  ///< publisher key id from the signature record, if signed
    std::optional<std::string> model_id;       ///< the model id the signature claims (hex), if signed
    bool license_only = false;                 ///< under a trust list, opens only through a license (FORMAT §5.1)
    bool verified = false;                     ///< header and every chunk authenticated
    bool signature_verified = false;           ///< ... and the signature, against a trust list
    bool opened_unsigned_by_device = false;    ///< opened through a device stanza with no signature check
};

/// Reads the public header without any key. The result is NOT authenticated.
FileInfo inspect(const std::filesystem::path& sealed);

/// Authenticates the header and every chunk with `keys`; throws ovseal::Error on any failure.
/// Returns the (now authenticated) header information. No plaintext is kept.
FileInfo verify(const std::filesystem::path& sealed, const std::vector<Key>& keys);
/// The same with a key ring: device identities, licenses, and a trust list that requires a trusted signature.
FileInfo verify(const std::filesystem::path& sealed, const KeyRing& ring);

/// The model id (§12.2 of docs/FORMAT.md) computed from the file itself; needs no key.
std::string model_id(const std::filesystem::path& sealed);

/// True if the file starts with the ovseal magic.
bool is_sealed_file(const std::filesystem::path& path);

}  // namespace ovseal
