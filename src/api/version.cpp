// SPDX-License-Identifier: Apache-2.0
// The ovseal release string, set by the build from the CMake project version.

#include "ovseal/version.hpp"

namespace ovseal {

const char* version() noexcept {
    return OVSEAL_VERSION_STRING;
}

}  // namespace ovseal
