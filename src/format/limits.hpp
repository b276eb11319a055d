// SPDX-License-Identifier: Apache-2.0
#pragma once

// Hard bounds of format v1 (docs/FORMAT.md §3–§8). Everything read from a file is checked against these
// before it is used to size or locate anything. The messages that name a bound (header.cpp) print these values.

#include <array>
#include <cstddef>
#include <cstdint>

namespace ovseal::format {

constexpr std::array<std::uint8_t, 8> magic = {0x89, 'O', 'V', 'S', 'E', 'A', 'L', '\n'};
constexpr std::uint16_t version = 1;

constexpr std::size_t preamble_size = 20;
constexpr std::size_t body_fixed_size = 72;
constexpr std::size_t header_mac_size = 32;
constexpr std::size_t min_header_size = preamble_size + body_fixed_size + header_mac_size;
constexpr std::uint32_t max_header_size = 16u << 20;

constexpr std::uint16_t max_stanzas = 1024;
constexpr std::size_t max_stanza_type = 32;
constexpr std::size_t max_stanza_args = 16;
constexpr std::size_t max_stanza_arg = 4096;
constexpr std::size_t max_stanza_body = 16384;

constexpr std::size_t max_records = 4096;
constexpr std::uint32_t max_record_value = 65536;
constexpr std::size_t max_entries = 256;
constexpr std::size_t max_entry_name = 255;
constexpr unsigned max_entry_size_log2 = 60;
constexpr std::uint64_t max_entry_size = std::uint64_t{1} << max_entry_size_log2;
constexpr std::size_t max_short_text = 1024;
constexpr std::size_t max_description = 65536;

constexpr unsigned min_chunk_log2 = 16;
constexpr unsigned max_chunk_log2 = 22;
constexpr std::uint32_t max_trailer = 1u << 20;
constexpr std::size_t chunk_tag_size = 16;

constexpr std::uint16_t record_critical = 0x8000;

}  // namespace ovseal::format
