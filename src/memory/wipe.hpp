#pragma once

#include <cstddef>

namespace ovseal::memory {

/// Overwrites n bytes with zeros in a way the compiler cannot elide.
void wipe(void* data, std::size_t n) noexcept;

}  // namespace ovseal::memory
