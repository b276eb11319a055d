// SPDX-License-Identifier: Apache-2.0
// Keeping the process-wide progress handler and passing each pass's byte counts to it.

#include "progress/progress.hpp"

#include <mutex>

namespace ovseal {
namespace {

std::mutex g_mutex;
std::shared_ptr<const ProgressHandler> g_handler;

}  // namespace

void set_progress_handler(ProgressHandler handler) {
    std::lock_guard lock(g_mutex);
    g_handler = handler ? std::make_shared<const ProgressHandler>(std::move(handler)) : nullptr;
}

namespace container {

Progress::Progress(const char* what, std::uint64_t total) : m_what(what), m_total(total) {
    std::lock_guard lock(g_mutex);
    m_handler = g_handler;
}

void Progress::add(std::uint64_t bytes) {
    if (m_handler) {
        (*m_handler)(m_what, m_done.fetch_add(bytes) + bytes, m_total);
    }
}

}  // namespace container
}  // namespace ovseal
