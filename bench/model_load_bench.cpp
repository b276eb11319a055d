// SPDX-License-Identifier: Apache-2.0
// How much does loading a model sealed cost, against loading it in plaintext and against the approach in
// OpenVINO's "Using Encrypted Models" guide? Prints Markdown tables and judges the goals of the issue.
//
//   model_load_bench [--sizes 16,256,1024] [--reps 5] [--json FILE] [--workdir DIR]
//
// For each size (MiB of fp32 weights) it builds a MatMul + Relu chain with the OpenVINO C++ API (fixed seed),
// encrypts its two files for (b) and seals it for (c), then loads it, interleaved, `reps` times each way, every
// load in a fresh process (this binary re-executed in a hidden sub-mode), and reports medians with the first
// repetition dropped:
//   (a) plain      core.compile_model("model.xml", "CPU")
//   (b) guide      read the encrypted files, decrypt into new vectors, copy into a std::string and an
//                  ov::Tensor, read_model, compile_model
//   (c) ovseal     ovseal::compile_model(core, sealed, key, "CPU"); signed under a trust list; each also with
//                  OVSEAL_HUGEPAGES=1
// plus peak RSS of each load, T_populate (mmap + touch + mlock, in fresh processes interleaved with the loads),
// AES-256-GCM and SHA-256 throughput, seal throughput, and inference throughput of (a) and (c). Models live in
// a fresh directory under --workdir (the system temporary directory by default), removed at the end.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "crypto/crypto.hpp"
#include "model_load_bench/child.hpp"
#include "model_load_bench/results.hpp"
#include "model_load_bench/spawn.hpp"
#include "ovseal/error.hpp"

namespace {

using namespace bench;

struct Options {
    std::vector<std::uint64_t> sizes_mib = {16, 256, 1024};
    int reps = 5;
    fs::path json;
    fs::path workdir = fs::temp_directory_path();
    int inferences = 50;
};

// Inference speed varies by 10-25% from one process to the next (where the CPU plugin's buffers land), so it is
// measured in several processes.
constexpr int min_inference_rounds = 5;

[[noreturn]] void usage(const std::string& problem) {
    std::fprintf(stderr,
                 "model_load_bench: %s\nusage: model_load_bench [--sizes 16,256,1024] [--reps 5] "
                 "[--json FILE] [--workdir DIR]\n",
                 problem.c_str());
    std::exit(2);
}

std::vector<std::uint64_t> parse_sizes(const std::string& text) {
    std::vector<std::uint64_t> sizes;
    std::size_t at = 0;
    while (at <= text.size()) {
        const std::size_t comma = std::min(text.find(',', at), text.size());
        const std::string item = text.substr(at, comma - at);
        char* end = nullptr;
        const unsigned long long mib = std::strtoull(item.c_str(), &end, 10);
        if (item.empty() || *end != '\0' || mib == 0 || mib >= 2000) usage("bad size '" + item + "' (MiB, 1..1999)");
        sizes.push_back(mib);
        at = comma + 1;
    }
    return sizes;
}

// Removes the work directory however the benchmark ends.
struct RemoveOnExit {
    fs::path dir;
    ~RemoveOnExit() {
        std::error_code ec;
        if (!dir.empty()) fs::remove_all(dir, ec);
    }
};

void write_bytes(const fs::path& path, std::span<const std::uint8_t> bytes) {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::string> child_args(const fs::path& root, const char* mode, const ModelFiles& model,
                                    const char* variant) {
    return {"--child",   mode,
            "--variant", variant,
            "--keys",    (root / "keys").string(),
            "--model",   model.dir.string(),
            "--tiny",    (root / "tiny").string()};
}

// One measurement of an interleaved round: what to run, in which environment, and where its result goes.
struct Task {
    std::string label;
    std::vector<std::string> args;
    bool huge_pages;
    Runs* out;
};

// Runs every task `rounds` times, interleaved, rotating the order each round.
void run_interleaved(const std::vector<Task>& tasks, int rounds, const char* what) {
    for (int round = 0; round < rounds; ++round) {
        for (std::size_t k = 0; k < tasks.size(); ++k) {
            const Task& t = tasks[(k + static_cast<std::size_t>(round)) % tasks.size()];
            t.out->all.push_back(run_self(t.args, t.huge_pages));
            const auto& got = t.out->all.back();
            std::string figures;
            for (const char* f : {"load_ms", "ms"}) {
                if (got.count(f))
                    figures += " " + std::string(f) + "=" + std::to_string(static_cast<int>(got.at(f) + 0.5));
            }
            if (got.count("VmHWM"))
                figures += " VmHWM=" + std::to_string(static_cast<int>(got.at("VmHWM") / 1024)) + "MiB";
            std::fprintf(stderr, "%s %d/%d %-28s%s\n", what, round + 1, rounds, t.label.c_str(), figures.c_str());
        }
    }
}

Results run(const Options& o, const std::string& command) {
    const auto started = Clock::now();
    Results r;
    r.command = command;
    r.reps = o.reps;
    r.inferences = o.inferences;
    r.machine = describe_machine();
    std::fprintf(stderr, "kernel %s, THP %s, %u cores, OpenVINO %s\n", r.machine.kernel.c_str(),
                 r.machine.thp_enabled.c_str(), r.machine.cores, r.machine.openvino.c_str());

    RemoveOnExit work{o.workdir / ("ovseal-model-load-bench-" + std::to_string(::getpid()))};
    const fs::path& root = work.dir;
    fs::create_directories(root / "keys");
    const KeyFiles key_files(root / "keys");
    const ovseal::Key key = ovseal::Key::generate();
    key.save(key_files.file_key);
    const ovseal::SigningKey signer = ovseal::SigningKey::generate();
    signer.save(key_files.signer);
    std::uint8_t aes_key[32];
    ovseal::crypto::random_bytes(aes_key);
    write_bytes(key_files.aes_key, aes_key);

    // The models, in all three forms.
    const ModelFiles tiny{root / "tiny"};
    make_ir(tiny, {64, 1}, 1);
    encrypt_for_guide(tiny, aes_key);
    seal_for_ovseal(tiny, key, signer);
    std::vector<ModelFiles> models;
    for (const std::uint64_t mib : o.sizes_mib) {
        const auto start = Clock::now();
        SizeResult s;
        s.requested_mib = mib;
        s.shape = shape_for(mib << 20);
        models.push_back(ModelFiles{root / ("weights-" + std::to_string(mib) + "MiB")});
        make_ir(models.back(), s.shape, 0x5eed0000 + mib);
        encrypt_for_guide(models.back(), aes_key);
        seal_for_ovseal(models.back(), key, signer);
        s.payload_bytes = models.back().payload_bytes();
        r.sizes.push_back(s);
        std::fprintf(stderr, "made the %llu MiB model (%zu x %zu) in all forms: %.1f s\n",
                     static_cast<unsigned long long>(mib), s.shape.layers, s.shape.width, ms_since(start) / 1000);
    }

    // In-process figures.
    r.crypto = measure_crypto(std::size_t{256} << 20, std::max(o.reps, 5));
    std::fprintf(stderr, "AES-GCM open %.2f / %.2f GB/s, SHA-256 %.2f / %.2f GB/s (1 core / all)\n", r.crypto.open_one,
                 r.crypto.open_all, r.crypto.sha_one, r.crypto.sha_all);
    const fs::path shm = fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : root;
    RemoveOnExit seal_out{shm / ("ovseal-model-load-bench-" + std::to_string(::getpid()))};
    fs::create_directories(seal_out.dir);
    for (std::size_t i = 0; i < r.sizes.size(); ++i) {
        r.sizes[i].seal = measure_seal(models[i], key, signer, seal_out.dir, o.reps);
        std::fprintf(stderr, "%llu MiB: seal %.2f GB/s (signed %.2f)\n",
                     static_cast<unsigned long long>(r.sizes[i].requested_mib), r.sizes[i].seal.unsigned_gbs,
                     r.sizes[i].seal.signed_gbs);
    }

    // Loads and T_populate, each in a fresh process, interleaved.
    std::vector<Task> tasks;
    for (std::size_t i = 0; i < r.sizes.size(); ++i) {
        SizeResult& s = r.sizes[i];
        const std::string size = std::to_string(s.requested_mib) + " MiB ";
        for (const auto& v : variants) {
            tasks.push_back(
                {size + v.label, child_args(root, "load", models[i], v.name), v.huge_pages, &s.loads[v.name].runs});
        }
        for (const char* name : {"touch", "touch_thp", "mlock", "mlock_thp"}) {
            const std::string how = name;
            tasks.push_back({size + "populate " + how,
                             {"--child", "populate", "--bytes", std::to_string(s.payload_bytes), "--touch",
                              how.starts_with("touch") ? "1" : "0", "--huge", how.ends_with("thp") ? "1" : "0"},
                             false,
                             &s.populate[name]});
        }
    }
    run_interleaved(tasks, o.reps, "rep");
    for (auto& s : r.sizes) {
        for (auto& [name, stats] : s.loads) stats.summarize();
    }

    // Inference, one model per process, (a), (c) and (c) with huge pages interleaved.
    tasks.clear();
    for (std::size_t i = 0; i < r.sizes.size(); ++i) {
        SizeResult& s = r.sizes[i];
        for (const char* name : {"a_plain", "c_sealed", "c_sealed_thp"}) {
            const VariantInfo& v = variant_named(name);
            auto args = child_args(root, "infer", models[i], name);
            args.insert(args.end(), {"--count", std::to_string(o.inferences)});
            tasks.push_back(
                {std::to_string(s.requested_mib) + " MiB infer " + v.label, args, v.huge_pages, &s.inference[name]});
        }
    }
    run_interleaved(tasks, std::max(o.reps, min_inference_rounds), "inference round");
    r.total_seconds = ms_since(started) / 1000;
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    ChildArgs child;
    std::string command = "model_load_bench";
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage(arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--sizes")
            o.sizes_mib = parse_sizes(value());
        else if (arg == "--reps")
            o.reps = std::atoi(value().c_str());
        else if (arg == "--json")
            o.json = value();
        else if (arg == "--workdir")
            o.workdir = value();
        // Hidden: the sub-modes the benchmark runs itself in.
        else if (arg == "--child")
            child.mode = value();
        else if (arg == "--variant")
            child.variant = value();
        else if (arg == "--keys")
            child.keys = value();
        else if (arg == "--model")
            child.model = value();
        else if (arg == "--tiny")
            child.tiny = value();
        else if (arg == "--count")
            child.count = std::atoi(value().c_str());
        else if (arg == "--bytes")
            child.bytes = std::strtoull(value().c_str(), nullptr, 10);
        else if (arg == "--touch")
            child.touch = value() == "1";
        else if (arg == "--huge")
            child.huge = value() == "1";
        else
            usage("unknown argument '" + arg + "'");
        if (child.mode.empty()) command += " " + std::string(argv[i - 1]) + " " + argv[i];
    }
    try {
        if (!child.mode.empty()) return run_child(child);
        if (o.reps < 1) usage("--reps must be at least 1");
        const Results results = run(o, command);
        const auto goals = evaluate_goals(results);
        print_report(results, goals);
        if (!o.json.empty()) write_json(results, goals, o.json);
        return 0;
    } catch (const ovseal::Error& e) {
        std::fprintf(stderr, "model_load_bench: %s (%s)\n", e.what(),
                     std::string(ovseal::error_name(e.code())).c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "model_load_bench: %s\n", e.what());
    }
    return 1;
}
