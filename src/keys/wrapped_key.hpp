#pragma once

// The one way a file key is wrapped (docs/FORMAT.md §7): 64 bytes of key material `okm`, of which okm[0:32]
// wraps the file key with AES-256-GCM (zero nonce: each okm is used once) and okm[32:64] commits to it.
// Used by every stanza type and by licences.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/crypto.hpp"
#include "crypto/random_source.hpp"
#include "memory/secret_bytes.hpp"
#include "ovseal/identity.hpp"

namespace ovseal::keys {

constexpr std::size_t wrapped_key_size = 32 + 32 + 16;

std::vector<std::uint8_t> wrap_with(std::span<const std::uint8_t> okm, std::span<const std::uint8_t> file_key);

struct Unwrapped {
    enum class Outcome { not_mine, damaged, opened } outcome;
    memory::SecretBytes file_key;
};
Unwrapped unwrap_with(std::span<const std::uint8_t> okm, std::span<const std::uint8_t> wrapped);

/// X25519 agreement with a device key D (FORMAT.md §7.3, §13.2): okm = HKDF(shared, ephemeral || D, info, 64).
struct DeviceWrap {
    PublicKeyBytes ephemeral;
    memory::SecretBytes okm;
};
/// Writer side: draws the ephemeral key from `random`; an all-zero shared secret is invalid_key.
DeviceWrap device_wrap_keys(const PublicKeyBytes& device, std::string_view info, crypto::RandomSource& random);
/// Writer side with a given ephemeral key (one licence batch shares one; each device's secret still differs).
DeviceWrap device_wrap_keys(const PublicKeyBytes& device, std::string_view info, const crypto::X25519Key& ephemeral);
/// Reader side: nothing if the shared secret is all zero.
std::optional<memory::SecretBytes> device_unwrap_keys(const DeviceIdentity& identity, const PublicKeyBytes& ephemeral,
                                                      std::string_view info);

}  // namespace ovseal::keys
