#include "memory/secret_bytes.hpp"

#include <cstring>

#include "memory/wipe.hpp"

namespace ovseal::memory {

SecretBytes SecretBytes::copy_of(std::span<const std::uint8_t> bytes) {
    SecretBytes s(bytes.size());
    if (!bytes.empty()) {
        std::memcpy(s.secret().data(), bytes.data(), bytes.size());
    }
    return s;
}

SecretBytes SecretBytes::take(std::string& text) {
    auto s = copy_of({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
    wipe(text.data(), text.size());
    return s;
}

bool SecretBytes::same_as(const SecretBytes& other) const noexcept {
    if (size() != other.size()) return false;
    unsigned char difference = 0;
    for (std::size_t i = 0; i < size(); ++i) difference |= m_region.data()[i] ^ other.m_region.data()[i];
    return difference == 0;
}

}  // namespace ovseal::memory
