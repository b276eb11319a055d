#pragma once

// Process hardening tied to the lifetime of plaintext: the first hold makes the process non-dumpable (and, if
// asked, locks all its memory), the last release undoes what the first did.

#include <memory>

namespace ovseal::memory {

/// A share in "this process holds plaintext". Keep it as long as the plaintext lives; copies share it.
using PlaintextHold = std::shared_ptr<void>;
PlaintextHold hold_plaintext();

/// Non-dumpable and no core files for the rest of the process, whatever the holds do.
void harden_permanently();

}  // namespace ovseal::memory
