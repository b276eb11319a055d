// SPDX-License-Identifier: Apache-2.0
// Printing --json results and errors as one JSON document on standard output.

#include "json_output.hpp"

#include <fmt/core.h>

namespace ovseal::cli {

void print_json(const nlohmann::json& value) {
    fmt::print("{}\n", value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}

void print_json_error(ErrorCode code, std::string_view message) {
    print_json(
        {{"error",
          {{"code", exit_code(code)}, {"name", std::string(error_name(code))}, {"message", std::string(message)}}}});
}

}  // namespace ovseal::cli
