// SPDX-License-Identifier: Apache-2.0
// Keeping the process-wide progress handler and passing each pass's byte counts to it.

#include "progress/progress.hpp"

#include "notice/handler_slot.hpp"

namespace ovseal {
namespace {

notice::HandlerSlot<ProgressHandler> g_handler;

}  // namespace

void set_progress_handler(ProgressHandler handler) {
    g_handler.set(std::move(handler));
}

namespace container {

Progress::Progress(const char* what, std::uint64_t total) : m_handler(g_handler.get()), m_what(what), m_total(total) {}

void Progress::add(std::uint64_t bytes) {
    if (m_handler) {
        (*m_handler)(m_what, m_done.fetch_add(bytes) + bytes, m_total);
    }
}

}  // namespace container
}  // namespace ovseal
