// SPDX-License-Identifier: Apache-2.0
// What does ovseal's sealed model cache save at start-up, against plain OpenVINO with and without its own
// (plaintext) cache_dir? Prints a Markdown table of medians (docs/PERFORMANCE.md).
//
//   compile_cache_bench [--sizes 16,64,256] [--reps 5] [--workdir DIR]
//
// For each size (MiB of fp32 weights) it builds two MatMul + Relu chains with model_load_bench's builder (fixed
// seed): "wide", its [2048 x 2048] layers (16 MiB each), and "deep", [256 x 256] layers (256 KiB each, so 64
// times as many nodes for the compiler), and seals them. It then measures, every start in a fresh process (this
// binary re-executed), from ov::Core construction to a compiled model, `reps` times each, interleaved:
//   plain            core.compile_model("model.xml", "CPU")
//   plain + cache_dir, first start   the same with ov::cache_dir set and empty (OpenVINO exports a plaintext blob)
//   plain + cache_dir, cached start  the same with the cache warm (OpenVINO imports its plaintext blob)
//   ovseal           ovseal::compile_model(core, sealed, key, "CPU") without a cache
//   ovseal, first    ovseal::compile_model with an empty CompileCache: compile, export, seal the entry
//   ovseal, cached   ovseal::compile_model with a warm CompileCache: authenticate, decrypt, import
// A child that reports another cache outcome than expected fails the benchmark. Models live in a fresh directory
// under --workdir (the system temporary directory by default), removed at the end.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <openvino/runtime/core.hpp>
#include <openvino/runtime/properties.hpp>

#include "model_load_bench/common.hpp"
#include "model_load_bench/make_models.hpp"
#include "ovseal/openvino.hpp"
#include "ovseal/seal.hpp"

namespace {

using namespace bench;

const char* const start_kinds[] = {"plain",  "plain_ov_first", "plain_ov_cache",
                                   "ovseal", "ovseal_first",   "ovseal_cached"};
const char* const start_labels[] = {"plain",
                                    "plain + cache_dir, first start",
                                    "plain + cache_dir, cached start",
                                    "ovseal, no cache",
                                    "ovseal, first start",
                                    "ovseal, cached start"};

// The child: one start, timed; prints milliseconds on stdout.
int child(const std::string& variant, const fs::path& dir) {
    const ModelFiles files{dir};
    const auto key = ovseal::Key::from_key_file(dir / "file.key");
    const auto start = Clock::now();
    ov::Core core;
    ov::CompiledModel compiled;
    std::string outcome = "none";
    auto record = [&](const ovseal::CacheReport& r) {
        outcome = r.outcome == ovseal::CacheReport::Outcome::hit      ? "hit"
                  : r.outcome == ovseal::CacheReport::Outcome::stored ? "stored"
                                                                      : "other: " + r.notice;
    };
    if (variant == "plain") {
        compiled = core.compile_model(files.xml().string(), "CPU");
    } else if (variant == "plain_ov_cache" || variant == "plain_ov_first") {
        core.set_property(ov::cache_dir((dir / "ov-cache").string()));
        compiled = core.compile_model(files.xml().string(), "CPU");
    } else if (variant == "ovseal") {
        compiled = ovseal::compile_model(core, files.sealed(), key, "CPU");
    } else {
        compiled = ovseal::compile_model(core, files.sealed(), key, "CPU", {}, {dir / "ovseal-cache", record});
    }
    const double ms = ms_since(start);
    const std::string want = variant == "ovseal_first" ? "stored" : variant == "ovseal_cached" ? "hit" : "none";
    if (outcome != want) {
        std::cerr << "compile_cache_bench: " << variant << " expected cache outcome " << want << ", got " << outcome
                  << "\n";
        return 1;
    }
    std::printf("%.3f\n", ms);
    return 0;
}

double run_child(const std::string& variant, const fs::path& dir) {
    char exe[4096];
    const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) throw std::runtime_error("cannot find this executable");
    exe[n] = '\0';
    const std::string command = std::string(exe) + " --child " + variant + " '" + dir.string() + "'";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("popen failed");
    double ms = -1;
    const int scanned = std::fscanf(pipe, "%lf", &ms);
    if (::pclose(pipe) != 0 || scanned != 1) throw std::runtime_error("a " + variant + " start failed");
    return ms;
}

std::vector<std::uint64_t> parse_sizes(const std::string& text) {
    std::vector<std::uint64_t> sizes;
    std::size_t at = 0;
    while (at <= text.size()) {
        const std::size_t comma = std::min(text.find(',', at), text.size());
        sizes.push_back(std::stoull(text.substr(at, comma - at)));
        at = comma + 1;
    }
    return sizes;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        if (argc == 4 && std::string(argv[1]) == "--child") return child(argv[2], argv[3]);
        std::vector<std::uint64_t> sizes = {16, 64, 256};
        int reps = 5;
        fs::path workdir = fs::temp_directory_path();
        for (int i = 1; i + 1 < argc; i += 2) {
            const std::string flag = argv[i];
            if (flag == "--sizes")
                sizes = parse_sizes(argv[i + 1]);
            else if (flag == "--reps")
                reps = std::max(1, std::atoi(argv[i + 1]));
            else if (flag == "--workdir")
                workdir = argv[i + 1];
            else
                throw std::runtime_error("usage: compile_cache_bench [--sizes 16,64,256] [--reps 5] [--workdir DIR]");
        }
        const fs::path root = workdir / ("ovseal-cache-bench-" + std::to_string(::getpid()));
        struct Remove {
            fs::path p;
            ~Remove() {
                std::error_code ec;
                fs::remove_all(p, ec);
            }
        } remove{root};
        std::cout << "| model | weights (MiB) |";
        for (const char* label : start_labels) std::cout << " " << label << " (ms) |";
        std::cout << "\n|---|---|";
        for (std::size_t i = 0; i < std::size(start_labels); ++i) std::cout << "---|";
        std::cout << "\n";
        for (const bool deep : {false, true})
            for (const auto mib : sizes) {
                const fs::path dir = root / ((deep ? "deep-" : "wide-") + std::to_string(mib));
                fs::create_directories(dir);
                const ModelFiles files{dir};
                make_ir(files, deep ? ModelShape{256, static_cast<std::size_t>(mib * 4)} : shape_for(mib << 20), 42);
                const auto key = ovseal::Key::generate();
                key.save(dir / "file.key");
                ovseal::seal_model(files.xml(), files.sealed(), {key});
                run_child("plain_ov_cache", dir);  // warms OpenVINO's cache
                std::vector<std::vector<double>> times(std::size(start_kinds));
                for (int r = 0; r < reps; ++r) {
                    for (std::size_t v = 0; v < std::size(start_kinds); ++v) {
                        if (std::string(start_kinds[v]) == "ovseal_first") fs::remove_all(dir / "ovseal-cache");
                        if (std::string(start_kinds[v]) == "plain_ov_first") fs::remove_all(dir / "ov-cache");
                        times[v].push_back(run_child(start_kinds[v], dir));
                    }
                }
                std::cout << "| " << (deep ? "deep" : "wide") << " | " << mib << " |";
                for (auto& t : times) std::printf(" %.0f |", median(t)), std::fflush(stdout);
                std::cout << std::endl;
                fs::remove_all(dir);
            }
    } catch (const std::exception& e) {
        std::cerr << "compile_cache_bench: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
