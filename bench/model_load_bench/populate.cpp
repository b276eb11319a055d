// SPDX-License-Identifier: Apache-2.0
// Timing how long fresh memory takes to populate and lock, a cost the load times are judged against.

#include <sys/mman.h>

#include <stdexcept>

#include "throughput.hpp"

namespace bench {

PopulateSample populate_once(std::uint64_t bytes, bool touch_first, bool huge_pages) {
    constexpr std::size_t page = 4096;
    const std::size_t size = (static_cast<std::size_t>(bytes) + page - 1) / page * page;
    PopulateSample s;
    const double huge_before = proc_fields("/proc/self/smaps_rollup")["AnonHugePages"];

    const auto start = Clock::now();
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::runtime_error("T_populate: mmap failed");
    if (huge_pages) ::madvise(p, size, MADV_HUGEPAGE);
    if (touch_first) {
        auto* bytes_p = static_cast<volatile std::uint8_t*>(p);
        for (std::size_t off = 0; off < size; off += page) bytes_p[off] = 0;
    }
    s.locked = ::mlock(p, size) == 0;
    s.ms = ms_since(start);

    const double huge_after = proc_fields("/proc/self/smaps_rollup")["AnonHugePages"];
    s.huge_fraction = (huge_after - huge_before) * 1024.0 / static_cast<double>(size);
    ::munmap(p, size);
    return s;
}

}  // namespace bench
