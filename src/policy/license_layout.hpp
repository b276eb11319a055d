// SPDX-License-Identifier: Apache-2.0
#pragma once

// The license record's layout (docs/FORMAT.md §13), shared by reading a license (license_record.cpp, on every
// device) and issuing one (license_issuing.cpp, the publisher's only).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ovseal::keys {

inline constexpr std::array<std::uint8_t, 8> license_magic = {0x89, 'O', 'V', 'L', 'I', 'C', 'E', '\n'};
inline constexpr std::uint16_t x25519_license_version = 1;
inline constexpr std::uint16_t p256_license_version = 2;
inline constexpr std::size_t signature_part = 97;  // algorithm, signer key, signature

/// The key-derivation info of a license's wrap: the label, the model id and the validity window.
std::string wrap_info(std::uint16_t version, const std::array<std::uint8_t, 32>& model_id, std::uint64_t not_before,
                      std::uint64_t expires);
/// What the publisher signs: "ovseal-v1 licence" 0x00 || the signed part of the record.
std::vector<std::uint8_t> signing_input(std::span<const std::uint8_t> signed_part);

}  // namespace ovseal::keys
