// SPDX-License-Identifier: Apache-2.0
#pragma once

// Where this process maps a given file, so that OpenVINO's mappings of an in-memory model can be found.

#include <cstdint>
#include <vector>

namespace ovseal::memory {

/// One mapping of a file in this process: addresses [begin, end) show the file from `file_offset` on.
struct MappedView {
    std::uintptr_t begin = 0;
    std::uintptr_t end = 0;
    std::uint64_t file_offset = 0;
};

/// Every mapping of the file behind `fd` in this process (read from /proc/self/maps), except the one that starts
/// at `except`. Throws Error(internal) if the map cannot be read.
std::vector<MappedView> mapped_views(int fd, const void* except);

}  // namespace ovseal::memory
