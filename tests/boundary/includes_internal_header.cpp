// SPDX-License-Identifier: Apache-2.0
// Must not compile: an application linked to the public library (ovseal) sees include/ovseal/ only, and
// memory/wipe.hpp is one of the library's internal headers (tests/boundary/CMakeLists.txt expects the failure).
#include "memory/wipe.hpp"

int main() {
    char secret[4] = {1, 2, 3, 4};
    ovseal::memory::wipe(secret, sizeof secret);
    return secret[0];
}
