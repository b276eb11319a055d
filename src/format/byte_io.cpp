// SPDX-License-Identifier: Apache-2.0
// Bounds-checked little-endian reading and writing of the container's header fields.

#include "format/byte_io.hpp"

namespace ovseal::format {

std::span<const std::uint8_t> ByteReader::take(std::size_t n, std::string_view what) {
    if (n > remaining()) {
        throw Error(m_code, "header is damaged: " + std::string(what) + " runs past the end of its section");
    }
    auto out = m_bytes.subspan(m_offset, n);
    m_offset += n;
    return out;
}

std::uint16_t ByteReader::u16(std::string_view what) {
    return load_u16(take(2, what).data());
}

std::uint32_t ByteReader::u32(std::string_view what) {
    return load_u32(take(4, what).data());
}

std::uint64_t ByteReader::u64(std::string_view what) {
    auto b = take(8, what);
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) {
        v = (v << 8) | b[static_cast<std::size_t>(i)];
    }
    return v;
}

void ByteWriter::u16(std::uint16_t v) {
    u8(static_cast<std::uint8_t>(v));
    u8(static_cast<std::uint8_t>(v >> 8));
}

void ByteWriter::u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v));
    u16(static_cast<std::uint16_t>(v >> 16));
}

void ByteWriter::u64(std::uint64_t v) {
    u32(static_cast<std::uint32_t>(v));
    u32(static_cast<std::uint32_t>(v >> 32));
}

}  // namespace ovseal::format
