#include "container/parallel.hpp"

#include "ovseal/progress.hpp"

#include <atomic>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

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
    if (const char* env = std::getenv("OVSEAL_THREADS")) {
        char* end = nullptr;
        const unsigned long n = std::strtoul(env, &end, 10);
        if (end != env && *end == '\0' && n > 0 && n <= 1024) {
            return static_cast<unsigned>(n);
        }
    }
    const unsigned cores = std::thread::hardware_concurrency();
    return cores == 0 ? 1 : cores;
}

void parallel_ranges(std::uint64_t count, unsigned workers,
                     const std::function<void(std::uint64_t, std::uint64_t)>& body) {
    if (count == 0) {
        return;
    }
    const std::uint64_t n = std::min<std::uint64_t>(workers == 0 ? 1 : workers, count);
    if (n == 1) {
        body(0, count);
        return;
    }
    std::exception_ptr first_error;
    std::mutex error_mutex;
    std::vector<std::thread> threads;
    threads.reserve(n);
    for (std::uint64_t t = 0; t < n; ++t) {
        const std::uint64_t begin = count * t / n;
        const std::uint64_t end = count * (t + 1) / n;
        threads.emplace_back([&, begin, end] {
            try {
                body(begin, end);
            } catch (...) {
                std::lock_guard lock(error_mutex);
                if (!first_error) {
                    first_error = std::current_exception();
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    if (first_error) {
        std::rethrow_exception(first_error);
    }
}

}  // namespace ovseal::container

namespace ovseal {

void set_thread_count(unsigned threads) { container::g_thread_count.store(threads); }

}  // namespace ovseal
