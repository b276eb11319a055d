// SPDX-License-Identifier: Apache-2.0
#pragma once

// The secret behind a Key, a 256-bit key or a passphrase in locked memory, visible only inside the library.

#include "memory/secret_bytes.hpp"
#include "ovseal/key.hpp"

namespace ovseal {

struct Key::Secret {
    Key::Kind kind;
    memory::SecretBytes bytes;  // 32 key bytes, or the passphrase bytes
};

}  // namespace ovseal
