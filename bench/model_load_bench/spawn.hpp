// SPDX-License-Identifier: Apache-2.0
#pragma once

// Runs the benchmark binary itself in a hidden sub-mode (fork + exec) and collects what it reports.

#include <map>
#include <string>
#include <vector>

namespace bench {

/// Runs this executable with `args`, with OVSEAL_HUGEPAGES=1 in its environment if `huge_pages` (and without
/// OVSEAL_HUGEPAGES otherwise), and returns the name=value pairs it wrote to fd 3. Throws on failure.
std::map<std::string, double> run_self(const std::vector<std::string>& args, bool huge_pages);

}  // namespace bench
