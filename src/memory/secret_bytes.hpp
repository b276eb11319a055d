#pragma once

// ovseal's one secret type (as Tink's SecretData): every key, passphrase, PIN and shared secret ovseal holds lives in
// a SecretBytes. Typed text that arrives as a std::string (a prompt, a PIN callback) is moved in with take(), which
// wipes the string, instead of being wiped by hand where it is used.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "memory/locked_region.hpp"

namespace ovseal::memory {

/// A fixed-size secret (a key, a passphrase) in locked, non-dumpable memory, wiped on destruction.
/// Reaching the bytes is explicit: grep for `.secret()` (and `secret_text()`) to find every use.
class SecretBytes {
public:
    SecretBytes() = default;
    explicit SecretBytes(std::size_t size) : m_region(size) {}
    static SecretBytes copy_of(std::span<const std::uint8_t> bytes);
    /// The bytes of `text`, which is wiped (its size is kept, its bytes are zero).
    static SecretBytes take(std::string& text);

    std::span<std::uint8_t> secret() noexcept { return {m_region.data(), m_region.size()}; }
    std::span<const std::uint8_t> secret() const noexcept { return {m_region.data(), m_region.size()}; }
    /// The bytes as text, e.g. a passphrase for Key::from_passphrase.
    std::string_view secret_text() const noexcept {
        return {reinterpret_cast<const char*>(m_region.data()), m_region.size()};
    }
    std::size_t size() const noexcept { return m_region.size(); }
    bool empty() const noexcept { return m_region.size() == 0; }
    /// Equal sizes and bytes, in time that depends on the size only.
    bool same_as(const SecretBytes& other) const noexcept;

private:
    LockedRegion m_region;
};

}  // namespace ovseal::memory
