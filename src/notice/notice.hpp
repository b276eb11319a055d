// SPDX-License-Identifier: Apache-2.0
#pragma once

// Where the library's notices go (ovseal/notice.hpp): to the application's handler, never to standard error.

#include <string_view>

namespace ovseal::notice {

/// Hands `message` to the notice handler, if one is set; drops it otherwise.
void notify(std::string_view message);

}  // namespace ovseal::notice
