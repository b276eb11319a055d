// SPDX-License-Identifier: Apache-2.0
#pragma once

// How small secret files are read into locked memory and key files written, with every bad form refused.

#include <cstddef>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

#include "memory/secret_bytes.hpp"
#include "ovseal/error.hpp"

namespace ovseal::keys {

/// Reads a small secret file straight into locked memory (never through an ordinary heap buffer).
/// Files larger than `limit` bytes are refused with `too_large` (by default invalid_key); a missing file is `io`.
memory::SecretBytes read_secret_file(const std::filesystem::path& path, std::size_t limit, const char* what,
                                     ErrorCode too_large = ErrorCode::invalid_key);

/// One accepted form of a key line: PREFIX followed by the hex of `size` bytes.
struct KeyLineForm {
    std::string_view prefix;
    std::size_t size;
};

struct KeyLine {
    std::size_t form;            // index into the accepted forms
    memory::SecretBytes secret;  // the decoded bytes
};

/// Reads a key file: '#' comments, blank lines and exactly one key line in one of `forms`.
/// Anything else is `invalid_key`, with `hint` saying how to make a right one.
KeyLine read_key_file(const std::filesystem::path& path, std::span<const KeyLineForm> forms, const char* what,
                      const char* hint);

/// Writes `comment` and the line PREFIX + hex(secret) to a new file with mode 0600; never overwrites.
void write_key_file(const std::filesystem::path& path, std::string_view comment, std::string_view prefix,
                    std::span<const std::uint8_t> secret, const char* what);

}  // namespace ovseal::keys
