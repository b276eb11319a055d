// SPDX-License-Identifier: Apache-2.0
// Finding the key ring for a frontend load (the thread's own, else OVSEAL_KEYRING) and each thread's last error.

#include "key_ring_source.hpp"

#include <cstdlib>
#include <optional>

#include "ovseal/key_ring_config.hpp"

namespace ovseal::frontend {
namespace {

thread_local std::optional<KeyRing> thread_ring;
thread_local LastError thread_error;

}  // namespace

void set_thread_key_ring(KeyRing ring) {
    thread_ring = std::move(ring);
}

void clear_thread_key_ring() noexcept {
    thread_ring.reset();
}

KeyRing key_ring_for_this_thread() {
    if (thread_ring) return *thread_ring;
    const char* file = std::getenv(key_ring_environment_variable);
    if (file == nullptr || *file == '\0') {
        throw Error(ErrorCode::usage,
                    "no key ring is configured for sealed models: set the environment variable OVSEAL_KEYRING to a "
                    "key-ring file (JSON, see the ovseal README, \"Unmodified OpenVINO applications\"), or give "
                    "this thread one with ovseal_frontend_set_thread_key_ring");
    }
    return load_key_ring_file(file);
}

void record_error(ErrorCode code, const std::string& message) noexcept {
    try {
        thread_error = {code, message};
    } catch (...) {
        thread_error.code = code;  // out of memory for the text: the code alone still says what failed
        thread_error.message.clear();
    }
}

void clear_error() noexcept {
    thread_error.code = ErrorCode::ok;
    thread_error.message.clear();
}

const LastError& last_error() noexcept {
    return thread_error;
}

}  // namespace ovseal::frontend
