// SPDX-License-Identifier: Apache-2.0
#pragma once

// Text forms of public keys (docs/FORMAT.md §14): PREFIX + base64url(key || checksum), checksum =
// SHA-256(PREFIX || key)[0:4].

#include <span>
#include <string>
#include <vector>
#include <string_view>

#include "crypto/crypto.hpp"
#include "ovseal/identity.hpp"

namespace ovseal::keys {

constexpr std::string_view device_key_prefix = "ovseal-x25519:";
constexpr std::string_view p256_device_key_prefix = "ovseal-p256:";
constexpr std::string_view publisher_key_prefix = "ovseal-ed25519:";

std::string public_key_text(std::string_view prefix, std::span<const std::uint8_t> key);
/// Throws Error(invalid_key) naming `what` when the text is not a key of this kind and size.
std::vector<std::uint8_t> parse_public_key_text(std::string_view prefix, std::string_view text, const char* what,
                                                std::size_t key_size);
/// The same for 32-byte keys.
PublicKeyBytes parse_public_key_text(std::string_view prefix, std::string_view text, const char* what);

/// First 8 bytes of SHA-256("ovseal-v1 key id" || key), as hex (docs/FORMAT.md §12.3).
std::string key_id(std::span<const std::uint8_t> key);
/// The whole SHA-256("ovseal-v1 key id" || key): the key id and a device stanza's recipient tag (§7.3) are its
/// first bytes.
crypto::Bytes32 key_id_digest(std::span<const std::uint8_t> key);

/// Lowercase hex, and its inverse for exactly `out.size()` bytes (either case); false if malformed.
std::string hex(std::span<const std::uint8_t> bytes);
bool parse_hex(std::string_view text, std::span<std::uint8_t> out);

}  // namespace ovseal::keys
