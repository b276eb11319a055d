// SPDX-License-Identifier: Apache-2.0
// Zeroing memory with explicit_bzero, which the compiler cannot optimize away.

#include "memory/wipe.hpp"

#include <string.h>

namespace ovseal::memory {

void wipe(void* data, std::size_t n) noexcept {
    if (data != nullptr && n != 0) {
        explicit_bzero(data, n);
    }
}

}  // namespace ovseal::memory
