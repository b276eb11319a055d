#include "openvino/secure_allocator.hpp"

#include <unistd.h>

#include <mutex>
#include <unordered_map>

#include "memory/locked_region.hpp"
#include "ovseal/error.hpp"

namespace ovseal::openvino {

struct SecureAllocator::Regions {
    std::mutex mutex;
    std::unordered_map<void*, memory::LockedRegion> live;
};

SecureAllocator::SecureAllocator() : m_regions(std::make_shared<Regions>()) {}

void* SecureAllocator::allocate(std::size_t bytes, std::size_t alignment) {
    if (alignment > static_cast<std::size_t>(sysconf(_SC_PAGESIZE))) {
        throw Error(ErrorCode::internal, "protected memory cannot be aligned beyond a page");
    }
    memory::LockedRegion region(bytes == 0 ? 1 : bytes);
    void* data = region.data();
    std::lock_guard lock(m_regions->mutex);
    m_regions->live.emplace(data, std::move(region));
    return data;
}

void SecureAllocator::deallocate(void* data, std::size_t, std::size_t) noexcept {
    memory::LockedRegion region;
    {
        std::lock_guard lock(m_regions->mutex);
        auto it = m_regions->live.find(data);
        if (it == m_regions->live.end()) {
            return;
        }
        region = std::move(it->second);
        m_regions->live.erase(it);
    }
    // `region` is wiped and unmapped here, outside the lock.
}

}  // namespace ovseal::openvino
