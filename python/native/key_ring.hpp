// SPDX-License-Identifier: Apache-2.0
#pragma once

// How the Python bindings turn the package's key-ring dict into a C++ KeyRing.

#include "binding.hpp"
#include "ovseal/identity.hpp"

namespace ovseal::python {

/// A KeyRing from the dict the Python package builds, the same schema (version 1) as the frontend's JSON key ring:
/// key_files, passphrase_file, passphrase, identities, tcti, licenses (files or folders of .lic), trust (.pub files
/// or folders), allow_unsigned, clock_state, clock_tolerance.
KeyRing key_ring_from(const py::dict& ring);

}  // namespace ovseal::python
