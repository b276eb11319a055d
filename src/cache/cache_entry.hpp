// SPDX-License-Identifier: Apache-2.0
#pragma once

// Compiled-model cache entries (docs/FORMAT.md §16): what binds an entry to one model, OpenVINO version, device
// and compile options, how its key and file name are derived, and writing and opening one. No OpenVINO here:
// the caller serialises the options and hands over the compiled blob.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "container/opened_container.hpp"
#include "crypto/crypto.hpp"
#include "crypto/random_source.hpp"
#include "memory/secret_bytes.hpp"
#include "ovseal/key.hpp"

namespace ovseal::container {

/// One compile option: a text value, or a nested map of options (§16.2).
struct CacheOption {
    std::string name;
    std::string text;
    bool is_map = false;
    std::vector<CacheOption> map;
};

/// The canonical serialisation of a set of options (§16.2): sorted by name, byte-wise. Duplicate names are a
/// usage error.
std::vector<std::uint8_t> canonical_options(const std::vector<CacheOption>& options);

/// The public reference to a sealed model (§16.3): a digest of its header body, so re-wrapping keeps it and
/// sealing again changes it.
crypto::Bytes32 cache_model_ref(std::span<const std::uint8_t> raw_header, std::uint32_t stanzas_length);

/// The binding of §16.3: OpenVINO version, device, canonical options and model reference.
std::vector<std::uint8_t> cache_binding(std::string_view openvino_version, std::string_view device,
                                        std::span<const std::uint8_t> options, const crypto::Bytes32& model_ref);

/// The key of a cache entry (§16.4), derived from the model's file key and the binding.
Key cache_entry_key(std::span<const std::uint8_t> model_file_key, std::span<const std::uint8_t> binding);
/// The key of a device-bound entry (§16.4, revision 5): the file key and the device's cache secret together.
Key cache_entry_key(std::span<const std::uint8_t> model_file_key, std::span<const std::uint8_t> device_secret,
                    std::span<const std::uint8_t> binding);

/// The device cache secret of the identity §16.4 binds entries to (the one that opened `model`, else the ring's
/// first), or nothing when the ring holds no identity.
std::optional<memory::SecretBytes> cache_device_secret(const KeyRing& ring, const OpenedContainer& model);

/// The entry's file name (§16.5), from public data only.
std::string cache_entry_name(std::span<const std::uint8_t> binding);

/// Seals `blob` as a cache entry at `path` (temporary name, rename; mode 0600).
void write_cache_entry(const std::filesystem::path& path, const Key& key, std::span<const std::uint8_t> binding,
                       std::string_view openvino_version, std::span<const std::uint8_t> blob,
                       crypto::RandomSource& random);

/// Opens a cache entry (§16.6): steps 1–6 of §9 with `key`, then the binding and the single compiled-model entry
/// are checked. Throws ovseal::Error for anything else. Decrypt entry 0 from the result.
OpenedContainer open_cache_entry(const std::filesystem::path& path, const Key& key,
                                 std::span<const std::uint8_t> binding);

}  // namespace ovseal::container
