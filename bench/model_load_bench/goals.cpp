// SPDX-License-Identifier: Apache-2.0
// The goals, judged from the measurements and reported as met or missed (never asserted).

#include <cmath>
#include <cstdio>

#include "results.hpp"

namespace bench {
namespace {

std::string format(const char* pattern, auto... values) {
    char buffer[512];
    std::snprintf(buffer, sizeof buffer, pattern, values...);
    return buffer;
}

double mib(std::uint64_t bytes) {
    return static_cast<double>(bytes) / (1 << 20);
}

}  // namespace

std::vector<Goal> evaluate_goals(const Results& r) {
    std::vector<Goal> goals;
    if (r.sizes.empty()) return goals;
    const SizeResult& big = r.sizes.back();
    const double b = static_cast<double>(big.payload_bytes);
    const double aead_ms = b / 1e6 / r.crypto.open_all;
    const double sha_ms = b / 1e6 / r.crypto.sha_all;

    // 1. At the largest size, the load overhead is bounded by the unavoidable work.
    for (const char* name : {"c_sealed", "c_signed", "c_sealed_thp", "c_signed_thp"}) {
        const VariantInfo& v = variant_named(name);
        const double populate = big.populate.at(v.huge_pages ? "touch_thp" : "touch").median("ms");
        const double bound = 1.2 * (aead_ms + (v.signed_file ? sha_ms : 0) + populate);
        const double delta = big.loads.at(name).ms - big.loads.at("a_plain").ms;
        goals.push_back(
            {format("%s - (a) <= 1.2 x (B/AEAD_all%s + T_populate%s) at %.0f MiB", v.label,
                    v.signed_file ? " + B/SHA256_all" : "", v.huge_pages ? "[THP]" : "", mib(big.payload_bytes)),
             delta <= bound,
             format("%.0f ms vs bound %.0f ms = 1.2 x (%.0f%s + %.0f)", delta, bound, aead_ms,
                    v.signed_file ? format(" + %.0f", sha_ms).c_str() : "", populate)});
    }
    for (const SizeResult& s : r.sizes) {
        const auto& a = s.loads.at("a_plain");
        const auto& b_ = s.loads.at("b_guide");
        const auto& c = s.loads.at("c_sealed");
        const double size = mib(s.payload_bytes);
        // 2. ovseal costs at most half what the guide's approach costs over plain.
        const double half = 0.5 * (b_.ms - a.ms);
        goals.push_back({format("(c) - (a) <= 1/2 x ((b) - (a)), unsigned, %.0f MiB", size), c.ms - a.ms <= half,
                         format("%.0f ms vs %.0f ms (b - a = %.0f ms)", c.ms - a.ms, half, b_.ms - a.ms)});
        // 3. Peak RSS.
        goals.push_back({format("peak RSS (c) <= (a) + 5%%, %.0f MiB", size), c.vmhwm <= 1.05 * a.vmhwm,
                         format("%.0f MiB vs %.0f MiB (a = %.0f MiB)", c.vmhwm, 1.05 * a.vmhwm, a.vmhwm)});
        goals.push_back({format("peak RSS (c) <= 1/2 x (b), %.0f MiB", size), c.vmhwm <= 0.5 * b_.vmhwm,
                         format("%.0f MiB vs %.0f MiB (b = %.0f MiB)", c.vmhwm, 0.5 * b_.vmhwm, b_.vmhwm)});
        // 5. Inference is unaffected.
        auto rate = [&](const char* name) { return 1000.0 / s.inference.at(name).median("ms", false); };
        const double a_rate = rate("a_plain"), c_rate = rate("c_sealed"), thp_rate = rate("c_sealed_thp");
        const double diff = (c_rate - a_rate) / a_rate;
        goals.push_back({format("inference throughput (c) within 3%% of (a), %.0f MiB", size), std::fabs(diff) <= 0.03,
                         format("%.1f vs %.1f inferences/s (%+.1f%%; (c) THP %+.1f%%)", c_rate, a_rate, 100 * diff,
                                100 * (thp_rate - a_rate) / a_rate)});
    }
    // 4. Sealing runs near the all-core AES-GCM rate.
    for (const bool sign : {false, true}) {
        const double rate = sign ? big.seal.signed_gbs : big.seal.unsigned_gbs;
        goals.push_back(
            {format("seal throughput%s >= 80%% of all-core AES-GCM, %.0f MiB", sign ? " (signed)" : "",
                    mib(big.payload_bytes)),
             rate >= 0.8 * r.crypto.seal_all,
             format("%.2f GB/s vs %.2f GB/s (80%% of %.2f)", rate, 0.8 * r.crypto.seal_all, r.crypto.seal_all)});
    }
    return goals;
}

}  // namespace bench
