#include "container/clock_guard.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "crypto/crypto.hpp"
#include "keys/public_key_text.hpp"
#include "ovseal/error.hpp"

namespace ovseal::container {
namespace {

constexpr std::string_view tag = "OVSEAL-CLOCK-1";

std::string checksum(const std::string& seconds) {
    const std::string message = "ovseal-v1 clock" + seconds;
    const auto digest = crypto::sha256({reinterpret_cast<const std::uint8_t*>(message.data()), message.size()});
    return keys::hex(std::span(digest).first(8));
}

void damaged(const std::filesystem::path& state, const std::string& why) { clock_state_damaged(state, why); }

void store(const std::filesystem::path& state, std::uint64_t seconds) {
    write_clock_state(state, std::string(tag) + " " + std::to_string(seconds) + " " + checksum(std::to_string(seconds)));
}

}  // namespace

void clock_state_damaged(const std::filesystem::path& state, const std::string& why) {
    throw Error(ErrorCode::state_invalid, "the clock state file '" + state.string() + "' is damaged (" + why +
                                              "); it is never reset silently: restore it or remove it deliberately");
}

void write_clock_state(const std::filesystem::path& state, const std::string& line) {
    const std::string text = line + "\n";
    const std::string temp = state.string() + ".new";
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    bool ok = fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
              ::fsync(fd) == 0;
    if (fd >= 0) ok = ::close(fd) == 0 && ok;
    if (!ok || ::rename(temp.c_str(), state.c_str()) != 0) {
        ::unlink(temp.c_str());
        throw Error(ErrorCode::io, "cannot write the clock state file '" + state.string() + "': " +
                                       std::strerror(errno));
    }
}

std::uint64_t read_clock_state(const std::filesystem::path& state) {
    std::ifstream in(state);
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
    std::error_code ec;
    if (std::filesystem::exists(state, ec)) {
        const std::uint64_t stored = read_clock_state(state);
        if (stored > now && stored - now > static_cast<std::uint64_t>(tolerance)) {
            throw Error(ErrorCode::clock_rollback,
                        "the clock (" + std::to_string(now) + ") is earlier than the latest time this device has seen (" +
                            std::to_string(stored) + ") by more than " + std::to_string(tolerance) +
                            " s: set the clock right");
        }
        if (stored >= now) return;
    }
    store(state, now);
}

}  // namespace ovseal::container
