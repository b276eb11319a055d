#include "memory/secret_bytes.hpp"

#include <cstring>

namespace ovseal::memory {

SecretBytes SecretBytes::copy_of(std::span<const std::uint8_t> bytes) {
    SecretBytes s(bytes.size());
    if (!bytes.empty()) {
        std::memcpy(s.secret().data(), bytes.data(), bytes.size());
    }
    return s;
}

}  // namespace ovseal::memory
