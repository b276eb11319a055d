// SPDX-License-Identifier: Apache-2.0
#pragma once

// Notices: what ovseal wants an operator to know that does not fail the call (today: memory that could not be
// locked, so decrypted data may reach swap). The library itself writes nothing to standard error; the
// application decides where notices go.

#include <functional>
#include <string_view>

namespace ovseal {

/// Called with one line of text (no "ovseal:" prefix, no newline), possibly from several threads: it must be
/// thread-safe. The "could not lock memory" notice comes once per process.
using NoticeHandler = std::function<void(std::string_view message)>;

/// Sets the process-wide notice handler (an empty function removes it). Without one, notices are dropped.
/// The ovseal CLI, the Python package and the OpenVINO frontend print them on standard error as
/// "ovseal: warning: MESSAGE" (ovseal/environment.hpp, print_notices_on_standard_error).
void set_notice_handler(NoticeHandler handler);

}  // namespace ovseal
