// SPDX-License-Identifier: Apache-2.0
#pragma once

// Step 3 of opening (docs/FORMAT.md §9): the first stanza, in file order, that a member of the key ring opens. The
// ring's members (its keys, then its device identities) are tried through one loop, each stanza by the type that
// reads it (keys/stanza_types/); a device identity tries only the device stanzas the bound of §7.4 chooses for it.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "format/header.hpp"
#include "keys/device_agreement.hpp"
#include "keys/stanzas.hpp"
#include "memory/secret_bytes.hpp"
#include "ovseal/identity.hpp"

namespace ovseal::container {

struct FileKeySearch {
    std::optional<memory::SecretBytes> file_key;
    std::optional<std::size_t> device;              // the device identity (ring index) whose stanza opened it
    std::vector<keys::DeviceStanzaChoice> choices;  // per device identity, for the no_matching_key message
};

/// `devices` holds the agreements of `ring.identities`, in ring order. Throws what a stanza's type throws.
FileKeySearch search_file_key(const std::vector<format::Stanza>& stanzas, const KeyRing& ring,
                              keys::DeviceAgreements& devices);

/// The no_matching_key message; names the bound of §7.4 when an identity reached it.
std::string no_matching_key_message(const std::vector<format::Stanza>& stanzas, const KeyRing& ring,
                                    const std::vector<keys::DeviceStanzaChoice>& choices);

}  // namespace ovseal::container
