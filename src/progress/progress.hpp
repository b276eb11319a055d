// SPDX-License-Identifier: Apache-2.0
#pragma once

// Progress of one pass over a payload, reported to the handler set with ovseal::set_progress_handler.

#include <atomic>
#include <cstdint>
#include <memory>

#include "ovseal/progress.hpp"

namespace ovseal::container {

class Progress {
public:
    Progress(const char* what, std::uint64_t total);
    /// Thread-safe.
    void add(std::uint64_t bytes);

private:
    std::shared_ptr<const ProgressHandler> m_handler;  // null: nobody listens
    const char* m_what;
    std::uint64_t m_total;
    std::atomic<std::uint64_t> m_done{0};
};

}  // namespace ovseal::container
