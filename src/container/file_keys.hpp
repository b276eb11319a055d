// SPDX-License-Identifier: Apache-2.0
#pragma once

// The keys derived from a file key (docs/FORMAT.md §6.1), in one place for the opener and the sealer.

#include <cstdint>
#include <span>
#include <vector>

#include "crypto/crypto.hpp"
#include "format/header.hpp"
#include "memory/secret_bytes.hpp"

namespace ovseal::container {

memory::SecretBytes derive_payload_key(std::span<const std::uint8_t> file_key, std::span<const std::uint8_t> salt);
memory::SecretBytes derive_header_mac_key(std::span<const std::uint8_t> file_key);
memory::SecretBytes derive_file_key_commitment(std::span<const std::uint8_t> file_key);
/// The header MAC (§5) over `mac_covered` (format::mac_covered_part): what the sealer appends and the opener checks.
crypto::Bytes32 header_mac(std::span<const std::uint8_t> file_key, std::span<const std::uint8_t> mac_covered);
/// The header as written, by sealing and by rewrapping alike: preamble, stanzas, `body` (as stored), then the MAC.
std::vector<std::uint8_t> header_with_mac(const std::vector<format::Stanza>& stanzas,
                                          std::span<const std::uint8_t> body, std::span<const std::uint8_t> file_key);

}  // namespace ovseal::container
