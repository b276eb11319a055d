// SPDX-License-Identifier: Apache-2.0
// Issues licenses for many devices on one core and prints licenses per second.
//
//   license_issue_bench [DEVICES]        (default 100000)
//
// The model is a small signed package sealed here; what is measured is ovseal::issue_licenses, which opens
// and verifies the model once and then wraps and signs one license per device.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "container/sealer.hpp"
#include "crypto/crypto.hpp"
#include "policy/license_record.hpp"
#include "ovseal/identity.hpp"
#include "ovseal/license.hpp"
#include "ovseal/progress.hpp"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
    const std::size_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100000;
    ovseal::set_thread_count(1);  // one core
    const fs::path dir = fs::temp_directory_path() / ("ovseal-license-bench-" + std::to_string(::getpid()));
    fs::create_directories(dir);

    // A signed model sealed to a publisher key.
    std::ofstream(dir / "model.xml") << "<net name=\"bench\"/>";
    const ovseal::Key publisher = ovseal::Key::generate();
    const ovseal::SigningKey signer = ovseal::SigningKey::generate();
    ovseal::container::SealParameters p;
    p.signer = signer;
    ovseal::crypto::SystemRandom random;
    ovseal::container::seal_package({{"model.xml", ovseal::format::EntryKind::ir_xml, dir / "model.xml", {}}},
                                    {&publisher, 1}, p, dir / "model.ovseal", random);

    std::vector<ovseal::DevicePublicKey> devices;
    devices.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        std::uint8_t private_key[32];
        ovseal::crypto::random_bytes(private_key);
        devices.push_back(ovseal::DevicePublicKey::from_bytes(
            ovseal::crypto::x25519_public_key(ovseal::crypto::KeyView(private_key))));
    }

    const auto start = std::chrono::steady_clock::now();
    const auto licenses =
        ovseal::issue_licenses(dir / "model.ovseal", ovseal::KeyRing({publisher}), devices, {0, 0, "bench"}, signer);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    std::size_t bytes = 0;
    for (const auto& l : licenses) bytes += l.size();
    std::printf("licenses issued: %zu in %.3f s on one core = %.0f licenses/s (%.1f us each, %zu bytes each)\n",
                licenses.size(), seconds, static_cast<double>(licenses.size()) / seconds,
                seconds * 1e6 / static_cast<double>(licenses.size()), bytes / licenses.size());
    // Spot check: the last license parses and its signature verifies.
    ovseal::keys::parse_license(licenses.back());
    fs::remove_all(dir);
    return 0;
}
