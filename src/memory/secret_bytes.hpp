#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "memory/locked_region.hpp"

namespace ovseal::memory {

/// A fixed-size secret (a key, a passphrase) in locked, non-dumpable memory, wiped on destruction.
/// Reaching the bytes is explicit: grep for `.secret()` to find every use.
class SecretBytes {
public:
    SecretBytes() = default;
    explicit SecretBytes(std::size_t size) : m_region(size) {}
    static SecretBytes copy_of(std::span<const std::uint8_t> bytes);

    std::span<std::uint8_t> secret() noexcept { return {m_region.data(), m_region.size()}; }
    std::span<const std::uint8_t> secret() const noexcept { return {m_region.data(), m_region.size()}; }
    std::size_t size() const noexcept { return m_region.size(); }
    bool empty() const noexcept { return m_region.size() == 0; }

private:
    LockedRegion m_region;
};

}  // namespace ovseal::memory
