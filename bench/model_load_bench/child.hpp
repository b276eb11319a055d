// SPDX-License-Identifier: Apache-2.0
#pragma once

// The hidden sub-modes the parent runs in fresh processes (the benchmark binary re-executed), so that every
// load starts from the same state and its peak RSS is its own. A child writes one line of `name=value`
// pairs to file descriptor 3.

#include <cstdint>
#include <string>

#include "common.hpp"

namespace bench {

constexpr int result_fd = 3;

struct ChildArgs {
    std::string mode;         ///< "load", "infer" or "populate"
    std::string variant;      ///< for "load" and "infer": a VariantInfo name
    fs::path keys;            ///< KeyFiles root
    fs::path model;           ///< ModelFiles dir
    fs::path tiny;            ///< a tiny model, loaded first the same way to take one-time costs out of the timing
    int count = 50;           ///< for "infer": inferences
    std::uint64_t bytes = 0;  ///< for "populate"
    bool touch = false;       ///< for "populate": touch every page before mlock
    bool huge = false;        ///< for "populate": MADV_HUGEPAGE
};

/// "load": warm up on the tiny model, time one load of the model, report the time and /proc/self/status.
/// "infer": load the model the variant's way, run `count` inferences after 3 warm-ups, report the median time
/// and a checksum of the output (the same model must compute the same numbers however it was loaded).
/// "populate": one populate_once(bytes, touch, huge).
int run_child(const ChildArgs& args);

}  // namespace bench
