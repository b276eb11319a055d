// SPDX-License-Identifier: Apache-2.0
// The `x25519` and `x25519-tagged` stanzas (docs/FORMAT.md §7.3): a device's X25519 key, whether its identity was
// read from a key file or unsealed by a TPM when loaded (tpm/tpm_identity.cpp); either way each try is one X25519
// in memory.

#include "keys/stanza_types/device_stanza.hpp"
#include "keys/stanzas.hpp"

namespace ovseal::keys {

const StanzaType& x25519_stanza() {
    static const DeviceStanzaType type(DeviceStanzaSpec{
        .key_type = DeviceKeyType::x25519,
        .untagged_type = x25519_stanza_type,
        .tagged_type = x25519_tagged_stanza_type,
        .info = "ovseal-v1 x25519 stanza",
        .ephemeral_size = 32,
        // An untagged X25519 stanza costs one X25519 in memory: all are tried, uncounted, so that older files
        // sealed to many X25519 devices keep opening on every one of them (§7.4).
        .untagged_tries_counted = false,
        .untagged_shape = "an x25519 stanza",
        .tagged_shape = "an x25519-tagged stanza",
        .unusable_ephemeral = "header is malformed: an x25519 stanza has a low-order ephemeral key",
    });
    return type;
}

}  // namespace ovseal::keys
