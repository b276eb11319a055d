// SPDX-License-Identifier: Apache-2.0
#pragma once

// The ovseal release string, for version reports and the sealed files' "sealed by" record.

namespace ovseal {

/// The ovseal release, e.g. "0.1.0".
const char* version() noexcept;

}  // namespace ovseal
