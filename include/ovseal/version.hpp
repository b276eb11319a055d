#pragma once

namespace ovseal {

/// The ovseal release, e.g. "0.1.0".
const char* version() noexcept;

}  // namespace ovseal
