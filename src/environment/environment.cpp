// SPDX-License-Identifier: Apache-2.0
// The environment variables of ovseal's entry points (the CLI, the Python package, the frontend), mapped to the
// library's options in one place so that all three read them alike. Not part of the ovseal library.

#include "ovseal/environment.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "ovseal/hardening.hpp"
#include "ovseal/key.hpp"
#include "ovseal/notice.hpp"
#include "ovseal/progress.hpp"

namespace ovseal {
namespace {

const char* variable(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : nullptr;
}

}  // namespace

void apply_environment() {
    if (const char* threads = variable("OVSEAL_THREADS")) {
        char* end = nullptr;
        const unsigned long n = std::strtoul(threads, &end, 10);
        if (*end == '\0' && n > 0 && n <= 1024) set_thread_count(static_cast<unsigned>(n));
    }
    const char* harden = std::getenv("OVSEAL_HARDEN");
    const char* lock_all = std::getenv("OVSEAL_MLOCKALL");
    if (harden != nullptr || lock_all != nullptr) {
        Hardening settings = hardening();
        if (harden != nullptr) settings.non_dumpable = std::strcmp(harden, "0") != 0;
        if (lock_all != nullptr) settings.lock_all_memory = std::strcmp(lock_all, "1") == 0;
        set_hardening(settings);
    }
    if (const char* huge = std::getenv("OVSEAL_HUGEPAGES")) set_huge_pages(std::strcmp(huge, "1") == 0);
}

Pkcs11Options with_environment(Pkcs11Options options) {
    if (options.module.empty()) {
        if (const char* module = variable("OVSEAL_PKCS11_MODULE")) options.module = module;
    }
    if (!options.pin && options.pin_file.empty()) {
        if (const char* pin = variable("OVSEAL_PKCS11_PIN")) options.pin = Key::from_passphrase(pin);
    }
    return options;
}

void print_notices_on_standard_error() {
    set_notice_handler([](std::string_view message) {
        std::fprintf(stderr, "ovseal: warning: %.*s\n", static_cast<int>(message.size()), message.data());
    });
}

}  // namespace ovseal
