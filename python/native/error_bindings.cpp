// SPDX-License-Identifier: Apache-2.0
// Turns a thrown ovseal::Error into the Python ovseal.errors class for its code.

#include "binding.hpp"
#include "ovseal/error.hpp"

namespace ovseal::python {

void bind_errors(py::module_& m) {
    // ovseal.errors holds one class per code; the translator raises the one for the code thrown.
    py::register_exception_translator([](std::exception_ptr thrown) {
        try {
            if (thrown) std::rethrow_exception(thrown);
        } catch (const Error& e) {
            py::object error =
                py::module_::import("ovseal.errors").attr("error_for_code")(static_cast<int>(e.code()), e.what());
            PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(error.ptr())), error.ptr());
        }
    });
    m.def(
        "error_name", [](int code) { return std::string(error_name(static_cast<ErrorCode>(code))); }, py::arg("code"),
        "The stable snake_case name of an ovseal error code.");
}

}  // namespace ovseal::python
