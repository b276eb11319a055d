// SPDX-License-Identifier: Apache-2.0
#pragma once

// The pieces of ovseal._native, one per area of ovseal's C++ API. Paths cross as str, results as dicts that the
// Python package turns into dataclasses, and ovseal::Error as the ovseal.Error subclass for its code.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "secret_caster.hpp"  // passphrases cross as ovseal::SecretBytes

namespace ovseal::python {

namespace py = pybind11;

/// Applies the OVSEAL_* variables as they are at this call (OVSEAL_THREADS, OVSEAL_HARDEN, ...): a program may set
/// them after importing ovseal, and each call that decrypts or seals honours them then, as it always has.
void apply_environment_now();

void bind_errors(py::module_& m);
void bind_seal(py::module_& m);
void bind_sealed_file(py::module_& m);
void bind_keys(py::module_& m);
void bind_licenses(py::module_& m);
void bind_compile_target(py::module_& m);

}  // namespace ovseal::python
