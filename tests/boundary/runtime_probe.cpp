// SPDX-License-Identifier: Apache-2.0
// A device application on ovseal_runtime and ovseal_environment (no sealing, signing, license issuing or PKCS#11
// code): honours the OVSEAL_* variables, opens a sealed model with a key-ring file, compiles it through the sealed
// compiled-model cache and runs it once.
//
//   runtime_probe SEALED KEYRING_JSON CACHE_DIR    prints "cache=hit|stored|rebuilt|not_stored outputs=N"

#include <iostream>

#include <openvino/openvino.hpp>

#include "ovseal/environment.hpp"
#include "ovseal/error.hpp"
#include "ovseal/key_ring_config.hpp"
#include "ovseal/openvino.hpp"

namespace {

const char* outcome_name(ovseal::CacheReport::Outcome outcome) {
    switch (outcome) {
        case ovseal::CacheReport::Outcome::hit:
            return "hit";
        case ovseal::CacheReport::Outcome::stored:
            return "stored";
        case ovseal::CacheReport::Outcome::rebuilt:
            return "rebuilt";
        case ovseal::CacheReport::Outcome::not_stored:
            return "not_stored";
    }
    return "?";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: runtime_probe SEALED KEYRING_JSON CACHE_DIR\n";
        return 2;
    }
    // As a device program that honours the OVSEAL_* variables does: ovseal::environment beside ovseal::runtime.
    ovseal::apply_environment();
    ovseal::print_notices_on_standard_error();
    try {
        const ovseal::KeyRing ring = ovseal::load_key_ring_file(argv[2]);
        ov::Core core;
        const char* outcome = "none";
        const ovseal::CompileCache cache{argv[3],
                                         [&](const ovseal::CacheReport& r) { outcome = outcome_name(r.outcome); }};
        ov::CompiledModel compiled = ovseal::compile_model(core, argv[1], ring, "CPU", {}, cache);
        ov::InferRequest request = compiled.create_infer_request();
        for (std::size_t i = 0; i < compiled.inputs().size(); ++i) {
            ov::Tensor input = request.get_input_tensor(i);
            float* data = input.data<float>();
            for (std::size_t k = 0; k < input.get_size(); ++k) data[k] = static_cast<float>(k % 7) / 7.0f;
        }
        request.infer();
        std::cout << "cache=" << outcome << " outputs=" << request.get_output_tensor(0).get_size() << "\n";
        return 0;
    } catch (const ovseal::Error& e) {
        std::cerr << "runtime_probe: " << e.what() << "\n";
        return ovseal::exit_code(e.code());
    }
}
