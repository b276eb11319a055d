// SPDX-License-Identifier: Apache-2.0
// The printed tables (Markdown, so they paste into docs/PERFORMANCE.md) and the JSON file.

#include <algorithm>
#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "results.hpp"

namespace bench {
namespace {

double mib(double bytes) {
    return bytes / (1 << 20);
}

const char* yes_no(bool b) {
    return b ? "yes" : "no";
}

}  // namespace

std::vector<double> Runs::values(const char* field, bool drop_first) const {
    std::vector<double> out;
    const std::size_t first = drop_first && all.size() > 1 ? 1 : 0;
    for (std::size_t i = first; i < all.size(); ++i) out.push_back(all[i].at(field));
    return out;
}

double Runs::max(const char* field) const {
    double m = 0;
    for (const auto& run : all) m = std::max(m, run.at(field));
    return m;
}

void LoadStats::summarize() {
    const auto times = runs.values("load_ms");
    ms = median(times);
    min_ms = *std::min_element(times.begin(), times.end());
    max_ms = *std::max_element(times.begin(), times.end());
    cold_ms = runs.median("cold_ms");
    vmhwm = runs.median("VmHWM") / 1024;  // /proc reports kB
    rss_anon = runs.median("RssAnon") / 1024;
    rss_file = runs.median("RssFile") / 1024;
    vmlck = runs.median("VmLck") / 1024;
    lock_warning = runs.max("lock_warning") != 0;
}

void print_report(const Results& r, const std::vector<Goal>& goals) {
    const Machine& m = r.machine;
    bool locked = true;
    for (const auto& s : r.sizes) {
        for (const auto& [name, runs] : s.populate) {
            for (const auto& run : runs.all) locked = locked && run.at("locked") == 1;
        }
    }
    std::printf("\n## Machine\n\n");
    std::printf("- kernel %s; transparent huge pages: enabled `%s`, defrag `%s`\n", m.kernel.c_str(),
                m.thp_enabled.c_str(), m.thp_defrag.c_str());
    std::printf("- CPU %s, %u cores; memory %.1f GiB; %s\n", m.cpu.c_str(), m.cores, m.memory_gib,
                m.virtualization.c_str());
    std::printf("- RLIMIT_MEMLOCK %s, CAP_IPC_LOCK %s; mlock of every T_populate buffer %s\n", m.memlock_limit.c_str(),
                yes_no(m.can_lock), locked ? "succeeded" : "FAILED");
    std::printf("- OpenVINO %s (CPU inference precision %s), %s, ovseal %s\n", m.openvino.c_str(),
                m.inference_precision.c_str(), m.openssl.c_str(), m.ovseal.c_str());
    std::printf("- command: `%s` (%.0f s in all)\n", r.command.c_str(), r.total_seconds);

    const CryptoRates& c = r.crypto;
    std::printf("\n## In-process throughput (GB/s, 1 MiB chunks, 256 MiB buffer)\n\n");
    std::printf("| | 1 core | all %u cores |\n|---|---:|---:|\n", c.cores);
    std::printf("| AES-256-GCM decrypt (open) | %.2f | %.2f |\n", c.open_one, c.open_all);
    std::printf("| AES-256-GCM encrypt (seal) | %.2f | %.2f |\n", c.seal_one, c.seal_all);
    std::printf("| SHA-256 | %.2f | %.2f |\n", c.sha_one, c.sha_all);

    std::printf("\n## Load to a compiled model on CPU (median of %d kept repetitions, each in a fresh process)\n\n",
                r.reps > 1 ? r.reps - 1 : r.reps);
    std::printf(
        "| weights | variant | load ms | min–max | 1st load in process ms | peak RSS (VmHWM) MiB | RssAnon | "
        "RssFile | VmLck |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (const SizeResult& s : r.sizes) {
        for (const auto& v : variants) {
            const LoadStats& l = s.loads.at(v.name);
            std::printf("| %.0f MiB | %s | %.0f | %.0f–%.0f | %.0f | %.0f | %.0f | %.0f | %.0f%s |\n",
                        mib(static_cast<double>(s.payload_bytes)), v.label, l.ms, l.min_ms, l.max_ms, l.cold_ms,
                        l.vmhwm, l.rss_anon, l.rss_file, l.vmlck, l.lock_warning ? " (mlock failed)" : "");
        }
    }

    std::printf("\n## Populating B bytes of fresh memory (ms, median, each in a fresh process)\n\n");
    std::printf(
        "| weights | T_populate: mmap + touch + mlock | same, MADV_HUGEPAGE | mmap + mlock only (as "
        "LockedRegion) | same, MADV_HUGEPAGE | huge pages obtained |\n|---|---:|---:|---:|---:|---:|\n");
    for (const SizeResult& s : r.sizes) {
        const auto& p = s.populate;
        auto cell = [&](const char* name) {  // median (min–max of the kept runs)
            const auto v = p.at(name).values("ms");
            char text[64];
            std::snprintf(text, sizeof text, "%.0f (%.0f–%.0f)", median(v), *std::min_element(v.begin(), v.end()),
                          *std::max_element(v.begin(), v.end()));
            return std::string(text);
        };
        std::printf("| %.0f MiB | %s | %s | %s | %s | %.0f%% |\n", mib(static_cast<double>(s.payload_bytes)),
                    cell("touch").c_str(), cell("touch_thp").c_str(), cell("mlock").c_str(), cell("mlock_thp").c_str(),
                    100 * p.at("touch_thp").median("huge_fraction"));
    }

    std::printf("\n## Sealing and inference\n\n");
    std::printf(
        "| weights | layers x D | seal GB/s | seal signed GB/s | inferences/s (a) | (c) | (c) THP | "
        "same outputs |\n|---|---|---:|---:|---:|---:|---:|---|\n");
    for (const SizeResult& s : r.sizes) {
        const auto& inf = s.inference;
        const double checksum = inf.at("a_plain").all.front().at("checksum");
        bool same = true;
        for (const auto& [name, runs] : inf) {
            for (const auto& run : runs.all) same = same && run.at("checksum") == checksum;
        }
        std::printf("| %.0f MiB | %zu x %zu | %.2f | %.2f | %.1f | %.1f | %.1f | %s |\n",
                    mib(static_cast<double>(s.payload_bytes)), s.shape.layers, s.shape.width, s.seal.unsigned_gbs,
                    s.seal.signed_gbs, 1000 / inf.at("a_plain").median("ms", false),
                    1000 / inf.at("c_sealed").median("ms", false), 1000 / inf.at("c_sealed_thp").median("ms", false),
                    yes_no(same));
    }
    std::printf(
        "\nInference: %d inferences per process after 3 warm-ups, median per process, then the median over "
        "the processes (interleaved).\n",
        r.inferences);

    std::printf("\n## Goals\n\n");
    for (const Goal& g : goals) {
        std::printf("- **%s** %s: %s\n", g.met ? "met" : "MISSED", g.name.c_str(), g.detail.c_str());
    }
    std::printf("\n");
}

void write_json(const Results& r, const std::vector<Goal>& goals, const fs::path& path) {
    using nlohmann::json;
    const Machine& m = r.machine;
    json out;
    out["command"] = r.command;
    out["repetitions"] = r.reps;
    out["inferences_per_process"] = r.inferences;
    out["total_seconds"] = r.total_seconds;
    out["machine"] = {{"kernel", m.kernel},
                      {"thp_enabled", m.thp_enabled},
                      {"thp_defrag", m.thp_defrag},
                      {"cpu", m.cpu},
                      {"cores", m.cores},
                      {"memory_gib", m.memory_gib},
                      {"virtualization", m.virtualization},
                      {"memlock_limit", m.memlock_limit},
                      {"cap_ipc_lock", m.can_lock},
                      {"openvino", m.openvino},
                      {"inference_precision", m.inference_precision},
                      {"openssl", m.openssl},
                      {"ovseal", m.ovseal}};
    const CryptoRates& c = r.crypto;
    out["throughput_gbs"] = {{"aes_gcm_open_one", c.open_one},
                             {"aes_gcm_open_all", c.open_all},
                             {"aes_gcm_seal_one", c.seal_one},
                             {"aes_gcm_seal_all", c.seal_all},
                             {"sha256_one", c.sha_one},
                             {"sha256_all", c.sha_all},
                             {"cores", c.cores}};
    for (const SizeResult& s : r.sizes) {
        json size = {{"requested_mib", s.requested_mib}, {"payload_bytes", s.payload_bytes},
                     {"layers", s.shape.layers},         {"width", s.shape.width},
                     {"seal_gbs", s.seal.unsigned_gbs},  {"seal_signed_gbs", s.seal.signed_gbs}};
        for (const auto& [name, l] : s.loads) {
            size["loads"][name] = {{"median_ms", l.ms},
                                   {"min_ms", l.min_ms},
                                   {"max_ms", l.max_ms},
                                   {"first_load_in_process_ms", l.cold_ms},
                                   {"vmhwm_mib", l.vmhwm},
                                   {"rss_anon_mib", l.rss_anon},
                                   {"rss_file_mib", l.rss_file},
                                   {"vmlck_mib", l.vmlck},
                                   {"mlock_failed", l.lock_warning},
                                   {"runs", l.runs.all}};
        }
        for (const auto& [name, runs] : s.populate) {
            size["populate"][name] = {{"median_ms", runs.median("ms")}, {"runs", runs.all}};
        }
        for (const auto& [name, runs] : s.inference) {
            size["inference"][name] = {{"median_ms", runs.median("ms", false)}, {"runs", runs.all}};
        }
        out["sizes"].push_back(size);
    }
    for (const Goal& g : goals) out["goals"].push_back({{"goal", g.name}, {"met", g.met}, {"detail", g.detail}});
    std::ofstream(path) << out.dump(2) << "\n";
}

}  // namespace bench
