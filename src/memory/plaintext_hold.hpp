// SPDX-License-Identifier: Apache-2.0
#pragma once

// Process hardening tied to the lifetime of plaintext: the first hold makes the process non-dumpable (and, if
// asked, locks all its memory), the last release undoes what the first did.

#include <memory>

namespace ovseal::memory {

/// A share in "this process holds plaintext". Keep it as long as the plaintext lives; copies share it.
using PlaintextHold = std::shared_ptr<void>;
PlaintextHold hold_plaintext();

/// Plaintext was handed to OpenVINO, which copies it (repacked weights, the XML's DOM) into memory it frees without
/// wiping: from now on the last release keeps the hardening (non-dumpable, and all memory locked if asked) for the
/// rest of the process, since freed pages can still hold the model.
void plaintext_reached_openvino();

/// Non-dumpable and no core files for the rest of the process, whatever the holds do.
void harden_permanently();

}  // namespace ovseal::memory
