#pragma once

#include <cstdint>
#include <functional>

namespace ovseal::container {

/// Threads used for chunk work: `requested` if non-zero, else OVSEAL_THREADS, else every core.
unsigned worker_count(unsigned requested);

/// Runs body(begin, end) over [0, count) split into contiguous ranges, one per worker, and rethrows the
/// first exception any worker raised.
void parallel_ranges(std::uint64_t count, unsigned workers,
                     const std::function<void(std::uint64_t, std::uint64_t)>& body);

}  // namespace ovseal::container
