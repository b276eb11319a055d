// SPDX-License-Identifier: Apache-2.0
// Mapping, locking, wiping and unmapping the memory that holds secrets and plaintext, and counting it for tests.

#include "memory/locked_region.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "memory/wipe.hpp"
#include "notice/notice.hpp"
#include "ovseal/error.hpp"

namespace ovseal::memory {
namespace {

std::atomic<std::size_t> g_live_regions{0};
std::atomic<std::size_t> g_live_bytes{0};
std::atomic<std::size_t> g_wiped_regions{0};
std::atomic<bool> g_warned{false};
std::atomic<bool> g_huge_pages{false};

std::mutex g_hooks_mutex;
std::function<void(const std::uint8_t*, std::size_t)> g_release_observer;

std::size_t page_size() {
    static const std::size_t size = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    return size;
}

constexpr std::size_t huge_page_threshold = std::size_t{4} << 20;

// ovseal::set_huge_pages(true) (OVSEAL_HUGEPAGES=1 in the CLI, Python and the frontend) asks for transparent huge
// pages on large buffers. Off by default: with the kernel's usual defrag=madvise, a fault may stall in direct
// compaction (measured here: 256 MiB loads in ~200 ms with huge pages against ~260 ms without, but ~770 ms when
// memory first has to be compacted).
bool huge_pages_wanted() {
    return g_huge_pages.load(std::memory_order_relaxed);
}

// Wiped single pages kept mapped and locked for reuse: keys and other small secrets come and go by the
// thousand (license batches), and mmap + mlock + munlock + munmap costs ~10 us each time.
struct PooledPage {
    void* data;
    bool locked;
};
std::mutex g_pool_mutex;
std::vector<PooledPage> g_pool;
constexpr std::size_t max_pooled_pages = 64;

bool take_pooled_page(void*& data, bool& locked) {
    std::lock_guard lock(g_pool_mutex);
    if (g_pool.empty()) return false;
    data = g_pool.back().data;
    locked = g_pool.back().locked;
    g_pool.pop_back();
    return true;
}

bool keep_pooled_page(void* data, bool locked) {
    std::lock_guard lock(g_pool_mutex);
    if (g_pool.size() >= max_pooled_pages) return false;
    g_pool.push_back({data, locked});
    return true;
}

void warn_once(std::string_view message) {
    if (!g_warned.exchange(true)) notice::notify(message);
}

}  // namespace

LockedRegion::LockedRegion(std::size_t bytes) {
    if (bytes == 0) {
        return;
    }
    const std::size_t page = page_size();
    if (bytes > SIZE_MAX - page) {
        throw Error(ErrorCode::internal, "cannot allocate " + std::to_string(bytes) + " bytes of protected memory");
    }
    const std::size_t mapped = (bytes + page - 1) / page * page;
    void* pooled = nullptr;
    bool pooled_locked = false;
    if (mapped == page && take_pooled_page(pooled, pooled_locked)) {
        m_data = static_cast<std::uint8_t*>(pooled);  // wiped when it was released
        m_size = bytes;
        m_mapped = mapped;
        m_locked = pooled_locked;
        g_live_regions.fetch_add(1);
        g_live_bytes.fetch_add(mapped);
        return;
    }
    void* p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        throw Error(ErrorCode::internal,
                    "cannot map " + std::to_string(mapped) + " bytes of protected memory: " + std::strerror(errno));
    }
    // Keep plaintext out of core dumps and out of forked children; these cannot fail on a valid mapping
    // of a kernel that knows them, and an older kernel leaves us no worse than plain memory.
    madvise(p, mapped, MADV_DONTDUMP);
    if (mapped >= huge_page_threshold && huge_pages_wanted()) {
        // Large plaintext buffers (weights): 2 MiB pages make populating and locking them far cheaper.
        madvise(p, mapped, MADV_HUGEPAGE);
    }
#ifdef MADV_WIPEONFORK
    madvise(p, mapped, MADV_WIPEONFORK);
#endif
    // Lock on fault: pages are locked as the decrypting workers first touch them, in parallel, instead of all
    // being populated here on one thread (a third of a sealed load's overhead at 1 GiB).
    m_locked = mlock2(p, mapped, MLOCK_ONFAULT) == 0 || mlock(p, mapped) == 0;
    if (!m_locked) {
        warn_once("could not lock " + std::to_string(mapped) +
                  " bytes in memory (RLIMIT_MEMLOCK too small? see `ulimit -l`); decrypted data may be "
                  "swapped to disk. Raise the limit or use encrypted swap.");
    }
    m_data = static_cast<std::uint8_t*>(p);
    m_size = bytes;
    m_mapped = mapped;
    g_live_regions.fetch_add(1);
    g_live_bytes.fetch_add(mapped);
}

LockedRegion LockedRegion::in_memory_file(std::size_t bytes) {
    LockedRegion region;
    region.m_fd = memfd_create("ovseal-plaintext", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (region.m_fd < 0) {
        throw Error(ErrorCode::internal, std::string("cannot create an in-memory file: ") + std::strerror(errno));
    }
    // The size is sealed so that nothing (not even this process through /proc/self/fd) can shrink the file
    // under a mapping, which would turn reads of the model into SIGBUS.
    if (ftruncate(region.m_fd, static_cast<off_t>(bytes)) != 0 ||
        fcntl(region.m_fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
        throw Error(ErrorCode::internal,
                    "cannot size an in-memory file of " + std::to_string(bytes) + " bytes: " + std::strerror(errno));
    }
    region.m_size = bytes;
    if (bytes == 0) {
        return region;
    }
    const std::size_t page = page_size();
    if (bytes > SIZE_MAX - page) {
        throw Error(ErrorCode::internal, "cannot allocate " + std::to_string(bytes) + " bytes of protected memory");
    }
    const std::size_t mapped = (bytes + page - 1) / page * page;
    void* p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_SHARED, region.m_fd, 0);
    if (p == MAP_FAILED) {
        throw Error(ErrorCode::internal,
                    "cannot map " + std::to_string(mapped) + " bytes of protected memory: " + std::strerror(errno));
    }
    // A shared mapping cannot be wiped on fork; it is not inherited at all instead.
    madvise(p, mapped, MADV_DONTDUMP);
    madvise(p, mapped, MADV_DONTFORK);
    if (mapped >= huge_page_threshold && huge_pages_wanted()) {
        madvise(p, mapped, MADV_HUGEPAGE);  // honoured for shared memory when shmem_enabled allows "advise"
    }
    region.m_locked = mlock2(p, mapped, MLOCK_ONFAULT) == 0 || mlock(p, mapped) == 0;
    if (!region.m_locked) {
        warn_once("could not lock " + std::to_string(mapped) +
                  " bytes in memory (RLIMIT_MEMLOCK too small? see `ulimit -l`); decrypted data may be "
                  "swapped to disk. Raise the limit or use encrypted swap.");
    }
    region.m_data = static_cast<std::uint8_t*>(p);
    region.m_mapped = mapped;
    g_live_regions.fetch_add(1);
    g_live_bytes.fetch_add(mapped);
    return region;
}

std::string LockedRegion::path() const {
    return m_fd < 0 ? std::string() : "/proc/self/fd/" + std::to_string(m_fd);
}

std::vector<MappedView> LockedRegion::other_views() const {
    return m_fd < 0 ? std::vector<MappedView>{} : mapped_views(m_fd, m_data);
}

LockedRegion::~LockedRegion() {
    release();
}

LockedRegion::LockedRegion(LockedRegion&& other) noexcept
    : m_data(std::exchange(other.m_data, nullptr)),
      m_size(std::exchange(other.m_size, 0)),
      m_mapped(std::exchange(other.m_mapped, 0)),
      m_locked(std::exchange(other.m_locked, false)),
      m_fd(std::exchange(other.m_fd, -1)) {}

LockedRegion& LockedRegion::operator=(LockedRegion&& other) noexcept {
    if (this != &other) {
        release();
        m_data = std::exchange(other.m_data, nullptr);
        m_size = std::exchange(other.m_size, 0);
        m_mapped = std::exchange(other.m_mapped, 0);
        m_locked = std::exchange(other.m_locked, false);
        m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
}

void LockedRegion::release() noexcept {
    if (m_data == nullptr) {
        if (m_fd >= 0) close(std::exchange(m_fd, -1));  // an empty in-memory file
        return;
    }
    wipe(m_data, m_mapped);
    g_wiped_regions.fetch_add(1);
    {
        std::lock_guard lock(g_hooks_mutex);
        if (g_release_observer) {
            g_release_observer(m_data, m_mapped);
        }
    }
    if (m_fd >= 0 || m_mapped != page_size() || !keep_pooled_page(m_data, m_locked)) {
        if (m_locked) {
            munlock(m_data, m_mapped);
        }
        munmap(m_data, m_mapped);
    }
    if (m_fd >= 0) {
        close(m_fd);
        m_fd = -1;
    }
    g_live_regions.fetch_sub(1);
    g_live_bytes.fetch_sub(m_mapped);
    m_data = nullptr;
    m_size = 0;
    m_mapped = 0;
    m_locked = false;
}

RegionStats region_stats() noexcept {
    return RegionStats{g_live_regions.load(), g_live_bytes.load(), g_wiped_regions.load()};
}

void set_release_observer(std::function<void(const std::uint8_t*, std::size_t)> observer) {
    std::lock_guard lock(g_hooks_mutex);
    g_release_observer = std::move(observer);
}

}  // namespace ovseal::memory

namespace ovseal {

void set_huge_pages(bool on) {
    memory::g_huge_pages.store(on, std::memory_order_relaxed);
}

}  // namespace ovseal
