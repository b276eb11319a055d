// SPDX-License-Identifier: Apache-2.0
#pragma once

// An output stream buffer that keeps everything written to it in locked memory (LockedRegion): for APIs that
// write plaintext to a std::ostream (OpenVINO's export_model, a model serialised to IR), so it never lands in
// ordinary heap memory.

#include <cstdint>
#include <ostream>
#include <span>
#include <streambuf>

#include "memory/locked_region.hpp"

namespace ovseal::memory {

class LockedStreamBuf final : public std::streambuf {
public:
    LockedStreamBuf() = default;
    /// Reserves `capacity` bytes up front: growing copies everything written so far into fresh locked memory.
    /// Pages are populated as they are written, so a generous reserve costs address space, not memory.
    explicit LockedStreamBuf(std::size_t capacity) { reserve(capacity); }
    /// What was written so far (up to the furthest position written).
    std::span<const std::uint8_t> bytes() const noexcept { return {m_region.data(), m_size}; }

protected:
    int_type overflow(int_type ch) override;
    std::streamsize xsputn(const char* s, std::streamsize n) override;
    // Writers that go back to fill in a header (tellp, seekp) are served; a seek past the end is refused, as
    // for a file that is not sparse.
    pos_type seekoff(off_type off, std::ios_base::seekdir dir, std::ios_base::openmode which) override;
    pos_type seekpos(pos_type pos, std::ios_base::openmode which) override;

private:
    void reserve(std::size_t needed);

    LockedRegion m_region;
    std::size_t m_size = 0;
    std::size_t m_position = 0;
};

/// std::ostream over a LockedStreamBuf.
class LockedOStream : public std::ostream {
public:
    LockedOStream() : std::ostream(&m_buffer) {}
    explicit LockedOStream(std::size_t capacity) : std::ostream(&m_buffer), m_buffer(capacity) {}
    std::span<const std::uint8_t> bytes() const noexcept { return m_buffer.bytes(); }

private:
    LockedStreamBuf m_buffer;
};

}  // namespace ovseal::memory
