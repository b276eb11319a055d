#pragma once

#include <cstddef>
#include <filesystem>

#include "memory/secret_bytes.hpp"

namespace ovseal::keys {

/// Reads a small secret file straight into locked memory (never through an ordinary heap buffer).
/// Files larger than `limit` bytes are refused with `invalid_key`; a missing file is `io`.
memory::SecretBytes read_secret_file(const std::filesystem::path& path, std::size_t limit, const char* what);

}  // namespace ovseal::keys
