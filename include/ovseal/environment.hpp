// SPDX-License-Identifier: Apache-2.0
#pragma once

// What the ovseal CLI, the Python package and the OpenVINO frontend do that the library itself never does: read
// ovseal's environment variables and print notices on standard error. The reading is a library of its own
// (ovseal::environment), outside ovseal::ovseal and ovseal::runtime, that depends on neither: the inline functions
// below apply what it read through whichever of the two the application links, so a device program on
// ovseal::runtime honours the same variables without pulling in the rest. Which entry point honours which
// variable: docs/ARCHITECTURE.md, "Environment variables".

#include <optional>
#include <string>

#include "ovseal/hardening.hpp"
#include "ovseal/key.hpp"
#include "ovseal/notice.hpp"
#include "ovseal/pkcs11.hpp"
#include "ovseal/progress.hpp"

namespace ovseal {

/// The process-wide options the variables set; an unset variable leaves its field empty.
struct EnvironmentSettings {
    std::optional<unsigned> thread_count;      // OVSEAL_THREADS=N (1 to 1024; anything else is ignored)
    std::optional<bool> non_dumpable;          // OVSEAL_HARDEN (0: off, anything else: on)
    std::optional<bool> lock_all_memory;       // OVSEAL_MLOCKALL (1: on, anything else: off)
    std::optional<bool> huge_pages;            // OVSEAL_HUGEPAGES (1: on, anything else: off)
    std::optional<std::string> pkcs11_module;  // OVSEAL_PKCS11_MODULE (empty counts as unset)
};

/// Reads the variables above now.
EnvironmentSettings read_environment();

/// OVSEAL_PKCS11_PIN where the environment holds it (no copy is made), or null if it is unset or empty.
const char* pkcs11_pin_variable();

/// A notice handler that prints "ovseal: warning: MESSAGE" on standard error.
NoticeHandler standard_error_notice_handler();

/// Sets the process-wide options from the environment (set_thread_count, set_hardening, set_huge_pages); a variable
/// that is unset leaves its option as it is.
inline void apply_environment() {
    const EnvironmentSettings settings = read_environment();
    if (settings.thread_count) set_thread_count(*settings.thread_count);
    if (settings.non_dumpable || settings.lock_all_memory) {
        Hardening hardened = hardening();
        if (settings.non_dumpable) hardened.non_dumpable = *settings.non_dumpable;
        if (settings.lock_all_memory) hardened.lock_all_memory = *settings.lock_all_memory;
        set_hardening(hardened);
    }
    if (settings.huge_pages) set_huge_pages(*settings.huge_pages);
}

/// `options` with OVSEAL_PKCS11_MODULE as the module if it names none, and OVSEAL_PKCS11_PIN as the PIN if it
/// gives neither a PIN nor a PIN file.
inline Pkcs11Options with_environment(Pkcs11Options options) {
    if (options.module.empty()) {
        if (auto module = read_environment().pkcs11_module) options.module = *module;
    }
    if (!options.pin && options.pin_file.empty()) {
        if (const char* pin = pkcs11_pin_variable()) options.pin = Key::from_passphrase(pin);
    }
    return options;
}

/// Prints every notice (ovseal/notice.hpp) on standard error as "ovseal: warning: MESSAGE".
inline void print_notices_on_standard_error() {
    set_notice_handler(standard_error_notice_handler());
}

}  // namespace ovseal
