// SPDX-License-Identifier: Apache-2.0
// `ovseal seal`: sealing a model into one encrypted, authenticated file for keys, devices and a signer.

#include <algorithm>
#include <cctype>
#include <chrono>

#include <fmt/core.h>

#include "cli_common.hpp"
#include "ovseal/identity.hpp"
#include "ovseal/seal.hpp"
#include "ovseal/sealed_file.hpp"

namespace ovseal::cli {
namespace {

struct SealArgs {
    std::filesystem::path model;
    std::filesystem::path output;
    KeyOptions keys;
    std::string name, version, description;
    std::size_t chunk_size = 0;
    unsigned scrypt_log2_n = default_scrypt_log2_n;
    bool no_check = false;
    std::vector<std::string> devices;
    std::vector<std::filesystem::path> device_files;
    std::filesystem::path sign;
    std::filesystem::path signing_passphrase_file;
    TokenOptions token;
    bool convert_to_ir = false;
    bool keep_format = false;
    bool license_only = false;
};

// A model of another format became IR inside the sealed file.
bool was_converted(const std::filesystem::path& model, const FileInfo& info) {
    std::string ext = model.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext != ".xml" && !info.entries.empty() && info.entries.front().kind == 1;
}

}  // namespace

void add_seal_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("seal",
                                   "Seal a model (IR, ONNX, PaddlePaddle, TensorFlow, TensorFlow Lite) into "
                                   "one encrypted, authenticated .ovseal file");
    auto args = std::make_shared<SealArgs>();
    cmd->add_option("model", args->model,
                    "model.xml (its .bin beside it), model.onnx (with or without external data), model.pdmodel "
                    "(its .pdiparams beside it), model.pb, a TensorFlow SavedModel folder, or model.tflite")
        ->required();
    cmd->add_option("-o,--output", args->output, "Sealed file to write")->required();
    args->keys.add_to(*cmd, /*exclusive=*/false);
    cmd->add_option("--name", args->name, "Public model name (default: the file name)");
    cmd->add_option("--version", args->version, "Public model version");
    cmd->add_option("--description", args->description, "Public description");
    cmd->add_option("--chunk-size", args->chunk_size, "Chunk size in bytes: a power of two, 65536 to 4194304")
        ->check(CLI::Range(std::size_t{65536}, std::size_t{4194304}));
    cmd->add_option("--scrypt-log2n", args->scrypt_log2_n,
                    fmt::format("Passphrase work factor log2(N), {} to {} (default {})", min_scrypt_log2_n,
                                max_scrypt_log2_n, default_scrypt_log2_n))
        ->check(CLI::Range(16u, 20u));
    cmd->add_flag("--no-check", args->no_check, "Do not read the model with OpenVINO before sealing it");
    cmd->add_option("-r,--recipient", args->devices, "Device public key (ovseal-x25519:...) to seal to (repeatable)");
    cmd->add_option("-R,--recipients-file", args->device_files, "File of device public keys, one per line");
    cmd->add_option("--sign", args->sign, sign_option_help);
    cmd->add_option("--signing-passphrase-file", args->signing_passphrase_file,
                    "Passphrase of a protected signing key");
    args->token.add_to(*cmd);
    auto* to_ir = cmd->add_flag("--convert-to-ir", args->convert_to_ir,
                                "Convert single-file ONNX to IR too (other formats but IR always are, in locked "
                                "memory)");
    cmd->add_flag("--keep-format", args->keep_format,
                  "Seal single-file ONNX as it is (the default); refuse formats that need converting")
        ->excludes(to_ir);
    cmd->add_flag("--license-only", args->license_only,
                  "Devices with a trust list open the model only through a license signed by the --sign key (a copy "
                  "a licensee re-wraps with the file key does not open there); needs --sign, refuses -r/-R");
    cmd->final_callback([args] {
        SealOptions options;
        if (!args->name.empty()) options.name = args->name;
        if (!args->version.empty()) options.version = args->version;
        if (!args->description.empty()) options.description = args->description;
        options.chunk_size = args->chunk_size;
        options.scrypt_log2_n = args->scrypt_log2_n;
        options.check_model = !args->no_check;
        options.license_only = args->license_only;
        options.conversion = args->convert_to_ir ? ModelConversion::to_ir
                             : args->keep_format ? ModelConversion::keep_format
                                                 : ModelConversion::automatic;
        for (const auto& text : args->devices) options.devices.push_back(DevicePublicKey::parse(text));
        for (const auto& file : args->device_files) {
            for (const auto& d : read_device_list(file)) options.devices.push_back(d);
        }
        if (!args->sign.empty()) {
            options.sign = load_signing_key(args->sign, args->signing_passphrase_file, args->token);
        }
        const auto keys = args->keys.resolve(/*confirm_prompt=*/true, /*optional=*/!options.devices.empty());
        const auto start = std::chrono::steady_clock::now();
        seal_model(args->model, args->output, keys, options);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const FileInfo info = inspect(args->output);
        fmt::print("Sealed {} -> {} ({} entries, {} bytes, {} chunks of {} KiB, {} stanzas) in {:.3f} s\n",
                   args->model.string(), args->output.string(), info.entries.size(), info.file_size, info.chunk_count,
                   info.chunk_size / 1024, info.stanza_types.size(), seconds);
        if (was_converted(args->model, info)) {
            fmt::print("Converted to OpenVINO IR in memory before sealing\n");
        }
        if (info.model_id) {
            fmt::print("Signed by {}; model id {}\n", *info.signer_key_id, *info.model_id);
        }
        if (info.license_only) {
            fmt::print("License only: devices with a trust list open it only through a license signed by {}\n",
                       *info.signer_key_id);
        }
    });
}

}  // namespace ovseal::cli
