// SPDX-License-Identifier: Apache-2.0
// The rollback guard's state file: reading, locking and advancing the latest time a device has seen.

#include "policy/clock_guard.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "crypto/crypto.hpp"
#include "keys/public_key_text.hpp"
#include "keys/secret_file.hpp"
#include "ovseal/error.hpp"
#include "ovseal/output_file.hpp"

namespace ovseal::container {
namespace {

constexpr std::string_view tag = "OVSEAL-CLOCK-1";

std::string checksum(const std::string& seconds) {
    const std::string message = "ovseal-v1 clock" + seconds;
    const auto digest = crypto::sha256({reinterpret_cast<const std::uint8_t*>(message.data()), message.size()});
    return keys::hex(std::span(digest).first(8));
}

void damaged(const std::filesystem::path& state, const std::string& why) {
    clock_state_damaged(state, why);
}

void store(const std::filesystem::path& state, std::uint64_t seconds) {
    write_clock_state(state,
                      std::string(tag) + " " + std::to_string(seconds) + " " + checksum(std::to_string(seconds)));
}

}  // namespace

void clock_state_damaged(const std::filesystem::path& state, const std::string& why) {
    throw Error(ErrorCode::state_invalid, "the clock state file '" + state.string() + "' is damaged (" + why +
                                              "); it is never reset silently: restore it or remove it deliberately");
}

ClockStateLock::ClockStateLock(const std::filesystem::path& state) {
    const std::string name = state.string() + ".lock";
    m_fd = ::open(name.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (m_fd < 0 || ::flock(m_fd, LOCK_EX) != 0) {
        const int error = errno;
        if (m_fd >= 0) ::close(m_fd);
        throw Error(ErrorCode::io, "cannot lock the clock state file '" + state.string() + "' (" + name +
                                       "): " + std::strerror(error));
    }
}

ClockStateLock::~ClockStateLock() {
    ::close(m_fd);
}  // closing releases the lock

void write_clock_state(const std::filesystem::path& state, const std::string& line) {
    const std::string text = line + "\n";
    // A temporary file of its own (writers never share one), then one atomic rename.
    write_output_file(state, text, {.mode = 0600, .what = "the clock state file"});
}

std::string read_state_text(const std::filesystem::path& state) {
    constexpr std::size_t limit = 4096;  // one line of a few dozen bytes
    memory::SecretBytes bytes;
    try {
        bytes = keys::read_secret_file(state, limit, "clock state file", ErrorCode::state_invalid);
    } catch (const Error& e) {
        // Too large: damaged like any other state that is not one valid line, with the same advice.
        if (e.code() == ErrorCode::state_invalid) damaged(state, "larger than " + std::to_string(limit) + " bytes");
        throw;
    }
    return std::string(bytes.secret().begin(), bytes.secret().end());
}

std::uint64_t read_clock_state(const std::filesystem::path& state) {
    std::istringstream in(read_state_text(state));
    std::string line, extra;
    if (!std::getline(in, line) || std::getline(in, extra)) damaged(state, "not exactly one line");
    std::istringstream fields(line);
    std::string t, seconds, sum, rest;
    if (line.starts_with("OVSEAL-CLOCK-TPM-1 ")) {
        damaged(state, "it was written with a TPM-held device identity: open with that identity (--identity)");
    }
    if (!(fields >> t >> seconds >> sum) || (fields >> rest) || t != tag) damaged(state, "unknown format");
    if (seconds.empty() || seconds.size() > 20 || seconds.find_first_not_of("0123456789") != std::string::npos) {
        damaged(state, "bad time");
    }
    if (sum != checksum(seconds)) damaged(state, "checksum mismatch");
    std::uint64_t stored = 0;
    const auto [end, error] = std::from_chars(seconds.data(), seconds.data() + seconds.size(), stored);
    if (error != std::errc() || end != seconds.data() + seconds.size()) damaged(state, "time out of range");
    return stored;
}

void check_and_advance_clock(const std::filesystem::path& state, std::uint64_t now, std::int64_t tolerance) {
    if (tolerance < 0) {
        throw Error(ErrorCode::usage, "the clock tolerance cannot be negative");
    }
    const ClockStateLock lock(state);  // read, check and write as one step among concurrent openers
    std::error_code ec;
    if (std::filesystem::exists(state, ec)) {
        const std::uint64_t stored = read_clock_state(state);
        if (stored > now && stored - now > static_cast<std::uint64_t>(tolerance)) {
            throw Error(ErrorCode::clock_rollback, "the clock (" + std::to_string(now) +
                                                       ") is earlier than the latest time this device has seen (" +
                                                       std::to_string(stored) + ") by more than " +
                                                       std::to_string(tolerance) + " s: set the clock right");
        }
        if (stored >= now) return;
    }
    store(state, now);
}

}  // namespace ovseal::container
