// SPDX-License-Identifier: Apache-2.0
#pragma once

// The key-ring JSON parser on its own (no file is read, nothing is loaded), so that it can be fuzzed.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string_view>

#include "ovseal/key.hpp"
#include "ovseal/key_ring_config.hpp"

namespace ovseal::keys {

/// Where key-ring JSON comes from: a file may not carry a passphrase inline; the application itself may.
enum class KeyRingOrigin { file, in_process };

struct KeyRingConfig {
    KeyRingSources sources;
    std::optional<Key> passphrase;  ///< "passphrase", in-process only
};

/// The largest key ring read (file or memory).
inline constexpr std::size_t max_key_ring_size = 1 << 20;

/// Parses schema version 1 (README, "Unmodified OpenVINO applications"): relative paths are joined to
/// `base_dir`. Everything wrong is Error(usage) with `label` (e.g. "key-ring file 'x.json'") and the field
/// in the message, never a value; an empty inline passphrase is Error(invalid_key).
KeyRingConfig parse_key_ring_config(std::string_view json, const std::filesystem::path& base_dir, KeyRingOrigin origin,
                                    std::string_view label);

}  // namespace ovseal::keys
