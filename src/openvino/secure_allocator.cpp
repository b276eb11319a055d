// SPDX-License-Identifier: Apache-2.0
// Allocating OpenVINO tensors in locked regions that keep the process hardened and are wiped when released.

#include "openvino/secure_allocator.hpp"

#include <unistd.h>

#include <mutex>
#include <unordered_map>

#include "memory/locked_region.hpp"
#include "memory/plaintext_hold.hpp"
#include "ovseal/error.hpp"

namespace ovseal::openvino {

// Each region carries a plaintext hold, so the process stays hardened while any weights buffer lives.
struct SecureAllocator::Regions {
    std::mutex mutex;
    std::unordered_map<void*, std::pair<memory::LockedRegion, memory::PlaintextHold>> live;
};

SecureAllocator::SecureAllocator() : m_regions(std::make_shared<Regions>()) {}

void* SecureAllocator::allocate(std::size_t bytes, std::size_t alignment) {
    if (alignment > static_cast<std::size_t>(sysconf(_SC_PAGESIZE))) {
        throw Error(ErrorCode::internal, "protected memory cannot be aligned beyond a page");
    }
    auto hold = memory::hold_plaintext();  // before the first plaintext byte exists
    memory::LockedRegion region(bytes == 0 ? 1 : bytes);
    void* data = region.data();
    std::lock_guard lock(m_regions->mutex);
    m_regions->live.emplace(data, std::make_pair(std::move(region), std::move(hold)));
    return data;
}

void SecureAllocator::deallocate(void* data, std::size_t, std::size_t) noexcept {
    std::pair<memory::LockedRegion, memory::PlaintextHold> entry;
    {
        std::lock_guard lock(m_regions->mutex);
        auto it = m_regions->live.find(data);
        if (it == m_regions->live.end()) {
            return;
        }
        entry = std::move(it->second);
        m_regions->live.erase(it);
    }
    // The region is wiped and unmapped here, outside the lock, and only then the hold released.
    entry.first = memory::LockedRegion();
}

}  // namespace ovseal::openvino
