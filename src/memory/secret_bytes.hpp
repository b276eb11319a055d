// SPDX-License-Identifier: Apache-2.0
#pragma once

// The library's name for its one secret type, ovseal::SecretBytes (ovseal/secret_bytes.hpp): internal code says
// memory::SecretBytes, as it says memory::LockedRegion for the memory behind it.

#include "ovseal/secret_bytes.hpp"

namespace ovseal::memory {

using SecretBytes = ovseal::SecretBytes;

}  // namespace ovseal::memory
