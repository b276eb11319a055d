// SPDX-License-Identifier: Apache-2.0
#pragma once

// ovseal's one secret type (as Tink's SecretData): every key, passphrase, PIN and shared secret ovseal holds lives
// in a SecretBytes, in locked, non-dumpable memory that is wiped when it is released. It is public so that an
// application (the CLI's passphrase prompt) keeps a typed secret the same way instead of wiping strings by hand.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace ovseal {

namespace memory {
class LockedRegion;
}

/// A fixed-size secret (a key, a passphrase) in locked, non-dumpable memory, wiped on destruction.
/// Reaching the bytes is explicit: grep for `.secret()` (and `secret_text()`) to find every use.
class SecretBytes {
public:
    SecretBytes() noexcept;
    explicit SecretBytes(std::size_t size);
    ~SecretBytes();
    SecretBytes(SecretBytes&& other) noexcept;
    SecretBytes& operator=(SecretBytes&& other) noexcept;

    static SecretBytes copy_of(std::span<const std::uint8_t> bytes);
    /// The bytes of `text`, which is wiped (its size is kept, its bytes are zero).
    static SecretBytes take(std::string& text);

    std::span<std::uint8_t> secret() noexcept;
    std::span<const std::uint8_t> secret() const noexcept;
    /// The bytes as text, e.g. a passphrase for Key::from_passphrase.
    std::string_view secret_text() const noexcept;
    std::size_t size() const noexcept;
    bool empty() const noexcept { return size() == 0; }
    /// Equal sizes and bytes, in time that depends on the size only.
    bool same_as(const SecretBytes& other) const noexcept;

private:
    std::unique_ptr<memory::LockedRegion> m_region;  // null when empty
};

}  // namespace ovseal
