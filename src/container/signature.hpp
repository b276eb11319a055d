// SPDX-License-Identifier: Apache-2.0
#pragma once

// The publisher signature's message and the model id (docs/FORMAT.md §12).

#include <cstdint>
#include <span>
#include <vector>

#include "crypto/crypto.hpp"

namespace ovseal::container {

/// Chunk digests, filled in any order (by many threads), combined in chunk order.
class PayloadDigest {
public:
    explicit PayloadDigest(std::uint64_t chunk_count) : m_digests(chunk_count) {}
    /// SHA-256 of one stored chunk (ciphertext then tag).
    void add(std::uint64_t index, std::span<const std::uint8_t> ciphertext, std::span<const std::uint8_t> tag);
    crypto::Bytes32 finish() const;

private:
    std::vector<crypto::Bytes32> m_digests;
};

/// M = "ovseal-v1 model signature" 0x00 || u16 version || u32 body length || body || u64 N || payload digest.
std::vector<std::uint8_t> signed_message(std::uint16_t version, std::span<const std::uint8_t> body,
                                         std::uint64_t chunk_count, const crypto::Bytes32& payload_digest);

/// SHA-256("ovseal-v1 model id" || M).
crypto::Bytes32 model_id(std::span<const std::uint8_t> message);

}  // namespace ovseal::container
