// SPDX-License-Identifier: Apache-2.0
// Delivering the library's notices to the handler the application set, and to nobody when none is set.

#include "notice/notice.hpp"

#include <memory>
#include <mutex>

#include "ovseal/notice.hpp"

namespace ovseal {
namespace {

std::mutex g_mutex;
std::shared_ptr<const NoticeHandler> g_handler;

}  // namespace

void set_notice_handler(NoticeHandler handler) {
    std::lock_guard lock(g_mutex);
    g_handler = handler ? std::make_shared<const NoticeHandler>(std::move(handler)) : nullptr;
}

namespace notice {

void notify(std::string_view message) {
    std::shared_ptr<const NoticeHandler> handler;
    {
        std::lock_guard lock(g_mutex);
        handler = g_handler;
    }
    if (handler) (*handler)(message);
}

}  // namespace notice
}  // namespace ovseal
