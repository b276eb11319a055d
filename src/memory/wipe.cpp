#include "memory/wipe.hpp"

#include <string.h>

namespace ovseal::memory {

void wipe(void* data, std::size_t n) noexcept {
    if (data != nullptr && n != 0) {
        explicit_bzero(data, n);
    }
}

}  // namespace ovseal::memory
