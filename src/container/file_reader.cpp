// SPDX-License-Identifier: Apache-2.0
// Reading a sealed file's bytes at given offsets, refusing anything that is not a regular file.

#include "container/file_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "ovseal/error.hpp"

namespace ovseal::container {

FileReader::FileReader(const std::filesystem::path& path) : m_path(path) {
    // O_NONBLOCK: a FIFO put where the sealed file should be is refused below instead of blocking the open
    // forever; it changes nothing for a regular file.
    m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (m_fd < 0) {
        throw Error(ErrorCode::io, "cannot open '" + path.string() + "': " + std::strerror(errno));
    }
    struct stat st {};
    if (::fstat(m_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(m_fd);
        throw Error(ErrorCode::io, "'" + path.string() + "' is not a regular file");
    }
    m_size = static_cast<std::uint64_t>(st.st_size);
}

FileReader::~FileReader() {
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

FileReader::FileReader(FileReader&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_size(other.m_size), m_path(std::move(other.m_path)) {}

void FileReader::read_at(std::uint64_t offset, std::span<std::uint8_t> out) const {
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = ::pread(m_fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            throw Error(ErrorCode::io, "cannot read '" + m_path.string() + "': " + std::strerror(errno));
        }
        if (n == 0) {
            throw Error(ErrorCode::truncated,
                        "file is truncated: '" + m_path.string() + "' became shorter while it was read");
        }
        done += static_cast<std::size_t>(n);
    }
}

void FileReader::read_at(std::uint64_t offset, std::span<std::uint8_t> first, std::span<std::uint8_t> second) const {
    iovec parts[2] = {{first.data(), first.size()}, {second.data(), second.size()}};
    const std::size_t total = first.size() + second.size();
    const ssize_t n = ::preadv(m_fd, parts, 2, static_cast<off_t>(offset));
    if (n >= 0 && static_cast<std::size_t>(n) == total) {
        return;
    }
    // Rare: a short or interrupted read. Fall back to two exact reads.
    read_at(offset, first);
    read_at(offset + first.size(), second);
}

}  // namespace ovseal::container
