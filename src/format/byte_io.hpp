// SPDX-License-Identifier: Apache-2.0
#pragma once

// Bounds-checked little-endian readers and writers, so no length read from a file can step outside its input.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ovseal/error.hpp"

namespace ovseal::format {

/// Reads little-endian fields from a bounded byte range. Every read is checked against the end, so no length
/// taken from the input can make the reader step outside it; running out is reported with `code`.
class ByteReader {
public:
    ByteReader(std::span<const std::uint8_t> bytes, ErrorCode code) : m_bytes(bytes), m_code(code) {}

    std::uint8_t u8(std::string_view what) { return take(1, what)[0]; }
    std::uint16_t u16(std::string_view what);
    std::uint32_t u32(std::string_view what);
    std::uint64_t u64(std::string_view what);
    std::span<const std::uint8_t> take(std::size_t n, std::string_view what);

    std::size_t offset() const noexcept { return m_offset; }
    std::size_t remaining() const noexcept { return m_bytes.size() - m_offset; }
    bool at_end() const noexcept { return m_offset == m_bytes.size(); }

private:
    std::span<const std::uint8_t> m_bytes;
    std::size_t m_offset = 0;
    ErrorCode m_code;
};

/// Appends little-endian fields to a byte vector.
class ByteWriter {
public:
    void u8(std::uint8_t v) { m_bytes.push_back(v); }
    void u16(std::uint16_t v);
    void u32(std::uint32_t v);
    void u64(std::uint64_t v);
    void bytes(std::span<const std::uint8_t> b) { m_bytes.insert(m_bytes.end(), b.begin(), b.end()); }
    void text(std::string_view s) { bytes({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}); }

    std::size_t size() const noexcept { return m_bytes.size(); }
    std::vector<std::uint8_t>& buffer() noexcept { return m_bytes; }

private:
    std::vector<std::uint8_t> m_bytes;
};

inline std::uint16_t load_u16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
inline std::uint32_t load_u32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) | (std::uint32_t{p[3]} << 24);
}

inline std::string as_string(std::span<const std::uint8_t> b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace ovseal::format
