// SPDX-License-Identifier: Apache-2.0
// The environment variables of ovseal's entry points (the CLI, the Python package, the frontend), read in one place
// so that all three read them alike. Not part of the ovseal library, and calling none of it: what is read here is
// applied by the inline functions of ovseal/environment.hpp.

#include "ovseal/environment.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace ovseal {
namespace {

const char* variable(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : nullptr;
}

}  // namespace

EnvironmentSettings read_environment() {
    EnvironmentSettings settings;
    if (const char* threads = variable("OVSEAL_THREADS")) {
        char* end = nullptr;
        const unsigned long n = std::strtoul(threads, &end, 10);
        if (*end == '\0' && n > 0 && n <= 1024) settings.thread_count = static_cast<unsigned>(n);
    }
    if (const char* harden = std::getenv("OVSEAL_HARDEN")) settings.non_dumpable = std::strcmp(harden, "0") != 0;
    if (const char* lock_all = std::getenv("OVSEAL_MLOCKALL"))
        settings.lock_all_memory = std::strcmp(lock_all, "1") == 0;
    if (const char* huge = std::getenv("OVSEAL_HUGEPAGES")) settings.huge_pages = std::strcmp(huge, "1") == 0;
    if (const char* module = variable("OVSEAL_PKCS11_MODULE")) settings.pkcs11_module = module;
    return settings;
}

const char* pkcs11_pin_variable() {
    return variable("OVSEAL_PKCS11_PIN");
}

NoticeHandler standard_error_notice_handler() {
    return [](std::string_view message) {
        std::fprintf(stderr, "ovseal: warning: %.*s\n", static_cast<int>(message.size()), message.data());
    };
}

}  // namespace ovseal
