#include "binding.hpp"
#include "ovseal/version.hpp"

PYBIND11_MODULE(_native, m) {
    m.doc() = "ovseal's C++ API: sealing, inspecting, verifying, keys, licences and the compile-target check";
    m.def("version", [] { return std::string(ovseal::version()); }, "The ovseal release of this build.");
    ovseal::python::bind_errors(m);
    ovseal::python::bind_seal(m);
    ovseal::python::bind_sealed_file(m);
    ovseal::python::bind_keys(m);
    ovseal::python::bind_licenses(m);
    ovseal::python::bind_compile_target(m);
}
