// SPDX-License-Identifier: Apache-2.0
// A C++ application of the ovseal API, for the attack tests: it loads a sealed model again and again, the way a
// device would, and says what each attempt gave.
//
//   load_probe KEYRING.json SEALED [REPEAT]
//
// Each attempt (ovseal::compile_model on CPU, one inference with fixed inputs) prints one line:
//   ok <digest of the outputs>      or      error <code> <name>
// Exit codes: 0 when every attempt printed its line, 2 usage, 1 anything that is not an ovseal::Error.

#include <cstdint>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

#include <openvino/runtime/core.hpp>

#include "ovseal/error.hpp"
#include "ovseal/key_ring_config.hpp"
#include "ovseal/openvino.hpp"
#include "test_support.hpp"

namespace {

// FNV-1a over every output's bytes: enough to tell the genuine model's outputs from any other.
std::string digest(const ovseal_test::Outputs& outputs) {
    std::uint64_t h = 1469598103934665603ull;
    for (const auto& output : outputs) {
        for (const auto b : output) h = (h ^ b) * 1099511628211ull;
        h = (h ^ 0xff) * 1099511628211ull;
    }
    return std::to_string(h);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3 || argc > 4) {
        std::cerr << "usage: load_probe KEYRING.json SEALED [REPEAT]\n";
        return 2;
    }
    const int repeat = argc == 4 ? std::atoi(argv[3]) : 1;
    try {
        const ovseal::KeyRing ring = ovseal::load_key_ring_file(argv[1]);
        ov::Core core;
        for (int i = 0; i < repeat; ++i) {
            try {
                const auto compiled = ovseal::compile_model(core, argv[2], ring, "CPU");
                std::cout << "ok " << digest(ovseal_test::infer(compiled)) << std::endl;
            } catch (const ovseal::Error& e) {
                std::cout << "error " << static_cast<int>(e.code()) << ' ' << ovseal::error_name(e.code()) << std::endl;
            }
        }
    } catch (const std::exception& e) {
        std::cerr << "load_probe: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
