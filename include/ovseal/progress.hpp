// SPDX-License-Identifier: Apache-2.0
#pragma once

// Process-wide progress reporting and thread count for sealing, verifying and decrypting.

#include <cstdint>
#include <functional>

namespace ovseal {

/// Called while sealing, verifying or decrypting: `what` names the work ("sealing", "decrypting",
/// "verifying"), `done` and `total` count payload bytes. It is called from worker threads, often; it must be
/// thread-safe and cheap. Bytes only, never content.
using ProgressHandler = std::function<void(const char* what, std::uint64_t done, std::uint64_t total)>;

/// Sets the process-wide progress handler (an empty function removes it).
void set_progress_handler(ProgressHandler handler);

/// Threads for sealing and unsealing chunks, process-wide: 0 (the default) means every core. The CLI, the Python
/// package and the frontend set it from OVSEAL_THREADS.
void set_thread_count(unsigned threads);

}  // namespace ovseal
