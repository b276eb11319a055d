// SPDX-License-Identifier: Apache-2.0
// Delivering the library's notices to the handler the application set, and to nobody when none is set.

#include "notice/notice.hpp"

#include "notice/handler_slot.hpp"
#include "ovseal/notice.hpp"

namespace ovseal {
namespace {

notice::HandlerSlot<NoticeHandler> g_handler;

}  // namespace

void set_notice_handler(NoticeHandler handler) {
    g_handler.set(std::move(handler));
}

namespace notice {

void notify(std::string_view message) {
    if (const auto handler = g_handler.get()) (*handler)(message);
}

}  // namespace notice
}  // namespace ovseal
