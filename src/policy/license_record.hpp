// SPDX-License-Identifier: Apache-2.0
#pragma once

// Licenses (docs/FORMAT.md §13): a signed, device-bound wrap of a model's file key with a validity window.
// Parsing is pure; nothing here reads files.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "crypto/crypto.hpp"
#include "crypto/random_source.hpp"
#include "memory/secret_bytes.hpp"
#include "keys/wrapped_key.hpp"
#include "ovseal/identity.hpp"

namespace ovseal::keys {

struct License {
    std::uint16_t version = 1;  // 1: X25519 device, 2: P-256 device
    std::array<std::uint8_t, 32> model_id{};
    DevicePublicKey device = DevicePublicKey::from_bytes({});
    std::uint64_t not_before = 0;         // 0: no lower bound
    std::uint64_t expires = 0;            // 0: never
    std::vector<std::uint8_t> ephemeral;  // same type and size as the device key
    std::array<std::uint8_t, 80> wrapped{};
    std::string note;
    PublicKeyBytes signer{};
    std::array<std::uint8_t, 64> signature{};
};

constexpr std::size_t max_license_note = 1024;

/// Parses a license and verifies its own signature (not whether the signer is trusted). Throws
/// license_invalid, or unsupported_version for a newer license version.
License parse_license(std::span<const std::uint8_t> bytes);

/// Makes and signs a license for `device` that wraps `file_key`, with an ephemeral key drawn from `random`
/// (license_issuing.cpp: the publisher's, not in ovseal_runtime).
std::vector<std::uint8_t> issue_license(const std::array<std::uint8_t, 32>& model_id,
                                        std::span<const std::uint8_t> file_key, const DevicePublicKey& device,
                                        std::uint64_t not_before, std::uint64_t expires, const std::string& note,
                                        const SigningKey& signer, crypto::RandomSource& random);
/// The same with ephemeral keys shared by the licenses of one batch (§13.2).
std::vector<std::uint8_t> issue_license(const std::array<std::uint8_t, 32>& model_id,
                                        std::span<const std::uint8_t> file_key, const DevicePublicKey& device,
                                        std::uint64_t not_before, std::uint64_t expires, const std::string& note,
                                        const SigningKey& signer, EphemeralKeys& ephemeral);

/// The file key, with `device` (whose public key must be the license's device). Throws license_invalid.
memory::SecretBytes license_file_key(const License& license, DeviceAgreement& device);
/// The same for one license alone.
memory::SecretBytes license_file_key(const License& license, const DeviceIdentity& identity);

}  // namespace ovseal::keys
