// SPDX-License-Identifier: Apache-2.0
#pragma once

// A passphrase handed over by Python (str or bytes) arrives as ovseal::SecretBytes: copied once, straight from the
// Python object's own buffer into locked memory, so that no std::string copy of it is left behind unwiped. The
// Python object itself is the caller's (Python cannot wipe a str).

#include <pybind11/pybind11.h>

#include <cstdint>
#include <span>

#include "ovseal/secret_bytes.hpp"

namespace pybind11::detail {

template <>
struct type_caster<ovseal::SecretBytes> {
    PYBIND11_TYPE_CASTER(ovseal::SecretBytes, const_name("str | bytes"));

    bool load(handle source, bool) {
        const char* data = nullptr;
        Py_ssize_t size = 0;
        if (PyUnicode_Check(source.ptr())) {
            data = PyUnicode_AsUTF8AndSize(source.ptr(), &size);  // the str's own UTF-8, no copy
            if (data == nullptr) {
                PyErr_Clear();
                return false;
            }
        } else if (PyBytes_Check(source.ptr())) {
            data = PyBytes_AS_STRING(source.ptr());
            size = PyBytes_GET_SIZE(source.ptr());
        } else {
            return false;
        }
        value = ovseal::SecretBytes::copy_of(
            std::span(reinterpret_cast<const std::uint8_t*>(data), static_cast<std::size_t>(size)));
        return true;
    }

    // Secrets never go back to Python.
    static handle cast(const ovseal::SecretBytes&, return_value_policy, handle) = delete;
};

}  // namespace pybind11::detail
