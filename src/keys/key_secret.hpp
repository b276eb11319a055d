#pragma once

#include "memory/secret_bytes.hpp"
#include "ovseal/key.hpp"

namespace ovseal {

struct Key::Secret {
    Key::Kind kind;
    memory::SecretBytes bytes;  // 32 key bytes, or the passphrase bytes
};

}  // namespace ovseal
