// SPDX-License-Identifier: Apache-2.0
#pragma once

// --json output: one JSON document on standard output, for results and for errors alike.

#include <string_view>

#include <nlohmann/json.hpp>

#include "ovseal/error.hpp"

namespace ovseal::cli {

/// Prints `value` on standard output, indented, with a newline. Invalid UTF-8 (from a crafted file) is
/// replaced, never passed through.
void print_json(const nlohmann::json& value);

/// Prints {"error": {"code": N, "name": "...", "message": "..."}} on standard output.
void print_json_error(ErrorCode code, std::string_view message);

}  // namespace ovseal::cli
