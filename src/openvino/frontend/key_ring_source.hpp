// SPDX-License-Identifier: Apache-2.0
#pragma once

// Which key ring a load through the frontend uses: the calling thread's own (set through the C entry point),
// else the key-ring file OVSEAL_KEYRING names, else none (a usage error that says how to configure one).

#include <string>

#include "ovseal/error.hpp"
#include "ovseal/identity.hpp"

namespace ovseal::frontend {

void set_thread_key_ring(KeyRing ring);
void clear_thread_key_ring() noexcept;
/// The thread's key ring, else OVSEAL_KEYRING's (read afresh on every load); throws Error.
KeyRing key_ring_for_this_thread();

/// The calling thread's last failure (code ok if the last load or set succeeded).
struct LastError {
    ErrorCode code = ErrorCode::ok;
    std::string message;
};
void record_error(ErrorCode code, const std::string& message) noexcept;
void clear_error() noexcept;
const LastError& last_error() noexcept;

}  // namespace ovseal::frontend
