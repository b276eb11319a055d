// SPDX-License-Identifier: Apache-2.0
// How many threads chunk work uses, and handing chunks out in batches so a slowed worker simply takes fewer.

#include "parallel/parallel.hpp"

#include "parallel/thread_pool.hpp"

#include "ovseal/progress.hpp"

#include <algorithm>
#include <atomic>
#include <thread>

namespace ovseal::container {

namespace {
std::atomic<unsigned> g_thread_count{0};
}  // namespace

unsigned worker_count(unsigned requested) {
    if (requested != 0) {
        return requested;
    }
    if (const unsigned set = g_thread_count.load(); set != 0) {
        return set;
    }
    const unsigned cores = std::thread::hardware_concurrency();
    return cores == 0 ? 1 : cores;
}

bool BatchCursor::next(std::uint64_t& begin, std::uint64_t& end) {
    if (m_next.load(std::memory_order_relaxed) >= m_count) {
        return false;
    }
    begin = m_next.fetch_add(m_batch);
    if (begin >= m_count) {
        return false;
    }
    end = std::min(m_count, begin + m_batch);
    return true;
}

void parallel_batches(std::uint64_t count, unsigned workers, const std::function<void(BatchCursor&)>& worker) {
    if (count == 0) {
        return;
    }
    const auto participants = static_cast<unsigned>(std::min<std::uint64_t>(workers == 0 ? 1 : workers, count));
    // About four batches per worker: few enough that per-batch costs vanish, enough to even out the load.
    BatchCursor cursor(count, std::max<std::uint64_t>(1, count / (std::uint64_t{participants} * 4)));
    run_on_pool(participants, [&] {
        try {
            worker(cursor);
        } catch (...) {
            cursor.stop();
            throw;
        }
    });
}

}  // namespace ovseal::container

namespace ovseal {

void set_thread_count(unsigned threads) {
    container::g_thread_count.store(threads);
}

}  // namespace ovseal
