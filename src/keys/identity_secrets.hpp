#pragma once

#include "memory/secret_bytes.hpp"
#include "ovseal/identity.hpp"

namespace ovseal {

struct DeviceIdentity::Secret {
    memory::SecretBytes private_key;  // X25519, 32 bytes
};

struct SigningKey::Secret {
    memory::SecretBytes seed;  // Ed25519, 32 bytes
};

}  // namespace ovseal
