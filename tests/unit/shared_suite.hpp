// SPDX-License-Identifier: Apache-2.0
#pragma once

// Shared pieces of the suites that seal their models once: the fixture base that builds them, the license
// window the license tests use, the sealing, licensing and plain-inference steps their models repeat, and the
// memory check the large tests skip on.

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace ovseal_test {

constexpr std::size_t chunk_64k = 64 * 1024;

/// The validity window of the licenses the tests issue, and a time inside it.
constexpr std::uint64_t not_before = 1'800'000'000;
constexpr std::uint64_t expires = 1'900'000'000;
constexpr std::uint64_t inside = 1'850'000'000;

/// A test fixture base whose tests share one `Models`, built once per suite (before its first test) and read
/// through m().
template <typename Models>
class SharedSuite : public ::testing::Test {
protected:
    static void SetUpTestSuite() { models = std::make_unique<Models>(); }
    static void TearDownTestSuite() { models.reset(); }
    static const Models& m() { return *models; }

    static inline std::unique_ptr<Models> models;
};

/// Seal options for a model signed by `publisher` and sealed also to `devices`.
inline ovseal::SealOptions signed_options(const ovseal::SigningKey& publisher,
                                          std::vector<ovseal::DevicePublicKey> devices = {}) {
    ovseal::SealOptions o;
    o.sign = publisher;
    o.devices = std::move(devices);
    return o;
}

/// Issues one license for `device` to the model `sealed` (opened with `key`), signed by `signer`, and writes it
/// to `path`; returns `path`.
inline fs::path write_issued_license(const fs::path& path, const fs::path& sealed, const ovseal::Key& key,
                                     const ovseal::DevicePublicKey& device, const ovseal::SigningKey& signer,
                                     const ovseal::LicenseTerms& terms = {}) {
    write_bytes(path, ovseal::issue_licenses(sealed, ovseal::KeyRing({key}), {device}, terms, signer).at(0));
    return path;
}

/// The outputs of the plain model `xml` compiled for the CPU, for inputs drawn from `seed`.
inline Outputs plain_outputs(const fs::path& xml, unsigned seed = 7) {
    ov::Core core;
    return infer(core.compile_model(xml.string(), "CPU"), seed);
}

/// A ring that opens with `identities` (and `licenses`) and trusts `publisher` only.
inline ovseal::KeyRing trusting_ring(const ovseal::SigningKey& publisher,
                                     std::vector<ovseal::DeviceIdentity> identities,
                                     std::vector<fs::path> licenses = {}) {
    ovseal::KeyRing r;
    r.identities = std::move(identities);
    r.licenses = std::move(licenses);
    r.trusted = {publisher.public_key()};
    return r;
}

/// MemAvailable from /proc/meminfo, in bytes (0 if it cannot be read).
inline std::uint64_t mem_available() {
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    std::uint64_t kib = 0;
    std::string unit;
    while (meminfo >> key >> kib >> unit) {
        if (key == "MemAvailable:") return kib * 1024;
    }
    return 0;
}

}  // namespace ovseal_test
