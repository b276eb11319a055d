#include "memory/locked_stream.hpp"

#include <algorithm>
#include <cstring>

namespace ovseal::memory {

std::span<const std::uint8_t> LockedStreamBuffer::bytes() const {
    note_end();
    return {m_region.data(), m_end};
}

void LockedStreamBuffer::note_end() const {
    m_end = std::max(m_end, static_cast<std::size_t>(pptr() - pbase()));
}

void LockedStreamBuffer::reserve(std::size_t needed) {
    if (needed <= m_region.size()) return;
    note_end();
    const std::size_t at = position();
    LockedRegion grown(std::max({needed, m_region.size() * 2, std::size_t{1} << 16}));
    if (m_end > 0) std::memcpy(grown.data(), m_region.data(), m_end);
    m_region = std::move(grown);  // the old region is wiped as it is released
    char* base = reinterpret_cast<char*>(m_region.data());
    setp(base, base + m_region.size());
    advance(at);
}

void LockedStreamBuffer::advance(std::size_t bytes) {
    // pbump takes an int: move in steps so models over 2 GiB work.
    for (std::size_t moved = 0; moved < bytes;) {
        const auto step = static_cast<int>(std::min<std::size_t>(bytes - moved, std::size_t{1} << 30));
        pbump(step);
        moved += static_cast<std::size_t>(step);
    }
}

LockedStreamBuffer::int_type LockedStreamBuffer::overflow(int_type ch) {
    if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
    reserve(position() + 1);
    *pptr() = traits_type::to_char_type(ch);
    pbump(1);
    return ch;
}

std::streamsize LockedStreamBuffer::xsputn(const char* data, std::streamsize count) {
    if (count <= 0) return 0;
    const auto n = static_cast<std::size_t>(count);
    reserve(position() + n);
    std::memcpy(pptr(), data, n);
    advance(n);
    return count;
}

LockedStreamBuffer::pos_type LockedStreamBuffer::seekoff(off_type off, std::ios_base::seekdir dir,
                                                         std::ios_base::openmode which) {
    note_end();
    off_type base = 0;
    if (dir == std::ios_base::cur) base = static_cast<off_type>(position());
    else if (dir == std::ios_base::end) base = static_cast<off_type>(m_end);
    return seekpos(pos_type(base + off), which);
}

LockedStreamBuffer::pos_type LockedStreamBuffer::seekpos(pos_type pos, std::ios_base::openmode which) {
    note_end();
    const off_type target = static_cast<off_type>(pos);
    if (!(which & std::ios_base::out) || target < 0 || static_cast<std::size_t>(target) > m_end) {
        return pos_type(off_type(-1));
    }
    char* base = reinterpret_cast<char*>(m_region.data());
    setp(base, base + m_region.size());
    advance(static_cast<std::size_t>(target));
    return pos;
}

}  // namespace ovseal::memory
