// SPDX-License-Identifier: Apache-2.0
// `ovseal verify`: authenticating a sealed file's header and every chunk without keeping any plaintext.

#include <chrono>

#include <fmt/core.h>

#include "cli_common.hpp"
#include "json_output.hpp"
#include "ovseal/sealed_file.hpp"

namespace ovseal::cli {

void add_verify_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("verify",
                                   "Authenticate a sealed file's header and every chunk (no plaintext "
                                   "is kept or written)");
    struct Args {
        std::filesystem::path file;
        OpenOptions open;
        bool json = false;
    };
    auto args = std::make_shared<Args>();
    cmd->add_option("file", args->file, "Sealed file")->required();
    args->open.add_to(*cmd);
    cmd->add_flag("--json", args->json, "Print the result (or the error) as JSON on standard output");
    cmd->final_callback([args] {
        const KeyRing ring = args->open.resolve();
        const auto start = std::chrono::steady_clock::now();
        const FileInfo info = verify(args->file, ring);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (args->json) {
            print_json({
                {"file", args->file.string()},
                {"verified", info.verified},
                {"entries", info.entries.size()},
                {"chunk_count", info.chunk_count},
                {"file_size", info.file_size},
                {"seconds", seconds},
                {"signed", info.signer_key_id.has_value()},
                {"signer_key_id", info.signer_key_id ? nlohmann::json(*info.signer_key_id) : nlohmann::json(nullptr)},
                {"model_id", info.model_id ? nlohmann::json(*info.model_id) : nlohmann::json(nullptr)},
                {"signature_verified", info.signature_verified},
                {"opened_unsigned_by_device", info.opened_unsigned_by_device},
                {"license_only", info.license_only},
            });
            if (info.opened_unsigned_by_device) {
                fmt::print(stderr,
                           "ovseal: WARNING: opened through a device key without a signature check "
                           "(--allow-unsigned): anyone who knows this device's public key could have made "
                           "it\n");
            }
            return;
        }
        fmt::print("OK: {} is authentic ({} entries, {} chunks, {} bytes) [{:.3f} s]\n",
                   escape_for_terminal(args->file.string()), info.entries.size(), info.chunk_count, info.file_size,
                   seconds);
        if (info.opened_unsigned_by_device) {
            fmt::print(stderr,
                       "ovseal: WARNING: opened through a device key without a signature check "
                       "(--allow-unsigned): anyone who knows this device's public key could have made it\n");
        }
        if (info.signature_verified) {
            fmt::print("Signed by trusted publisher key {}; model id {}\n", *info.signer_key_id, *info.model_id);
        } else if (info.signer_key_id) {
            fmt::print("Signed by key {} (not checked: no --trust given)\n", *info.signer_key_id);
        } else {
            fmt::print("Not signed.\n");
        }
        if (info.license_only) {
            fmt::print("License only: under a trust list, only a license signed by the publisher opens it.\n");
        }
    });
}

}  // namespace ovseal::cli
