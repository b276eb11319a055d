// SPDX-License-Identifier: Apache-2.0
#pragma once

// What the ovseal CLI, the Python package and the OpenVINO frontend do that the library itself never does: read
// ovseal's environment variables and print notices on standard error. It is a library of its own
// (ovseal::environment), outside ovseal::ovseal and ovseal::runtime; an application that wants to honour the same
// variables links it and calls these. Which entry point honours which variable: docs/ARCHITECTURE.md,
// "Environment variables".

#include "ovseal/pkcs11.hpp"

namespace ovseal {

/// Sets the process-wide options from the environment: OVSEAL_THREADS=N (1 to 1024) set_thread_count,
/// OVSEAL_HARDEN=0 and OVSEAL_MLOCKALL=1 set_hardening, OVSEAL_HUGEPAGES=1 set_huge_pages. A variable that is
/// unset (or, for OVSEAL_THREADS, not such a number) leaves its option as it is.
void apply_environment();

/// `options` with OVSEAL_PKCS11_MODULE as the module if it names none, and OVSEAL_PKCS11_PIN as the PIN if it
/// gives neither a PIN nor a PIN file (empty variables count as unset).
Pkcs11Options with_environment(Pkcs11Options options);

/// Prints every notice (ovseal/notice.hpp) on standard error as "ovseal: warning: MESSAGE".
void print_notices_on_standard_error();

}  // namespace ovseal
