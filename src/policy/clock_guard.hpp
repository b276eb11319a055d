// SPDX-License-Identifier: Apache-2.0
#pragma once

// The optional rollback guard (docs/FORMAT.md §13.4): the latest time a device has seen, in a state file.

#include <cstdint>
#include <filesystem>
#include <string>

namespace ovseal::container {

/// Refuses `now` if it is more than `tolerance` seconds before the stored time (clock_rollback); a damaged
/// state file is state_invalid, never a silent reset. Then stores max(stored, now) (write, fsync, rename).
/// A missing state file is a first use.
void check_and_advance_clock(const std::filesystem::path& state, std::uint64_t now, std::int64_t tolerance);

/// An exclusive lock (flock on STATE.lock) that makes read, check and write one step for every opener, in this
/// process and others.
class ClockStateLock {
public:
    explicit ClockStateLock(const std::filesystem::path& state);
    ~ClockStateLock();
    ClockStateLock(const ClockStateLock&) = delete;
    ClockStateLock& operator=(const ClockStateLock&) = delete;

private:
    int m_fd = -1;
};

/// Replaces the state file with `line` (write a new file of its own, fsync, rename).
void write_clock_state(const std::filesystem::path& state, const std::string& line);
/// The state file's text (at most 4 KiB; a FIFO in its place reads as empty rather than hanging).
std::string read_state_text(const std::filesystem::path& state);
/// The stored time of a file in the first form (OVSEAL-CLOCK-1), checked; state_invalid if damaged.
std::uint64_t read_clock_state(const std::filesystem::path& state);
[[noreturn]] void clock_state_damaged(const std::filesystem::path& state, const std::string& why);

}  // namespace ovseal::container
