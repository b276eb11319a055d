// SPDX-License-Identifier: Apache-2.0
#pragma once

// Keys are not messages: every function of the crypto API that takes key material takes it as a KeyView, which
// only an explicit construction makes. A call with a key and a message swapped does not compile, and each place
// that hands key bytes to OpenSSL says so (grep for KeyView).

#include <cstddef>
#include <cstdint>
#include <span>

#include "memory/secret_bytes.hpp"

namespace ovseal::crypto {

class KeyView {
public:
    explicit KeyView(std::span<const std::uint8_t> bytes) noexcept : m_bytes(bytes) {}
    explicit KeyView(const memory::SecretBytes& secret) noexcept : m_bytes(secret.secret()) {}

    std::span<const std::uint8_t> bytes() const noexcept { return m_bytes; }
    std::size_t size() const noexcept { return m_bytes.size(); }
    /// Part of the key, e.g. the first half of a 64-byte key schedule.
    KeyView subkey(std::size_t offset, std::size_t count) const { return KeyView(m_bytes.subspan(offset, count)); }

private:
    std::span<const std::uint8_t> m_bytes;
};

}  // namespace ovseal::crypto
