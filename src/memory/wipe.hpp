// SPDX-License-Identifier: Apache-2.0
#pragma once

// Overwriting secrets and plaintext with zeros in a way the compiler cannot elide.

#include <cstddef>

namespace ovseal::memory {

/// Overwrites n bytes with zeros in a way the compiler cannot elide.
void wipe(void* data, std::size_t n) noexcept;

}  // namespace ovseal::memory
