// SPDX-License-Identifier: Apache-2.0
#pragma once

// A process-wide callback that an application sets and the library's threads call (the notice handler, the
// progress handler): set and read under a lock, and whoever read it keeps that handler alive while calling it,
// even if another thread replaces it meanwhile.

#include <memory>
#include <mutex>
#include <utility>

namespace ovseal::notice {

template <typename Handler>
class HandlerSlot {
public:
    /// An empty handler clears the slot.
    void set(Handler handler) {
        auto held = handler ? std::make_shared<const Handler>(std::move(handler)) : nullptr;
        std::lock_guard lock(m_mutex);
        m_handler = std::move(held);
    }

    /// The handler set now, or null.
    std::shared_ptr<const Handler> get() const {
        std::lock_guard lock(m_mutex);
        return m_handler;
    }

private:
    mutable std::mutex m_mutex;
    std::shared_ptr<const Handler> m_handler;
};

}  // namespace ovseal::notice
