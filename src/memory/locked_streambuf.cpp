// SPDX-License-Identifier: Apache-2.0
// A growing output stream buffer in locked memory, so plaintext written to a std::ostream avoids the heap.

#include "memory/locked_streambuf.hpp"

#include <algorithm>
#include <cstring>

namespace ovseal::memory {

// Grows by doubling into a new region; the old one is wiped when it is replaced.
void LockedStreamBuf::reserve(std::size_t needed) {
    if (needed <= m_region.size()) {
        return;
    }
    LockedRegion bigger(std::max<std::size_t>({needed, 2 * m_region.size(), std::size_t{1} << 16}));
    if (m_size > 0) {
        std::memcpy(bigger.data(), m_region.data(), m_size);
    }
    m_region = std::move(bigger);
}

std::streamsize LockedStreamBuf::xsputn(const char* s, std::streamsize n) {
    if (n <= 0) {
        return 0;
    }
    const auto count = static_cast<std::size_t>(n);
    reserve(m_position + count);
    std::memcpy(m_region.data() + m_position, s, count);
    m_position += count;
    m_size = std::max(m_size, m_position);
    return n;
}

LockedStreamBuf::pos_type LockedStreamBuf::seekoff(off_type off, std::ios_base::seekdir dir,
                                                   std::ios_base::openmode which) {
    const auto base = static_cast<off_type>(dir == std::ios_base::beg   ? 0
                                            : dir == std::ios_base::cur ? m_position
                                                                        : m_size);
    return seekpos(pos_type(base + off), which);
}

LockedStreamBuf::pos_type LockedStreamBuf::seekpos(pos_type pos, std::ios_base::openmode which) {
    const auto target = static_cast<off_type>(pos);
    if (!(which & std::ios_base::out) || target < 0) {
        return pos_type(off_type(-1));
    }
    const auto position = static_cast<std::size_t>(target);
    if (position > m_size) {
        return pos_type(off_type(-1));
    }
    m_position = position;
    return pos;
}

LockedStreamBuf::int_type LockedStreamBuf::overflow(int_type ch) {
    if (traits_type::eq_int_type(ch, traits_type::eof())) {
        return traits_type::not_eof(ch);
    }
    const char c = traits_type::to_char_type(ch);
    xsputn(&c, 1);
    return ch;
}

}  // namespace ovseal::memory
