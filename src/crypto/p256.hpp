// SPDX-License-Identifier: Apache-2.0
#pragma once

// NIST P-256 ECDH for device keys held in a TPM (docs/FORMAT.md §7.5). The device side of the agreement
// runs inside the TPM (TPM2_ECDH_ZGen); this is the publisher's side, plus a software device key for test
// vectors. Points are exchanged compressed (SEC 1 §2.3.3, 33 bytes).

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "crypto/key_view.hpp"
#include "memory/secret_bytes.hpp"

namespace ovseal::crypto {

using P256Point = std::array<std::uint8_t, 33>;   // compressed
using P256Affine = std::array<std::uint8_t, 64>;  // x || y, 32 bytes each, for the TPM

/// The point's affine coordinates, or nothing if the bytes are not a compressed point on the curve.
std::optional<P256Affine> p256_decompress(std::span<const std::uint8_t> point);
/// The compressed form of affine coordinates, or nothing if (x, y) is not on the curve.
std::optional<P256Point> p256_compress(std::span<const std::uint8_t> x, std::span<const std::uint8_t> y);

/// A P-256 private key (a scalar 1 <= d < n, 32 bytes big-endian) kept ready for agreements.
class P256Key {
public:
    /// Throws Error(invalid_key) if the scalar is zero or not below the group order.
    explicit P256Key(KeyView scalar);
    ~P256Key();
    P256Key(const P256Key&) = delete;
    P256Key& operator=(const P256Key&) = delete;
    const P256Point& public_key() const noexcept { return m_public; }
    /// The x-coordinate of d * peer (32 bytes), or nothing if the peer is not a valid point.
    std::optional<memory::SecretBytes> agree(std::span<const std::uint8_t> peer) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    P256Point m_public{};
};

/// True if 32 big-endian bytes are a valid private scalar (1 <= d < n). Writers draw 32 random bytes until
/// one is (rejection sampling; a retry happens with probability about 2^-32).
bool p256_scalar_in_range(KeyView scalar);

}  // namespace ovseal::crypto
