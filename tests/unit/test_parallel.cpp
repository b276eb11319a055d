// SPDX-License-Identifier: Apache-2.0
// The shared worker pool: every index handed out exactly once, errors stop the work and reach the caller,
// and concurrent, nested and forked callers neither deadlock nor lose work.
#include "parallel/parallel.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

using ovseal::container::BatchCursor;
using ovseal::container::parallel_batches;

// Marks every index it is handed; returns how many indices were seen more than once or never.
int count_misses(std::uint64_t count, unsigned workers) {
    std::vector<std::atomic<int>> seen(count);
    parallel_batches(count, workers, [&](BatchCursor& cursor) {
        std::uint64_t begin = 0;
        std::uint64_t end = 0;
        while (cursor.next(begin, end)) {
            for (std::uint64_t i = begin; i < end; ++i) seen[i].fetch_add(1);
        }
    });
    int misses = 0;
    for (const auto& s : seen) misses += s.load() == 1 ? 0 : 1;
    return misses;
}

// How many distinct threads took part. Each participant, on its first batch, waits (up to 10 s) until `workers`
// of them hold a batch at once: so the count does not depend on how the scheduler happens to run them, and a
// pool that never starts its threads still gives fewer than `workers`.
std::size_t threads_taking_part(unsigned workers) {
    std::mutex mutex;
    std::condition_variable all_arrived;
    std::set<std::thread::id> ids;
    parallel_batches(64, workers, [&](BatchCursor& cursor) {
        std::uint64_t begin = 0;
        std::uint64_t end = 0;
        bool first = true;
        while (cursor.next(begin, end)) {
            if (!first) continue;
            first = false;
            std::unique_lock lock(mutex);
            ids.insert(std::this_thread::get_id());
            all_arrived.notify_all();
            all_arrived.wait_for(lock, std::chrono::seconds(10), [&] { return ids.size() >= workers; });
        }
    });
    return ids.size();
}

TEST(Parallel, WorkIsSpreadOverThePool) {
    EXPECT_EQ(threads_taking_part(1), 1u);
    EXPECT_EQ(threads_taking_part(4), 4u);
}

TEST(Parallel, EveryIndexOnceForAnyWorkerCount) {
    for (const unsigned workers : {1u, 2u, 3u, 8u, 64u}) {
        for (const std::uint64_t count : {0u, 1u, 2u, 7u, 1000u, 4099u}) {
            EXPECT_EQ(count_misses(count, workers), 0) << workers << " workers, " << count << " items";
        }
    }
}

TEST(Parallel, FirstErrorIsRethrownAndStopsTheHandOut) {
    std::atomic<std::uint64_t> done{0};
    EXPECT_THROW(parallel_batches(100000, 4,
                                  [&](BatchCursor& cursor) {
                                      std::uint64_t begin = 0;
                                      std::uint64_t end = 0;
                                      while (cursor.next(begin, end)) {
                                          if (begin == 0) throw std::runtime_error("chunk 0 failed");
                                          done += end - begin;
                                      }
                                  }),
                 std::runtime_error);
    EXPECT_LT(done.load(), 100000u);
}

TEST(Parallel, ConcurrentAndNestedCallersAllFinish) {
    std::vector<std::thread> callers;
    std::atomic<int> misses{0};
    for (int t = 0; t < 16; ++t) {
        callers.emplace_back([&] {
            for (int round = 0; round < 20; ++round) {
                // A worker that itself calls into the pool, as an opening thread inside a pool task would.
                parallel_batches(4, 2, [&](BatchCursor& cursor) {
                    std::uint64_t begin = 0;
                    std::uint64_t end = 0;
                    while (cursor.next(begin, end)) misses += count_misses(257, 3);
                });
            }
        });
    }
    for (auto& c : callers) c.join();
    EXPECT_EQ(misses.load(), 0);
}

TEST(Parallel, ForkedChildGetsAPoolOfItsOwn) {
#ifdef __SANITIZE_ADDRESS__
    // AddressSanitizer's allocator has no fork handlers: a child can inherit one of its size-class locks held by a
    // parent thread that no longer exists, and the child's first thread creation waits on it forever (seen with
    // gdb: every new pool thread blocked in SizeClassAllocator64::GetFromAllocator).
    GTEST_SKIP() << "AddressSanitizer's allocator is not fork-safe while other threads run";
#endif
    ASSERT_EQ(count_misses(1000, 4), 0);  // the parent's pool exists and has threads
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // The inherited pool has no threads in the child: only a fresh pool spreads the work.
        ::_exit(count_misses(1000, 4) == 0 && threads_taking_part(4) == 4 ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
