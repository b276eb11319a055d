// SPDX-License-Identifier: Apache-2.0
#pragma once

// A process-wide thread pool that callers join rather than wait on, so nested and concurrent calls are safe.

#include <functional>

namespace ovseal::container {

/// Runs `task` on `participants` threads at once: the calling thread and up to participants - 1 threads of
/// one process-wide pool, created on first use and kept for later calls. Returns when every started copy has
/// returned and rethrows the first exception one raised.
///
/// A copy that no pool thread has picked up by the time the caller's own copy returns is withdrawn, never
/// waited for: `task` must hand out its work dynamically (see parallel_batches), so that the callers alone
/// finish it when the pool is busy with other callers. That also makes nested and concurrent calls safe.
void run_on_pool(unsigned participants, const std::function<void()>& task);

}  // namespace ovseal::container
