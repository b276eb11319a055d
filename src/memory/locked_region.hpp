// SPDX-License-Identifier: Apache-2.0
#pragma once

// Locked, non-dumpable memory, wiped before it is unmapped, that holds ovseal's secrets and decrypted models.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "memory/mapped_views.hpp"

namespace ovseal::memory {

/// Page-aligned anonymous memory for secrets and plaintext: mlocked (kept out of swap) when RLIMIT_MEMLOCK
/// allows, excluded from core dumps (MADV_DONTDUMP), zeroed in a forked child (MADV_WIPEONFORK), and wiped
/// before it is unmapped. Move-only.
class LockedRegion {
public:
    LockedRegion() = default;
    /// Maps at least `bytes` bytes (rounded up to whole pages; 0 maps nothing). Throws ovseal::Error on failure.
    explicit LockedRegion(std::size_t bytes);
    /// The same protections for memory that OpenVINO must open as a file: an anonymous in-memory file
    /// (memfd, never on any file system) of exactly `bytes` bytes whose size is sealed, mapped shared, locked,
    /// excluded from core dumps and not inherited by forked children, and wiped before it is unmapped and closed.
    /// OpenVINO reads it through path(), which names this process's descriptor: no name another process or
    /// a file planted anywhere could take.
    static LockedRegion in_memory_file(std::size_t bytes);
    ~LockedRegion();

    LockedRegion(LockedRegion&& other) noexcept;
    LockedRegion& operator=(LockedRegion&& other) noexcept;
    LockedRegion(const LockedRegion&) = delete;
    LockedRegion& operator=(const LockedRegion&) = delete;

    std::uint8_t* data() const noexcept { return m_data; }
    /// The usable size: what was asked for, not the page-rounded mapping.
    std::size_t size() const noexcept { return m_size; }
    bool locked() const noexcept { return m_locked; }
    /// For an in_memory_file: "/proc/self/fd/N", the path OpenVINO opens it by. Empty otherwise.
    std::string path() const;
    /// For an in_memory_file: where else this process maps it (OpenVINO's own mapping of it), from /proc/self/maps.
    std::vector<MappedView> other_views() const;

private:
    void release() noexcept;

    std::uint8_t* m_data = nullptr;
    std::size_t m_size = 0;
    std::size_t m_mapped = 0;
    bool m_locked = false;
    int m_fd = -1;  // the memfd of an in_memory_file
};

/// Counters that tests and benchmarks read to see that plaintext memory is released and wiped.
struct RegionStats {
    std::size_t live_regions;
    std::size_t live_bytes;
    std::size_t wiped_regions;
};
RegionStats region_stats() noexcept;

/// Called with every region right after it is wiped and before it is unmapped (tests check the bytes are zero).
/// Pass an empty function to remove it.
void set_release_observer(std::function<void(const std::uint8_t*, std::size_t)> observer);

}  // namespace ovseal::memory
