// SPDX-License-Identifier: Apache-2.0
#pragma once

// Where every chunk of the payload lives (docs/FORMAT.md §6.2). All arithmetic is 64-bit and checked.

#include <cstdint>
#include <vector>

#include "format/header.hpp"

namespace ovseal::format {

struct EntrySpan {
    std::uint64_t first_chunk = 0;
    std::uint64_t chunk_count = 0;
};

struct Layout {
    std::uint64_t header_length = 0;
    std::uint64_t chunk_size = 0;
    std::uint64_t chunk_count = 0;
    std::uint64_t trailer_length = 0;
    std::uint64_t file_length = 0;  // header + chunks + trailer
    std::vector<EntrySpan> entries;

    std::uint64_t stored_chunk_size() const { return chunk_size + chunk_tag_size; }
    std::uint64_t chunk_offset(std::uint64_t index) const { return header_length + index * stored_chunk_size(); }
    std::uint64_t trailer_offset() const { return chunk_offset(chunk_count); }
};

/// Computes the layout; a header whose sizes overflow 64 bits is malformed.
Layout compute_layout(std::uint64_t header_length, const Body& body);

/// The 12-byte nonce of chunk `index` of `count`: 11-byte big-endian index, then the last-chunk flag.
void chunk_nonce(std::uint64_t index, std::uint64_t count, std::uint8_t (&nonce)[12]);

}  // namespace ovseal::format
