#include "binding.hpp"
#include "ovseal/environment.hpp"
#include "ovseal/version.hpp"

PYBIND11_MODULE(_native, m) {
    m.doc() = "ovseal's C++ API: sealing, inspecting, verifying, keys, licences and the compile-target check";
    // The library reads no environment variable and prints nothing; the package does both, as the CLI does.
    ovseal::apply_environment();
    ovseal::print_notices_on_standard_error();
    m.def("version", [] { return std::string(ovseal::version()); }, "The ovseal release of this build.");
    ovseal::python::bind_errors(m);
    ovseal::python::bind_seal(m);
    ovseal::python::bind_sealed_file(m);
    ovseal::python::bind_keys(m);
    ovseal::python::bind_licenses(m);
    ovseal::python::bind_compile_target(m);
}
