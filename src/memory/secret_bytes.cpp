// SPDX-License-Identifier: Apache-2.0
// Making a SecretBytes from bytes held elsewhere: the copy of a secret into locked memory.

#include "memory/secret_bytes.hpp"

#include <cstring>
#include <utility>

#include "memory/locked_region.hpp"
#include "memory/wipe.hpp"

namespace ovseal {

SecretBytes::SecretBytes() noexcept = default;

SecretBytes::SecretBytes(std::size_t size)
    : m_region(size == 0 ? nullptr : std::make_unique<memory::LockedRegion>(size)) {}

SecretBytes::~SecretBytes() = default;  // the region wipes itself

SecretBytes::SecretBytes(SecretBytes&& other) noexcept = default;

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept = default;

SecretBytes SecretBytes::copy_of(std::span<const std::uint8_t> bytes) {
    SecretBytes s(bytes.size());
    if (!bytes.empty()) {
        std::memcpy(s.secret().data(), bytes.data(), bytes.size());
    }
    return s;
}

SecretBytes SecretBytes::take(std::string& text) {
    auto s = copy_of({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
    memory::wipe(text.data(), text.size());
    return s;
}

std::span<std::uint8_t> SecretBytes::secret() noexcept {
    if (!m_region) return {};
    return {m_region->data(), m_region->size()};
}

std::span<const std::uint8_t> SecretBytes::secret() const noexcept {
    if (!m_region) return {};
    return {m_region->data(), m_region->size()};
}

std::string_view SecretBytes::secret_text() const noexcept {
    const auto bytes = secret();
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::size_t SecretBytes::size() const noexcept {
    return m_region ? m_region->size() : 0;
}

bool SecretBytes::same_as(const SecretBytes& other) const noexcept {
    const auto a = secret();
    const auto b = other.secret();
    if (a.size() != b.size()) return false;
    unsigned char difference = 0;
    for (std::size_t i = 0; i < a.size(); ++i) difference |= a[i] ^ b[i];
    return difference == 0;
}

}  // namespace ovseal
