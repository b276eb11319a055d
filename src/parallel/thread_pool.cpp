// SPDX-License-Identifier: Apache-2.0
// The one process-wide thread pool that chunk work runs on, created on first use and kept for later calls.

#include "parallel/thread_pool.hpp"

#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace ovseal::container {

namespace {

// One call of run_on_pool: its task, how many of its queued copies a pool thread is running, its first error.
struct Job {
    const std::function<void()>* task = nullptr;
    unsigned running = 0;
    std::exception_ptr error;
    std::condition_variable done;
};

// Threads are never stopped: the pool lives until the process ends.
class ThreadPool {
public:
    void run(unsigned participants, const std::function<void()>& task) {
        Job job;
        job.task = &task;
        {
            std::lock_guard lock(m_mutex);
            grow_to(participants - 1);
            for (unsigned i = 1; i < participants; ++i) m_queue.push_back(&job);
        }
        m_wake.notify_all();

        std::exception_ptr own_error;
        try {
            task();
        } catch (...) {
            own_error = std::current_exception();
        }

        std::unique_lock lock(m_mutex);
        std::erase(m_queue, &job);
        job.done.wait(lock, [&] { return job.running == 0; });
        if (own_error) std::rethrow_exception(own_error);
        if (job.error) std::rethrow_exception(job.error);
    }

private:
    // Called with m_mutex held.
    void grow_to(unsigned threads) {
        while (m_threads.size() < threads) m_threads.emplace_back([this] { work(); });
    }

    void work() {
        std::unique_lock lock(m_mutex);
        for (;;) {
            m_wake.wait(lock, [&] { return !m_queue.empty(); });
            Job* job = m_queue.front();
            m_queue.pop_front();
            ++job->running;
            lock.unlock();
            std::exception_ptr error;
            try {
                (*job->task)();
            } catch (...) {
                error = std::current_exception();
            }
            lock.lock();
            if (error && !job->error) job->error = error;
            if (--job->running == 0) job->done.notify_all();
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Job*> m_queue;
    std::vector<std::thread> m_threads;
};

// The pool of this process. A forked child inherits the pool's memory but none of its threads (and perhaps a
// locked mutex), so a child starts a pool of its own and leaves the inherited one untouched.
ThreadPool& pool() {
    static std::mutex mutex;
    static ThreadPool* instance = nullptr;
    static pid_t owner = 0;
    std::lock_guard lock(mutex);
    if (instance == nullptr || owner != ::getpid()) {
        instance = new ThreadPool;  // never deleted: its threads run until the process ends
        owner = ::getpid();
    }
    return *instance;
}

}  // namespace

void run_on_pool(unsigned participants, const std::function<void()>& task) {
    if (participants <= 1) {
        task();
        return;
    }
    pool().run(participants, task);
}

}  // namespace ovseal::container
