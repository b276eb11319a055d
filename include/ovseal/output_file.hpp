// SPDX-License-Identifier: Apache-2.0
#pragma once

// How ovseal writes every file it writes (sealed models, cache entries, keys, identities, licenses, the clock
// state, and the CLI's outputs): completely or not at all, under the one rule chosen per file for a path that
// already exists.

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace ovseal {

/// What happens when the output path already names a file.
enum class IfExists {
    replace,  // the new file takes the name in one step (rename): a reader sees the old file or the new, whole
    refuse,   // Error(io) "already exists", up front and again at the last step: nothing is ever overwritten
};

struct OutputOptions {
    unsigned mode = 0644;  // the file's permissions, less the umask (0600 for secrets)
    IfExists if_exists = IfExists::replace;
    bool sync = true;           // on disk (fsync) before it takes its name
    std::string what = "file";  // how messages name it: "a license", "a key file"
};

/// Writes `bytes` as `path`, completely or not at all: a failure (full disk, a refusal) leaves `path` as it was and
/// no other file behind; the error says which file and why (the OS's reason).
void write_output_file(const std::filesystem::path& path, std::span<const std::uint8_t> bytes,
                       const OutputOptions& options = {});
/// The same for text (a public key, an identity file, the clock state).
void write_output_file(const std::filesystem::path& path, std::string_view text, const OutputOptions& options = {});
/// The same for a file made of several parts, written one after the other (no copy joins them).
void write_output_file(const std::filesystem::path& path, std::initializer_list<std::span<const std::uint8_t>> parts,
                       const OutputOptions& options = {});

}  // namespace ovseal
