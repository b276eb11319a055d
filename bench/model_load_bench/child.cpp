// SPDX-License-Identifier: Apache-2.0
// The benchmark's child processes: one load, inference run or populate per fresh process, reported on fd 3.

#include "child.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "loaders.hpp"
#include "ovseal/environment.hpp"
#include "ovseal/notice.hpp"
#include "throughput.hpp"

namespace bench {
namespace {

class Report {
public:
    Report& add(const char* name, double value) {
        char buffer[96];
        std::snprintf(buffer, sizeof buffer, " %s=%.17g", name, value);
        m_line += buffer;
        return *this;
    }
    void send() {
        const std::string text = m_line + "\n";
        if (::write(result_fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
            std::perror("model_load_bench child: cannot report");
        }
    }

private:
    std::string m_line = "ok=1";
};

int child_load(const ChildArgs& args, const LoadKeys& keys) {
    bool lock_warning = false;
    ovseal::set_notice_handler([&](std::string_view) { lock_warning = true; });
    const VariantInfo& info = variant_named(args.variant);
    ov::Core core;
    auto start = Clock::now();
    { const auto warm = load(core, info.variant, ModelFiles{args.tiny}, keys); }
    const double cold_ms = ms_since(start);

    start = Clock::now();
    const ov::CompiledModel compiled = load(core, info.variant, ModelFiles{args.model}, keys);
    const double load_ms = ms_since(start);

    auto status = proc_fields("/proc/self/status");
    Report report;
    report.add("load_ms", load_ms).add("cold_ms", cold_ms);
    for (const char* name : {"VmHWM", "VmRSS", "RssAnon", "RssFile", "VmLck"}) report.add(name, status[name]);
    report.add("lock_warning", lock_warning ? 1 : 0).send();
    return 0;
}

int child_infer(const ChildArgs& args, const LoadKeys& keys) {
    ov::Core core;
    ov::CompiledModel model = load(core, variant_named(args.variant).variant, ModelFiles{args.model}, keys);
    ov::InferRequest request = model.create_infer_request();
    ov::Tensor input(ov::element::f32, model.input().get_shape());
    float* x = input.data<float>();
    for (std::size_t i = 0; i < input.get_size(); ++i) x[i] = std::sin(static_cast<float>(i));  // fixed input
    request.set_input_tensor(input);
    for (int i = 0; i < 3; ++i) request.infer();
    std::vector<double> times;
    for (int i = 0; i < args.count; ++i) {
        const auto start = Clock::now();
        request.infer();
        times.push_back(ms_since(start));
    }
    // FNV-1a over the output bytes, kept to 52 bits so that it survives the trip through a double.
    const ov::Tensor output = request.get_output_tensor();
    const auto* bytes = static_cast<const std::uint8_t*>(output.data());
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (std::size_t i = 0; i < output.get_byte_size(); ++i) hash = (hash ^ bytes[i]) * 0x100000001b3ULL;
    Report().add("ms", median(times)).add("checksum", static_cast<double>(hash >> 12)).send();
    return 0;
}

int child_populate(const ChildArgs& args) {
    const PopulateSample s = populate_once(args.bytes, args.touch, args.huge);
    Report().add("ms", s.ms).add("locked", s.locked ? 1 : 0).add("huge_fraction", s.huge_fraction).send();
    return 0;
}

}  // namespace

int run_child(const ChildArgs& args) {
    ovseal::apply_environment();  // the parent runs a child with OVSEAL_HUGEPAGES=1 or without it
    if (args.mode == "populate") return child_populate(args);
    const LoadKeys keys = LoadKeys::read(KeyFiles(args.keys));
    if (args.mode == "load") return child_load(args, keys);
    if (args.mode == "infer") return child_infer(args, keys);
    std::fprintf(stderr, "model_load_bench: unknown child mode '%s'\n", args.mode.c_str());
    return 2;
}

}  // namespace bench
