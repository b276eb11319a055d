#pragma once

// Wiping a secret the application holds itself (a passphrase typed at a prompt) the way ovseal wipes its own.

#include <cstddef>

namespace ovseal {

/// Overwrites `size` bytes at `data` with zeros in a way the compiler cannot elide.
void wipe(void* data, std::size_t size) noexcept;

}  // namespace ovseal
