// SPDX-License-Identifier: Apache-2.0
// The `p256` and `p256-tagged` stanzas (docs/FORMAT.md §7.5): a device's P-256 key, held in a TPM (or in software
// for test vectors). Each try may be one agreement in the TPM, so every one counts toward the bound of §7.4.

#include "keys/stanza_types/device_stanza.hpp"
#include "keys/stanzas.hpp"

namespace ovseal::keys {

const StanzaType& p256_stanza() {
    static const DeviceStanzaType type(DeviceStanzaSpec{
        .key_type = DeviceKeyType::p256,
        .untagged_type = p256_stanza_type,
        .tagged_type = p256_tagged_stanza_type,
        .info = "ovseal-v1 p256 stanza",
        .ephemeral_size = 33,
        .untagged_tries_counted = true,
        .untagged_shape = "a p256 stanza",
        .tagged_shape = "a p256-tagged stanza",
        .unusable_ephemeral = "header is malformed: a p256 stanza's ephemeral key is not a point on the curve",
    });
    return type;
}

}  // namespace ovseal::keys
