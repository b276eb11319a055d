// SPDX-License-Identifier: Apache-2.0
#pragma once

// The canonical text of compile option values that are numbers (docs/FORMAT.md §16.2), written by rules of the
// format, not by any library's printing, so that every implementation binds cache entries alike.

#include <cstdint>
#include <optional>
#include <string>

namespace ovseal::container {

/// Decimal: '-' for a negative value, then the digits without leading zeros ("0" for zero).
std::string integer_text(std::int64_t value);
std::string integer_text(std::uint64_t value);

/// The binary64 value exactly: [-]0x1.<13 hex digits>p<exponent> (C's "%.13a"); subnormals [-]0x0.<13>p-1022,
/// zeros [-]0x0.0000000000000p+0. Nothing for NaN and infinities, which cannot be bound.
std::optional<std::string> float_text(double value);

}  // namespace ovseal::container
