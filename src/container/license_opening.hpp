// SPDX-License-Identifier: Apache-2.0
#pragma once

// Step 2b of opening (docs/FORMAT.md §9, §13.3, §13.4): the rollback guard, then the key ring's licenses in order
// until one opens the file for one of the ring's device identities. Runs only under a trust list, before any key
// or stanza is tried.

#include <cstddef>
#include <optional>

#include "format/header.hpp"
#include "keys/device_agreement.hpp"
#include "memory/secret_bytes.hpp"
#include "ovseal/error.hpp"
#include "ovseal/identity.hpp"

namespace ovseal::container {

struct OpenedLicense {
    memory::SecretBytes file_key;
    PublicKeyBytes signer;
    std::size_t identity;  // the device identity's index in the ring
};

struct LicenseOpening {
    std::optional<OpenedLicense> opened;
    std::optional<Error> error;  // the first license's failure (io errors are thrown instead)
};

/// `signature` is the file's signature record (read at step 2a, not yet verified); `devices` the agreements of
/// `ring.identities`, in ring order.
LicenseOpening open_with_licenses(const KeyRing& ring, const format::SignatureRecord& signature,
                                  keys::DeviceAgreements& devices);

}  // namespace ovseal::container
