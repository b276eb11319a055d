// SPDX-License-Identifier: Apache-2.0
#pragma once

// Offline licenses (docs/FORMAT.md §13): one signed file per device that lets it open one signed model during
// a validity window. Issuing one needs the model's file key (the publisher opens the model) and the signing key.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ovseal/identity.hpp"

namespace ovseal {

struct LicenseTerms {
    std::uint64_t not_before = 0;  ///< seconds since the epoch; 0: valid from the start
    std::uint64_t expires = 0;     ///< seconds since the epoch, exclusive; 0: never
    std::string note;              ///< public, at most 1024 bytes
};

/// Issues a license for each device to open `sealed`, which `ring` must open (the publisher's key file or
/// passphrase). The model must be signed, and its signature must verify. Returns the licenses in `devices`
/// order.
std::vector<std::vector<std::uint8_t>> issue_licenses(const std::filesystem::path& sealed, const KeyRing& ring,
                                                      const std::vector<DevicePublicKey>& devices,
                                                      const LicenseTerms& terms, const SigningKey& signer);

struct LicenseInfo {
    std::string model_id;  ///< hex
    DevicePublicKey device;
    std::uint64_t not_before;
    std::uint64_t expires;
    std::string note;
    PublisherPublicKey signer;
    std::size_t size;
};

/// Reads a license and checks its own signature (not whether its signer is trusted).
LicenseInfo inspect_license(const std::filesystem::path& path);

}  // namespace ovseal
