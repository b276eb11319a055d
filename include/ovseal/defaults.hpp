// SPDX-License-Identifier: Apache-2.0
#pragma once

// The defaults that more than one place states (the options structs, the CLI's help, the Python package through
// its native module, the docs), written once. tests/docs/test_tables.py checks the copies in prose.

#include <cstdint>

namespace ovseal {

/// The passphrase work factor log2(N) that writers use unless told otherwise (docs/FORMAT.md §7.2).
inline constexpr unsigned default_scrypt_log2_n = 18;
/// The work factors a reader accepts (§7.2): below, a passphrase is too cheap to guess; above, an open too slow.
inline constexpr unsigned min_scrypt_log2_n = 16;
inline constexpr unsigned max_scrypt_log2_n = 20;

/// Seconds the clock may go back before the rollback guard refuses a license (docs/FORMAT.md §13.4).
inline constexpr std::int64_t default_clock_tolerance_seconds = 300;

}  // namespace ovseal
