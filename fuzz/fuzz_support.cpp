// SPDX-License-Identifier: Apache-2.0
// What every fuzz target shares: aborting on a broken error invariant, scratch files and the test vectors' keys.

#include "fuzz_support.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

namespace ovseal::fuzz {

void fail(std::string_view what) {
    std::fprintf(stderr, "\n*** ovseal fuzz invariant violated: %.*s\n", static_cast<int>(what.size()), what.data());
    std::fflush(stderr);
    std::abort();
}

bool verbose() {
    static const bool on = [] {
        const char* env = std::getenv("OVSEAL_FUZZ_VERBOSE");
        return env != nullptr && std::string_view(env) == "1";
    }();
    return on;
}

void note(std::string_view what, std::string_view outcome) {
    std::fprintf(stderr, "%.*s: %.*s\n", static_cast<int>(what.size()), what.data(), static_cast<int>(outcome.size()),
                 outcome.data());
}

void check_error(std::string_view what, const Error& error, std::initializer_list<ErrorCode> allowed) {
    const int value = static_cast<int>(error.code());
    const std::string name(error_name(error.code()));
    if (value <= 0 || name == "unknown") {
        fail(std::string(what) + " threw an ovseal::Error with code " + std::to_string(value) +
             ", which is not a failure of error.hpp: " + error.what());
    }
    if (std::string_view(error.what()).empty()) {
        fail(std::string(what) + " threw " + name + " with an empty message");
    }
    bool expected = false;
    for (const ErrorCode code : allowed) expected = expected || code == error.code();
    if (!expected) {
        fail(std::string(what) + " threw " + name + ", which this step never reports: " + error.what());
    }
    if (verbose()) note(what, name + ": " + error.what());
}

const std::filesystem::path& scratch_dir() {
    static const std::filesystem::path dir = [] {
        std::string base = "/tmp";
        if (::access("/dev/shm", W_OK) == 0) {
            base = "/dev/shm";
        } else if (const char* tmp = std::getenv("TMPDIR"); tmp != nullptr && *tmp != '\0') {
            base = tmp;
        }
        std::string pattern = base + "/ovseal-fuzz-XXXXXX";
        if (::mkdtemp(pattern.data()) == nullptr) fail("cannot create a scratch folder in " + base);
        return std::filesystem::path(pattern);
    }();
    // Registered after `dir` is made, so it runs at exit before `dir` is destroyed.
    static const bool cleanup = [] {
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(scratch_dir(), ec);
        });
        return true;
    }();
    (void)cleanup;
    return dir;
}

std::filesystem::path write_scratch(const std::filesystem::path& name, Bytes data) {
    const auto path = scratch_dir() / name;
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) fail("cannot create the scratch file " + path.string());
    std::size_t written = 0;
    while (written < data.size()) {
        const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
        if (n <= 0) fail("cannot write the scratch file " + path.string());
        written += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return path;
}

void remove_scratch(const std::filesystem::path& name) {
    std::error_code ec;
    std::filesystem::remove(scratch_dir() / name, ec);
}

std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail("cannot read " + path.string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::filesystem::path vectors_dir() {
    return std::filesystem::path(OVSEAL_SOURCE_DIR) / "tests" / "vectors";
}

std::vector<std::uint8_t> from_hex(std::string_view hex) {
    auto digit = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    if (hex.size() % 2 != 0) fail("odd hex length");
    std::vector<std::uint8_t> out(hex.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = digit(hex[2 * i]);
        const int lo = digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) fail("bad hex");
        out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return out;
}

}  // namespace ovseal::fuzz
