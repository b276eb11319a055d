// SPDX-License-Identifier: Apache-2.0
#pragma once

// Key rings described by paths: the options of `ovseal run`, and the key-ring file (JSON) that applications
// which cannot build a KeyRing in code name with OVSEAL_KEYRING (README, "Unmodified OpenVINO applications").

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ovseal/identity.hpp"

namespace ovseal {

/// Where the pieces of a key ring are on disk.
struct KeyRingSources {
    std::vector<std::filesystem::path> key_files;          ///< key files made by `ovseal keygen`
    std::optional<std::filesystem::path> passphrase_file;  ///< one trailing newline is ignored
    std::vector<std::filesystem::path> identities;         ///< device identity folders (`ovseal device init`)
    std::string tcti;                                      ///< the TPM of TPM-held identities (empty: default)
    std::vector<std::filesystem::path> licenses;           ///< license files, or folders of them (*.lic)
    std::vector<std::filesystem::path> trust;              ///< trusted publisher keys (.pub), or folders of them
    bool allow_unsigned = false;                           ///< KeyRing::allow_unsigned_device_files
    std::optional<std::filesystem::path> clock_state;      ///< rollback guard state file
    std::int64_t clock_tolerance_seconds = default_clock_tolerance_seconds;
};

/// Loads every key, identity and trusted key the sources name; folders of licenses and of .pub files are
/// expanded in name order. A trust list whose folders hold no .pub file is refused (Error(usage)): it would
/// silently trust nothing. Missing files are Error(io), bad keys Error(invalid_key).
KeyRing load_key_ring(const KeyRingSources& sources);

/// Reads a key-ring file (JSON, schema version 1, described in the README) and loads the key ring it
/// describes; relative paths in it resolve against the file's folder. A file may not hold a passphrase
/// inline (it names a passphrase_file instead). Errors: Error(io) for an unreadable file, Error(usage) for a
/// file that is not a valid key ring (the message names the field, never its value), then load_key_ring's.
KeyRing load_key_ring_file(const std::filesystem::path& path);

/// The same JSON handed over in memory by the application itself, which may also carry "passphrase" inline.
/// Relative paths resolve against `base_dir` (empty: the current folder).
KeyRing load_key_ring_json(std::string_view json, const std::filesystem::path& base_dir);

/// The environment variable naming the key-ring file that applications without a key ring of their own use.
inline constexpr const char* key_ring_environment_variable = "OVSEAL_KEYRING";

}  // namespace ovseal
