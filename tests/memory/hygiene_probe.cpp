// SPDX-License-Identifier: Apache-2.0
// A process that holds a sealed model, for the memory hygiene tests (test_memory_hygiene.py), which run it as
// an unprivileged user with a small RLIMIT_MEMLOCK and look at it from outside.
//
//   hygiene_probe SEALED KEY_FILE abort   load, run once, report, then abort() with core dumps allowed
//   hygiene_probe SEALED KEY_FILE abort PLAIN_FILE
//                                         the same, holding PLAIN_FILE's bytes in ordinary heap memory (the
//                                         control: what is not protected does show up in a core)
//   hygiene_probe SEALED KEY_FILE wait    load, run once, report; on a line from stdin release the model and
//                                         report again; on a second line (or end of input) exit
//
// Reports are one line each: "held pid=P dumpable=D vmlck_kb=K", "released dumpable=D vmlck_kb=K".

#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <openvino/openvino.hpp>

#include "ovseal/environment.hpp"
#include "ovseal/ovseal.hpp"

namespace {

long vmlck_kb() {
    std::ifstream status("/proc/self/status");
    std::string key;
    long value = 0;
    std::string unit;
    while (status >> key) {
        if (key == "VmLck:") {
            status >> value;
            return value;
        }
        std::getline(status, unit);
    }
    return -1;
}

void report(const char* what) {
    std::cout << what << " pid=" << ::getpid() << " dumpable=" << prctl(PR_GET_DUMPABLE, 0, 0, 0, 0)
              << " vmlck_kb=" << vmlck_kb() << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4 && argc != 5) {
        std::cerr << "usage: hygiene_probe SEALED KEY_FILE abort [PLAIN_FILE] | wait\n";
        return 2;
    }
    // An application that honours ovseal's variables as the CLI does (OVSEAL_HARDEN=0, OVSEAL_MLOCKALL=1) and
    // prints its notices (the locking warning) on standard error.
    ovseal::apply_environment();
    ovseal::print_notices_on_standard_error();
    const std::string mode = argv[3];
    std::vector<char> unprotected_copy;
    if (argc == 5) {
        std::ifstream plain(argv[4], std::ios::binary);
        unprotected_copy.assign(std::istreambuf_iterator<char>(plain), {});
    }
    try {
        ov::Core core;
        auto compiled = std::make_unique<ov::CompiledModel>(
            ovseal::compile_model(core, argv[1], ovseal::Key::from_key_file(argv[2]), "CPU"));
        auto request = compiled->create_infer_request();
        for (const auto& input : compiled->inputs()) {
            ov::Tensor tensor(input.get_element_type(), input.get_shape());
            std::memset(tensor.data(), 0, tensor.get_byte_size());
            request.set_tensor(input, tensor);
        }
        request.infer();
        report("held");
        if (mode == "abort") {
            const rlimit cores{RLIM_INFINITY, RLIM_INFINITY};
            setrlimit(RLIMIT_CORE, &cores);  // the hard limit may be lower: then as much as it allows
            rlimit current{};
            getrlimit(RLIMIT_CORE, &current);
            current.rlim_cur = current.rlim_max;
            setrlimit(RLIMIT_CORE, &current);
            std::cout << "unprotected copy of " << unprotected_copy.size() << " bytes at "
                      << static_cast<const void*>(unprotected_copy.data()) << std::endl;
            std::abort();
        }
        std::string line;
        std::getline(std::cin, line);
        request = ov::InferRequest();
        compiled.reset();
        report("released");
        std::getline(std::cin, line);
        return 0;
    } catch (const ovseal::Error& e) {
        std::cerr << "ovseal: error: " << e.what() << "\n";
        return static_cast<int>(e.code());
    }
}
