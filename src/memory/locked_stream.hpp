#pragma once

// An output stream whose bytes live in locked memory (LockedRegion): for plaintext that a library writes
// through std::ostream, such as a model serialised to IR, so it never sits in ordinary heap memory.

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <span>
#include <streambuf>

#include "memory/locked_region.hpp"

namespace ovseal::memory {

/// A stream buffer that grows by moving into a larger LockedRegion (the old one is wiped as it is released).
/// Supports tellp/seekp within what was written.
class LockedStreamBuffer : public std::streambuf {
public:
    /// The bytes written so far (up to the furthest position reached).
    std::span<const std::uint8_t> bytes() const;

protected:
    int_type overflow(int_type ch) override;
    std::streamsize xsputn(const char* data, std::streamsize count) override;
    pos_type seekoff(off_type off, std::ios_base::seekdir dir, std::ios_base::openmode which) override;
    pos_type seekpos(pos_type pos, std::ios_base::openmode which) override;

private:
    void reserve(std::size_t needed);
    std::size_t position() const { return static_cast<std::size_t>(pptr() - pbase()); }
    void note_end() const;
    void advance(std::size_t bytes);

    LockedRegion m_region;
    mutable std::size_t m_end = 0;  // high-water mark: a seek back must not lose what follows
};

/// std::ostream over a LockedStreamBuffer.
class LockedOStream : public std::ostream {
public:
    LockedOStream() : std::ostream(&m_buffer) {}
    std::span<const std::uint8_t> bytes() const { return m_buffer.bytes(); }

private:
    LockedStreamBuffer m_buffer;
};

}  // namespace ovseal::memory
