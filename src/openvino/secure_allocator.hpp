// SPDX-License-Identifier: Apache-2.0
#pragma once

// An ov::Allocator-shaped allocator whose memory is locked and wiped, for tensors that hold decrypted weights.

#include <cstddef>
#include <memory>

namespace ovseal::openvino {

/// An allocator in the shape ov::Allocator expects. Every allocation is a memory::LockedRegion: page-aligned,
/// mlocked, excluded from core dumps, and wiped when OpenVINO deallocates it, which happens when the last
/// Model / CompiledModel holding the tensor is released.
class SecureAllocator {
public:
    SecureAllocator();
    void* allocate(std::size_t bytes, std::size_t alignment);
    void deallocate(void* data, std::size_t bytes, std::size_t alignment) noexcept;
    bool is_equal(const SecureAllocator& other) const noexcept { return m_regions == other.m_regions; }

private:
    struct Regions;
    std::shared_ptr<Regions> m_regions;
};

}  // namespace ovseal::openvino
