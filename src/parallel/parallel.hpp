// SPDX-License-Identifier: Apache-2.0
#pragma once

// Spreading chunk encryption and decryption over threads in batches handed out first come, first served.

#include <atomic>
#include <cstdint>
#include <functional>

namespace ovseal::container {

/// Threads used for chunk work: `requested` if non-zero, else ovseal::set_thread_count, else every core.
unsigned worker_count(unsigned requested);

/// Hands out [0, count) in contiguous batches, first come first served, so that a worker slowed down by
/// other load on its core simply takes fewer batches.
class BatchCursor {
public:
    BatchCursor(std::uint64_t count, std::uint64_t batch) : m_count(count), m_batch(batch) {}

    /// The next batch [begin, end); false once everything is handed out or a worker failed.
    bool next(std::uint64_t& begin, std::uint64_t& end);
    void stop() { m_next.store(m_count); }

private:
    const std::uint64_t m_count;
    const std::uint64_t m_batch;
    std::atomic<std::uint64_t> m_next{0};
};

/// Runs worker(cursor) on up to `workers` threads (the caller and the shared pool) over [0, count). Each
/// worker sets up once (a cipher context, a buffer) and then loops over cursor.next(). The first exception
/// stops the hand-out and is rethrown.
void parallel_batches(std::uint64_t count, unsigned workers, const std::function<void(BatchCursor&)>& worker);

}  // namespace ovseal::container
