// SPDX-License-Identifier: Apache-2.0
// The entry point of the ovseal._native extension, which gathers the bindings of each API area.

#include "binding.hpp"
#include "ovseal/environment.hpp"
#include "ovseal/defaults.hpp"
#include "ovseal/version.hpp"

void ovseal::python::apply_environment_now() {
    ovseal::apply_environment();
}

PYBIND11_MODULE(_native, m) {
    m.doc() = "ovseal's C++ API: sealing, inspecting, verifying, keys, licenses and the compile-target check";
    // The library reads no environment variable and prints nothing; the package does both, as the CLI does.
    ovseal::apply_environment();
    ovseal::print_notices_on_standard_error();
    m.def(
        "version", [] { return std::string(ovseal::version()); }, "The ovseal release of this build.");
    // The defaults the Python functions show in their signatures, so that they are written once (defaults.hpp).
    m.attr("DEFAULT_SCRYPT_LOG2_N") = ovseal::default_scrypt_log2_n;
    m.attr("DEFAULT_CLOCK_TOLERANCE") = ovseal::default_clock_tolerance_seconds;
    ovseal::python::bind_errors(m);
    ovseal::python::bind_seal(m);
    ovseal::python::bind_sealed_file(m);
    ovseal::python::bind_keys(m);
    ovseal::python::bind_licenses(m);
    ovseal::python::bind_compile_target(m);
}
