// SPDX-License-Identifier: Apache-2.0
#pragma once

// A sealed file read with pread at given offsets, so that many threads can read its chunks at once.

#include <cstdint>
#include <filesystem>
#include <span>

namespace ovseal::container {

/// A read-only file read with pread, so that many threads can read chunks at once.
class FileReader {
public:
    explicit FileReader(const std::filesystem::path& path);
    ~FileReader();
    FileReader(FileReader&& other) noexcept;
    FileReader(const FileReader&) = delete;
    FileReader& operator=(const FileReader&) = delete;
    FileReader& operator=(FileReader&&) = delete;

    std::uint64_t size() const noexcept { return m_size; }
    /// Reads exactly out.size() bytes at `offset`; a short read means the file shrank (truncated).
    void read_at(std::uint64_t offset, std::span<std::uint8_t> out) const;
    /// Reads `first` then `second` from consecutive bytes at `offset` in one call (a chunk and its tag).
    void read_at(std::uint64_t offset, std::span<std::uint8_t> first, std::span<std::uint8_t> second) const;

private:
    int m_fd = -1;
    std::uint64_t m_size = 0;
    std::filesystem::path m_path;
};

}  // namespace ovseal::container
