// SPDX-License-Identifier: Apache-2.0
#pragma once

// Everything measured, the goals judged from it, and how it is printed and saved.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common.hpp"
#include "machine.hpp"
#include "make_models.hpp"
#include "throughput.hpp"

namespace bench {

/// What the child processes of one measurement reported, first repetition first.
struct Runs {
    std::vector<std::map<std::string, double>> all;
    /// One field of every run, without the first (a warm-up) when there are two or more and `drop_first`.
    std::vector<double> values(const char* field, bool drop_first = true) const;
    double median(const char* field, bool drop_first = true) const { return bench::median(values(field, drop_first)); }
    double max(const char* field) const;  ///< over every run
};

/// One load variant at one size. Sizes in MiB, medians over the kept repetitions.
struct LoadStats {
    Runs runs;
    double ms = 0, min_ms = 0, max_ms = 0, cold_ms = 0;
    double vmhwm = 0, rss_anon = 0, rss_file = 0, vmlck = 0;
    bool lock_warning = false;
    void summarize();
};

struct SizeResult {
    std::uint64_t requested_mib = 0;
    ModelShape shape{};
    std::uint64_t payload_bytes = 0;         ///< B: model.xml + model.bin
    std::map<std::string, LoadStats> loads;  ///< by VariantInfo::name
    std::map<std::string, Runs> populate;    ///< touch, touch_thp, mlock, mlock_thp: ms, locked, huge_fraction
    SealRates seal;
    std::map<std::string, Runs> inference;  ///< a_plain, c_sealed, c_sealed_thp: ms, checksum
};

struct Results {
    Machine machine;
    std::string command;
    int reps = 0;
    int inferences = 0;
    CryptoRates crypto;
    std::vector<SizeResult> sizes;
    double total_seconds = 0;
};

struct Goal {
    std::string name;
    bool met = false;
    std::string detail;  ///< the numbers it was judged on
};

std::vector<Goal> evaluate_goals(const Results& results);
void print_report(const Results& results, const std::vector<Goal>& goals);
void write_json(const Results& results, const std::vector<Goal>& goals, const fs::path& path);

}  // namespace bench
