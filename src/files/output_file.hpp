// SPDX-License-Identifier: Apache-2.0
#pragma once

// The one file writer (ovseal/output_file.hpp): bytes go to a temporary file beside the output
// (NAME.partial-XXXXXX, created with its final mode less the umask), which takes the output's name only when
// commit() succeeds; a file not committed is removed when its OutputFile goes.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "ovseal/output_file.hpp"

namespace ovseal::files {

class OutputFile {
public:
    /// Creates the temporary file; with IfExists::refuse, first refuses an existing `path`.
    OutputFile(std::filesystem::path path, OutputOptions options);
    ~OutputFile();
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    /// Appends.
    void write(std::span<const std::uint8_t> bytes);
    /// Writes at an offset; safe from many threads at once (each writes its own range).
    void write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes);
    /// Syncs (if asked), closes and gives the file its name: rename(2) to replace, link(2) to refuse (which fails
    /// if the name appeared meanwhile).
    void commit();

    const std::filesystem::path& path() const noexcept { return m_path; }

private:
    [[noreturn]] void fail(const char* doing, int error) const;

    std::filesystem::path m_path;
    OutputOptions m_options;
    std::string m_temp;
    int m_fd = -1;
    bool m_committed = false;
};

}  // namespace ovseal::files
