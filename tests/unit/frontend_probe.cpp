// SPDX-License-Identifier: Apache-2.0
// An unmodified OpenVINO application, as far as ovseal goes: it only calls ov::Core. test_frontend.cpp runs it
// against a copy of OpenVINO's library folder that also holds the ovseal frontend, with the key ring in
// OVSEAL_KEYRING.
//
//   frontend_probe PLAIN SEALED   compiles PLAIN, then SEALED through core.read_model and through
//                                 core.compile_model(path); prints one line per way if the outputs are the same.
// Exit codes: 0 same outputs, 3 OpenVINO threw (its message on stderr), 4 outputs differ, 2 usage.

#include <cstring>
#include <exception>
#include <iostream>

#include <openvino/runtime/core.hpp>

#include "test_support.hpp"

namespace {

bool same(const ovseal_test::Outputs& a, const ovseal_test::Outputs& b) {
    if (a.size() != b.size() || a.empty()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].empty() || a[i] != b[i]) return false;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: frontend_probe PLAIN SEALED\n";
        return 2;
    }
    try {
        ov::Core core;
        const auto expected = ovseal_test::infer(core.compile_model(argv[1], "CPU"));
        const auto model = core.read_model(argv[2]);
        if (!same(expected, ovseal_test::infer(core.compile_model(model, "CPU")))) return 4;
        std::cout << "read_model: same outputs" << std::endl;
        if (!same(expected, ovseal_test::infer(core.compile_model(argv[2], "CPU")))) return 4;
        std::cout << "compile_model: same outputs" << std::endl;
        return 0;
    } catch (const std::exception& e) {
        std::cerr << e.what() << std::endl;
        return 3;
    }
}
