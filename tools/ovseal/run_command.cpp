// SPDX-License-Identifier: Apache-2.0
// `ovseal run`: loading a model, sealed or plain, into OpenVINO and running timed inference.

#include <algorithm>
#include <chrono>
#include <map>
#include <random>

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <openvino/openvino.hpp>

#include "cli_common.hpp"
#include "npy.hpp"
#include "ovseal/error.hpp"
#include "ovseal/openvino.hpp"
#include "ovseal/sealed_file.hpp"

namespace ovseal::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct RunArgs {
    std::filesystem::path model;
    std::string device = "CPU";
    OpenOptions open;
    std::vector<std::string> inputs;
    std::filesystem::path save_outputs;
    unsigned iterations = 1;
    std::uint32_t seed = 1;
    std::filesystem::path cache_dir;
};

const char* cache_outcome_text(CacheReport::Outcome outcome) {
    switch (outcome) {
        case CacheReport::Outcome::hit:
            return "hit (imported; not decrypted or compiled)";
        case CacheReport::Outcome::stored:
            return "stored (compiled, then sealed into the cache)";
        case CacheReport::Outcome::rebuilt:
            return "rebuilt (the entry was stale, foreign or damaged)";
        case CacheReport::Outcome::not_stored:
            return "not stored";
    }
    return "unknown";
}

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Deterministic inputs, the same for a sealed model and its plain original.
template <typename T>
void fill(ov::Tensor& t, std::mt19937& gen, bool floating) {
    T* data = t.data<T>();
    for (std::size_t i = 0; i < t.get_size(); ++i) {
        if (floating) {
            data[i] = static_cast<T>(static_cast<double>(gen() >> 8) / 16777216.0);
        } else {
            data[i] = static_cast<T>(gen() % 10);
        }
    }
}

ov::Tensor random_input(const ov::Output<const ov::Node>& port, std::uint32_t seed) {
    if (port.get_partial_shape().is_dynamic()) {
        throw Error(ErrorCode::usage,
                    "input '" + port.get_any_name() + "' has a dynamic shape; give it with --input NAME=FILE.npy");
    }
    ov::Tensor t(port.get_element_type(), port.get_shape());
    std::mt19937 gen(seed);
    switch (port.get_element_type()) {
        case ov::element::Type_t::f32:
            fill<float>(t, gen, true);
            break;
        case ov::element::Type_t::f64:
            fill<double>(t, gen, true);
            break;
        case ov::element::Type_t::i32:
            fill<std::int32_t>(t, gen, false);
            break;
        case ov::element::Type_t::i64:
            fill<std::int64_t>(t, gen, false);
            break;
        case ov::element::Type_t::u8:
            fill<std::uint8_t>(t, gen, false);
            break;
        case ov::element::Type_t::i8:
            fill<std::int8_t>(t, gen, false);
            break;
        default:
            throw Error(ErrorCode::usage, "cannot make random values of type " +
                                              port.get_element_type().get_type_name() + " for input '" +
                                              port.get_any_name() + "'; give it with --input");
    }
    return t;
}

std::string file_name_for(const std::string& name) {
    std::string out = name;
    std::replace_if(
        out.begin(), out.end(),
        [](char c) { return !(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'); }, '_');
    if (out.empty() || out == "." || out == "..") out = "output";
    return out;
}

std::map<std::string, std::filesystem::path> parse_inputs(const std::vector<std::string>& specs) {
    std::map<std::string, std::filesystem::path> out;
    for (const auto& spec : specs) {
        const auto eq = spec.rfind('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
            throw Error(ErrorCode::usage, "--input takes NAME=FILE.npy, not '" + spec + "'");
        }
        out[spec.substr(0, eq)] = spec.substr(eq + 1);
    }
    return out;
}

// Plain models are recognised by their extension (or are a folder); anything else goes through the opener, so a damaged
// sealed
// file gets its precise error (truncated, not an ovseal file, ...) instead of being taken for a plain model.
bool looks_sealed(const std::filesystem::path& model) {
    std::error_code ec;
    if (std::filesystem::is_directory(model, ec)) return false;  // a TensorFlow SavedModel folder
    std::string ext = model.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    const bool plain_extension =
        ext == ".xml" || ext == ".onnx" || ext == ".pdmodel" || ext == ".pb" || ext == ".tflite" || ext == ".pt";
    return !plain_extension || is_sealed_file(model);
}

void run(const RunArgs& args) {
    auto input_files = parse_inputs(args.inputs);
    const bool sealed = looks_sealed(args.model);
    ov::Core core;

    const auto load_start = Clock::now();
    ov::CompiledModel compiled;
    if (sealed) {
        harden_process();
        const KeyRing ring = args.open.resolve();
        if (!ring.identities.empty() && ring.trusted.empty() && ring.allow_unsigned_device_files &&
            !inspect(args.model).signer_key_id) {
            fmt::print(stderr,
                       "ovseal: WARNING: opening an unsigned model through a device key (--allow-unsigned): "
                       "anyone who knows this device's public key could have made it\n");
        }
        if (args.cache_dir.empty()) {
            compiled = compile_model(core, args.model, ring, args.device);
        } else {
            compiled = compile_model(core, args.model, ring, args.device, {},
                                     CompileCache{args.cache_dir, [](const CacheReport& report) {
                                                      fmt::print("cache:     {}\n", cache_outcome_text(report.outcome));
                                                      if (!report.notice.empty()) {
                                                          fmt::print(stderr, "ovseal: cache: {}\n", report.notice);
                                                      }
                                                  }});
        }
    } else {
        if (!args.cache_dir.empty()) {
            throw Error(ErrorCode::usage, "--cache-dir is for sealed models: OpenVINO's own cache serves plain ones");
        }
        if (!args.open.keys.key_files.empty() || !args.open.keys.passphrase_file.empty() || args.open.any()) {
            throw Error(ErrorCode::usage, "'" + args.model.string() + "' is not sealed; it needs no key");
        }
        try {
            compiled = core.compile_model(args.model.string(), args.device);
        } catch (const std::exception& e) {
            throw Error(ErrorCode::model_rejected, std::string("OpenVINO cannot load the plain model: ") + e.what());
        }
    }
    const double load_ms = ms_since(load_start);

    ov::InferRequest request = compiled.create_infer_request();
    const auto inputs = compiled.inputs();
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        ov::Tensor tensor;
        bool given = false;
        for (const auto& name : inputs[i].get_names()) {
            if (auto it = input_files.find(name); it != input_files.end()) {
                tensor = read_npy(it->second);
                input_files.erase(it);
                given = true;
                break;
            }
        }
        if (!given) {
            tensor = random_input(inputs[i], args.seed + static_cast<std::uint32_t>(i));
        } else if (tensor.get_element_type() != inputs[i].get_element_type()) {
            throw Error(ErrorCode::usage, "input '" + inputs[i].get_any_name() + "' needs element type " +
                                              inputs[i].get_element_type().get_type_name() + ", the .npy file has " +
                                              tensor.get_element_type().get_type_name());
        } else if (!inputs[i].get_partial_shape().compatible(ov::PartialShape(tensor.get_shape()))) {
            throw Error(ErrorCode::usage, "input '" + inputs[i].get_any_name() + "' needs shape " +
                                              inputs[i].get_partial_shape().to_string() + ", the .npy file has " +
                                              ov::PartialShape(tensor.get_shape()).to_string());
        }
        try {
            request.set_input_tensor(i, tensor);
        } catch (const std::exception&) {
            throw Error(ErrorCode::usage, "input '" + inputs[i].get_any_name() +
                                              "' does not take the .npy file given "
                                              "for it (shape " +
                                              ov::PartialShape(tensor.get_shape()).to_string() + ")");
        }
    }
    if (!input_files.empty()) {
        throw Error(ErrorCode::usage, "the model has no input named '" + input_files.begin()->first + "'");
    }

    std::vector<double> times;
    for (unsigned it = 0; it < args.iterations; ++it) {
        const auto start = Clock::now();
        try {
            request.infer();
        } catch (const std::exception&) {
            throw Error(ErrorCode::model_rejected, "inference failed (check the input shapes and types)");
        }
        times.push_back(ms_since(start));
    }
    std::sort(times.begin(), times.end());

    fmt::print("model:     {} ({})\n", escape_for_terminal(args.model.string()),
               sealed ? "sealed, authenticated, decrypted in memory" : "plain");
    fmt::print("device:    {}\n", args.device);
    fmt::print("load:      {:.1f} ms (read{} + compile)\n", load_ms, sealed ? " + authenticate + decrypt" : "");
    fmt::print("inference: {:.3f} ms median, {:.3f} ms min over {} iteration(s)\n", times[times.size() / 2],
               times.front(), times.size());
    if (!args.save_outputs.empty()) {
        std::filesystem::create_directories(args.save_outputs);
    }
    const auto outputs = compiled.outputs();
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        const ov::Tensor out = request.get_output_tensor(i);
        const std::string name =
            outputs[i].get_names().empty() ? "output_" + std::to_string(i) : outputs[i].get_any_name();
        fmt::print("output:    {} {} {}", escape_for_terminal(name), out.get_element_type().get_type_name(),
                   out.get_shape().to_string());
        if (!args.save_outputs.empty()) {
            const auto path = args.save_outputs / (file_name_for(name) + ".npy");
            write_npy(path, out);
            fmt::print(" -> {}", path.string());
        }
        fmt::print("\n");
    }
}

}  // namespace

void add_run_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("run",
                                   "Load a model (sealed, or plain for comparison) into OpenVINO and run "
                                   "inference; the decrypted model never touches disk");
    auto args = std::make_shared<RunArgs>();
    cmd->add_option("model", args->model, "Sealed .ovseal file, or a plain .xml / .onnx")->required();
    cmd->add_option("-d,--device", args->device, "OpenVINO device (default CPU)");
    args->open.add_to(*cmd);
    cmd->add_option("--input,-i", args->inputs, "NAME=FILE.npy for an input (default: random from a fixed seed)");
    cmd->add_option("--save-outputs", args->save_outputs, "Write each output as DIR/<output name>.npy");
    cmd->add_option("--iterations,-n", args->iterations, "Inference repetitions (default 1)")
        ->check(CLI::Range(1u, 1000000u));
    cmd->add_option("--seed", args->seed, "Seed for random inputs (default 1)");
    cmd->add_option("--cache-dir", args->cache_dir,
                    "Sealed compiled-model cache: the next start imports the compiled model instead of compiling "
                    "(entries are sealed under the model's key; OpenVINO's own cache would write plaintext)");
    cmd->final_callback([args] { run(*args); });
}

}  // namespace ovseal::cli
