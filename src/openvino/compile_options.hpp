// SPDX-License-Identifier: Apache-2.0
#pragma once

// Compile options (OpenVINO's ov::AnyMap) as the model cache binds them (docs/FORMAT.md §16.2): each value is
// converted by the type it holds, never by OpenVINO's printing, which another implementation could not reproduce.

#include <vector>

#include <openvino/core/any.hpp>

#include "cache/cache_entry.hpp"

namespace ovseal::openvino {

/// The options with their canonical texts; nested maps stay maps. Throws Error(usage) for a value the format gives
/// no text (the caller then does not cache).
std::vector<container::CacheOption> cache_options(const ov::AnyMap& config);

}  // namespace ovseal::openvino
