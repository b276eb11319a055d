// SPDX-License-Identifier: Apache-2.0
// Writing number-valued compile options as canonical text, so every implementation binds cache entries alike.

#include "cache/option_text.hpp"

#include <bit>
#include <cmath>

namespace ovseal::container {

std::string integer_text(std::int64_t value) {
    if (value >= 0) return integer_text(static_cast<std::uint64_t>(value));
    // The magnitude of INT64_MIN does not fit an int64: negate in unsigned arithmetic.
    return "-" + integer_text(~static_cast<std::uint64_t>(value) + 1);
}

std::string integer_text(std::uint64_t value) {
    return std::to_string(value);
}

std::optional<std::string> float_text(double value) {
    if (!std::isfinite(value)) return std::nullopt;
    const auto bits = std::bit_cast<std::uint64_t>(value);
    const bool negative = bits >> 63;
    const auto biased = static_cast<int>((bits >> 52) & 0x7FF);
    const std::uint64_t fraction = bits & ((std::uint64_t{1} << 52) - 1);
    std::string text = negative ? "-0x" : "0x";
    int exponent = 0;
    if (biased == 0) {
        text += "0.";
        exponent = fraction == 0 ? 0 : -1022;  // zero, or a subnormal
    } else {
        text += "1.";
        exponent = biased - 1023;
    }
    for (int shift = 48; shift >= 0; shift -= 4) text += "0123456789abcdef"[(fraction >> shift) & 0xF];
    text += exponent < 0 ? "p-" : "p+";
    text += std::to_string(exponent < 0 ? -exponent : exponent);
    return text;
}

}  // namespace ovseal::container
