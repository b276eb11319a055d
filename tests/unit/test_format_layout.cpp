// SPDX-License-Identifier: Apache-2.0
// Layout math (docs/FORMAT.md §6.2): chunk counts, offsets, file length, overflow, nonces.

#include <gtest/gtest.h>

#include "format/layout.hpp"
#include "ovseal/error.hpp"

namespace {

using namespace ovseal;

format::Body body_with(std::uint8_t log2, std::vector<std::uint64_t> sizes, std::uint32_t trailer = 0) {
    format::Body b;
    b.chunk_size_log2 = log2;
    b.trailer_length = trailer;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        b.entries.push_back({1, "e" + std::to_string(i), sizes[i]});
    }
    return b;
}

TEST(FormatLayout, ChunksPerEntry) {
    const std::uint64_t cs = 1u << 16;
    const auto l = format::compute_layout(300, body_with(16, {0, cs, cs + 1, 1, 3 * cs}, 7));
    EXPECT_EQ(l.chunk_size, cs);
    EXPECT_EQ(l.stored_chunk_size(), cs + 16);
    ASSERT_EQ(l.entries.size(), 5u);
    const std::uint64_t first[] = {0, 1, 2, 4, 5};
    const std::uint64_t count[] = {1, 1, 2, 1, 3};  // an empty entry still takes one chunk
    for (std::size_t i = 0; i < 5; ++i) {
        EXPECT_EQ(l.entries[i].first_chunk, first[i]) << i;
        EXPECT_EQ(l.entries[i].chunk_count, count[i]) << i;
    }
    EXPECT_EQ(l.chunk_count, 8u);
    EXPECT_EQ(l.header_length, 300u);
    EXPECT_EQ(l.trailer_length, 7u);
    for (std::uint64_t i = 0; i <= 8; ++i) {
        EXPECT_EQ(l.chunk_offset(i), 300 + i * (cs + 16));
    }
    EXPECT_EQ(l.trailer_offset(), 300 + 8 * (cs + 16));
    EXPECT_EQ(l.file_length, 300 + 8 * (cs + 16) + 7);
}

TEST(FormatLayout, ChunkSizes) {
    for (std::uint8_t log2 = 16; log2 <= 22; ++log2) {
        const std::uint64_t cs = std::uint64_t{1} << log2;
        const auto l = format::compute_layout(124, body_with(log2, {cs * 2 - 1}));
        EXPECT_EQ(l.chunk_size, cs);
        EXPECT_EQ(l.chunk_count, 2u);
        EXPECT_EQ(l.file_length, 124 + 2 * (cs + 16));
    }
}

TEST(FormatLayout, HugeSizesOverflowIsMalformed) {
    // 256 entries of 2^60 bytes in 64 KiB chunks: 2^52 chunks of 2^16 + 16 bytes overflow 64 bits.
    std::vector<std::uint64_t> sizes(256, std::uint64_t{1} << 60);
    try {
        format::compute_layout(124, body_with(16, sizes));
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::malformed_header);
    }
    // One entry of 2^60 bytes in 4 MiB chunks fits (2^38 chunks).
    const auto l = format::compute_layout(124, body_with(22, {std::uint64_t{1} << 60}));
    EXPECT_EQ(l.chunk_count, std::uint64_t{1} << 38);
    EXPECT_EQ(l.file_length, 124 + (std::uint64_t{1} << 38) * ((std::uint64_t{1} << 22) + 16));
}

TEST(FormatLayout, NonceIsBigEndianCounterAndLastFlag) {
    std::uint8_t nonce[12];
    format::chunk_nonce(0, 1, nonce);
    const std::uint8_t only[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    EXPECT_TRUE(std::equal(nonce, nonce + 12, only));

    format::chunk_nonce(0, 2, nonce);
    const std::uint8_t first[12] = {0};
    EXPECT_TRUE(std::equal(nonce, nonce + 12, first));

    format::chunk_nonce(1, 2, nonce);
    const std::uint8_t last[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1};
    EXPECT_TRUE(std::equal(nonce, nonce + 12, last));

    format::chunk_nonce(256, 1000, nonce);
    const std::uint8_t mid[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0};
    EXPECT_TRUE(std::equal(nonce, nonce + 12, mid));

    format::chunk_nonce(0x0102030405060708ull, 0xFFFFFFFFFFFFFFFFull, nonce);
    const std::uint8_t big[12] = {0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0};
    EXPECT_TRUE(std::equal(nonce, nonce + 12, big));

    format::chunk_nonce(0xFFFFFFFFFFFFFFFEull, 0xFFFFFFFFFFFFFFFFull, nonce);
    const std::uint8_t top[12] = {0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 1};
    EXPECT_TRUE(std::equal(nonce, nonce + 12, top));
}

}  // namespace
