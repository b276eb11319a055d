// SPDX-License-Identifier: Apache-2.0
// Computing where every chunk and the trailer lie with checked 64-bit arithmetic, and each chunk's nonce.

#include "format/layout.hpp"

#include <limits>

#include "ovseal/error.hpp"

namespace ovseal::format {
namespace {

constexpr std::uint64_t max_u64 = std::numeric_limits<std::uint64_t>::max();

void add(std::uint64_t& total, std::uint64_t value) {
    if (value > max_u64 - total) {
        throw Error(ErrorCode::malformed_header, "header is malformed: entry sizes overflow 64 bits");
    }
    total += value;
}

}  // namespace

Layout compute_layout(std::uint64_t header_length, const Body& body) {
    Layout l;
    l.header_length = header_length;
    l.chunk_size = std::uint64_t{1} << body.chunk_size_log2;
    l.trailer_length = body.trailer_length;
    for (const Entry& e : body.entries) {
        // Sizes are at most 2^60 and chunks at least 2^16, so this cannot overflow.
        const std::uint64_t chunks = e.size == 0 ? 1 : (e.size + l.chunk_size - 1) / l.chunk_size;
        l.entries.push_back({l.chunk_count, chunks});
        add(l.chunk_count, chunks);
    }
    if (l.chunk_count > max_u64 / l.stored_chunk_size()) {
        throw Error(ErrorCode::malformed_header, "header is malformed: the payload size overflows 64 bits");
    }
    l.file_length = header_length;
    add(l.file_length, l.chunk_count * l.stored_chunk_size());
    add(l.file_length, l.trailer_length);
    return l;
}

void chunk_nonce(std::uint64_t index, std::uint64_t count, std::uint8_t (&nonce)[12]) {
    for (int i = 0; i < 3; ++i) {
        nonce[i] = 0;  // bytes 0..2 of the 88-bit counter: a 64-bit index never reaches them
    }
    for (int i = 0; i < 8; ++i) {
        nonce[3 + i] = static_cast<std::uint8_t>(index >> (8 * (7 - i)));
    }
    nonce[11] = index + 1 == count ? 0x01 : 0x00;
}

}  // namespace ovseal::format
