// SPDX-License-Identifier: Apache-2.0
#pragma once

// The one way a file key is wrapped (docs/FORMAT.md §7): 64 bytes of key material `okm`, of which okm[0:32]
// wraps the file key with AES-256-GCM (zero nonce: each okm is used once) and okm[32:64] commits to it.
// Used by every stanza type and by licenses.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/crypto.hpp"
#include "crypto/p256.hpp"
#include "crypto/random_source.hpp"
#include "memory/secret_bytes.hpp"
#include "ovseal/identity.hpp"

namespace ovseal::keys {

class DeviceAgreement;

constexpr std::size_t wrapped_key_size = 32 + 32 + 16;

std::vector<std::uint8_t> wrap_with(std::span<const std::uint8_t> okm, std::span<const std::uint8_t> file_key);

struct Unwrapped {
    enum class Outcome { not_mine, damaged, opened } outcome;
    memory::SecretBytes file_key;
};
Unwrapped unwrap_with(std::span<const std::uint8_t> okm, std::span<const std::uint8_t> wrapped);

/// Agreement with a device key D (FORMAT.md §7.3, §7.5, §13.2): okm = HKDF(shared, ephemeral || D, info, 64),
/// where shared is X25519(e, D) or the x-coordinate of e * D on P-256.
struct DeviceWrap {
    std::vector<std::uint8_t> ephemeral;  // 32 bytes (X25519) or 33 (compressed P-256)
    memory::SecretBytes okm;
};

/// The writer's ephemeral keys, one per device key type, drawn from `random` when first needed. One instance
/// may serve a batch of licenses: each device's shared secret, and so each wrap key, still differs.
class EphemeralKeys {
public:
    explicit EphemeralKeys(crypto::RandomSource& random) : m_random(random) {}
    const crypto::X25519Key& x25519();
    const crypto::P256Key& p256();

private:
    crypto::RandomSource& m_random;
    std::unique_ptr<crypto::X25519Key> m_x25519;
    std::unique_ptr<crypto::P256Key> m_p256;
};

/// Writer side. An unusable device key (an all-zero X25519 secret) is invalid_key.
DeviceWrap device_wrap_keys(const DevicePublicKey& device, std::string_view info, EphemeralKeys& ephemeral);
/// Reader side: nothing if the ephemeral key is unusable (a low-order X25519 point, or not a P-256 point).
/// A TPM-held identity asks its TPM, whose errors propagate.
std::optional<memory::SecretBytes> device_unwrap_keys(DeviceAgreement& device, std::span<const std::uint8_t> ephemeral,
                                                      std::string_view info);

}  // namespace ovseal::keys
