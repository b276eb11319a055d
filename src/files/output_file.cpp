// SPDX-License-Identifier: Apache-2.0
// Writing a file completely or not at all; see output_file.hpp.

#include "files/output_file.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>  // renameat2
#include <cstring>
#include <ctime>
#include <string>

#include "ovseal/error.hpp"

namespace ovseal::files {
namespace {

Error already_exists(const std::filesystem::path& path, const std::string& what) {
    return Error(ErrorCode::io, "'" + path.string() + "' already exists; refusing to overwrite " + what);
}

// Six letters or digits from the kernel's random source, as mkstemp(3) would choose.
std::string random_suffix() {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char bytes[6] = {};
    if (::getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes)) {
        const auto fallback = static_cast<unsigned long>(::getpid()) ^ static_cast<unsigned long>(::time(nullptr));
        for (std::size_t i = 0; i < sizeof bytes; ++i) bytes[i] = static_cast<unsigned char>(fallback >> (4 * i));
    }
    std::string suffix;
    for (const unsigned char b : bytes) suffix += alphabet[b % (sizeof alphabet - 1)];
    return suffix;
}

}  // namespace

OutputFile::OutputFile(std::filesystem::path path, OutputOptions options)
    : m_path(std::move(path)), m_options(std::move(options)) {
    struct stat existing {};
    if (m_options.if_exists == IfExists::refuse && ::lstat(m_path.c_str(), &existing) == 0) {
        throw already_exists(m_path, m_options.what);
    }
    if (::stat(m_path.c_str(), &existing) == 0 && !S_ISREG(existing.st_mode)) {
        // Renaming over a device, a FIFO or a socket would put a regular file in its place (as root, even over
        // /dev/null): such outputs are refused, whether named directly or through symbolic links.
        throw Error(ErrorCode::io, "cannot write " + m_options.what + " '" + m_path.string() +
                                       "': it is not a regular file (a device, a FIFO, a socket or a folder), and "
                                       "ovseal replaces only regular files");
    }
    // A symbolic link stays one: the file it names is what gets replaced (or created, if it names none yet).
    for (int hops = 0; ::lstat(m_path.c_str(), &existing) == 0 && S_ISLNK(existing.st_mode); ++hops) {
        std::error_code error;
        const auto target = std::filesystem::read_symlink(m_path, error);
        if (error || hops == 40) fail("resolve", error ? error.value() : ELOOP);
        m_path = target.is_absolute() ? target : m_path.parent_path() / target;
    }
    // Created with its final mode, less the umask (as open(2) does for any program), and O_EXCL under a fresh
    // random name: no one else's file is ever opened, and a secret's file is 0600 from its first byte.
    for (int attempt = 0;; ++attempt) {
        m_temp = m_path.string() + ".partial-" + random_suffix();
        m_fd = ::open(m_temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, static_cast<mode_t>(m_options.mode));
        if (m_fd >= 0) break;
        if (errno != EEXIST || attempt == 100) {
            const int error = errno;
            m_temp.clear();
            fail("create", error);
        }
    }
}

OutputFile::~OutputFile() {
    if (m_fd >= 0) ::close(m_fd);
    if (!m_committed && !m_temp.empty()) ::unlink(m_temp.c_str());
}

void OutputFile::fail(const char* doing, int error) const {
    throw Error(ErrorCode::io, std::string("cannot ") + doing + " " + m_options.what + " '" + m_path.string() +
                                   "': " + std::strerror(error));
}

void OutputFile::write(std::span<const std::uint8_t> bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(m_fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail("write", n < 0 ? errno : ENOSPC);
        done += static_cast<std::size_t>(n);
    }
}

void OutputFile::write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::pwrite(m_fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail("write", n < 0 ? errno : ENOSPC);
        done += static_cast<std::size_t>(n);
    }
}

void OutputFile::commit() {
    const bool synced = !m_options.sync || ::fsync(m_fd) == 0;
    const int sync_error = errno;
    const bool closed = ::close(m_fd) == 0;
    m_fd = -1;
    if (!synced) fail("write", sync_error);
    if (!closed) fail("write", errno);
    if (m_options.if_exists == IfExists::replace) {
        if (::rename(m_temp.c_str(), m_path.c_str()) != 0) fail("create", errno);
    } else {
        // Takes the name only if it is still free; link(2) where the file system cannot rename that way.
        int result = ::renameat2(AT_FDCWD, m_temp.c_str(), AT_FDCWD, m_path.c_str(), RENAME_NOREPLACE);
        if (result != 0 && (errno == EINVAL || errno == ENOSYS)) {
            result = ::link(m_temp.c_str(), m_path.c_str());
            if (result == 0) ::unlink(m_temp.c_str());
        }
        if (result != 0) {
            if (errno == EEXIST) throw already_exists(m_path, m_options.what);
            fail("create", errno);
        }
    }
    m_committed = true;
}

}  // namespace ovseal::files

namespace ovseal {

void write_output_file(const std::filesystem::path& path, std::span<const std::uint8_t> bytes,
                       const OutputOptions& options) {
    write_output_file(path, {bytes}, options);
}

void write_output_file(const std::filesystem::path& path, std::string_view text, const OutputOptions& options) {
    write_output_file(path, {std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())}, options);
}

void write_output_file(const std::filesystem::path& path, std::initializer_list<std::span<const std::uint8_t>> parts,
                       const OutputOptions& options) {
    files::OutputFile file(path, options);
    for (const auto part : parts) file.write(part);
    file.commit();
}

}  // namespace ovseal
