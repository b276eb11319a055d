// SPDX-License-Identifier: Apache-2.0
// Escaping text read from sealed files, so a crafted header cannot drive the terminal.

#include <cstdint>
#include <string>

#include <fmt/core.h>

#include "cli_common.hpp"

namespace ovseal::cli {
namespace {

// Length of the valid UTF-8 sequence at s[i] and its code point, or 0 if invalid.
std::size_t utf8_sequence(std::string_view s, std::size_t i, std::uint32_t& cp) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    if ((c & 0xE0) == 0xC0)
        n = 2, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0)
        n = 3, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0)
        n = 4, cp = c & 0x07;
    else
        return 0;
    if (i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        const auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr std::uint32_t min_for_length[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_length[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

bool unsafe_code_point(std::uint32_t cp) {
    return (cp >= 0x80 && cp <= 0x9F) ||      // C1 controls
           (cp >= 0x202A && cp <= 0x202E) ||  // bidirectional embeddings and overrides
           (cp >= 0x2066 && cp <= 0x2069) ||  // bidirectional isolates
           cp == 0x200E || cp == 0x200F || cp == 0x061C;
}

}  // namespace

std::string escape_for_terminal(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7F && c != '\\') {
            out.push_back(static_cast<char>(c));
            ++i;
            continue;
        }
        switch (c) {
            case '\\':
                out += "\\\\";
                ++i;
                continue;
            case '\n':
                out += "\\n";
                ++i;
                continue;
            case '\t':
                out += "\\t";
                ++i;
                continue;
            case '\r':
                out += "\\r";
                ++i;
                continue;
            default:
                break;
        }
        std::uint32_t cp = 0;
        const std::size_t n = c >= 0x80 ? utf8_sequence(text, i, cp) : 0;
        if (n > 0 && !unsafe_code_point(cp)) {
            out.append(text.substr(i, n));
            i += n;
        } else if (n > 0) {
            out += fmt::format("\\u{{{:04x}}}", cp);
            i += n;
        } else {
            out += fmt::format("\\x{:02x}", c);
            ++i;
        }
    }
    return out;
}

}  // namespace ovseal::cli
