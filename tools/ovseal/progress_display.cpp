// SPDX-License-Identifier: Apache-2.0
// A one-line progress display on standard error for long seals, verifications and loads.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string_view>

#include "cli_common.hpp"
#include "ovseal/progress.hpp"

namespace ovseal::cli {
namespace {

constexpr std::uint64_t min_bytes_on_terminal = std::uint64_t{16} << 20;  // small models finish before it helps

struct Display {
    std::mutex mutex;
    std::chrono::steady_clock::time_point last{};
    bool forced = false;
};

}  // namespace

void install_progress_display() {
    const char* env = std::getenv("OVSEAL_PROGRESS");
    const std::string_view mode = env != nullptr ? env : "";
    if (mode == "0" || (mode != "1" && !::isatty(STDERR_FILENO))) {
        return;  // off: not a terminal, or turned off
    }
    auto display = std::make_shared<Display>();
    display->forced = mode == "1";
    set_progress_handler([display](const char* what, std::uint64_t done, std::uint64_t total) {
        if (total == 0 || (!display->forced && total < min_bytes_on_terminal)) return;
        const auto now = std::chrono::steady_clock::now();
        const bool finished = done >= total;
        std::lock_guard lock(display->mutex);
        if (!finished && now - display->last < std::chrono::milliseconds(100)) return;
        display->last = now;
        std::fprintf(stderr, "\r%s %3u%% (%llu / %llu MiB)%s", what, static_cast<unsigned>(done * 100 / total),
                     static_cast<unsigned long long>(done >> 20), static_cast<unsigned long long>(total >> 20),
                     finished ? "\n" : "");
        std::fflush(stderr);
    });
}

}  // namespace ovseal::cli
