// SPDX-License-Identifier: Apache-2.0
// `ovseal device`: creating a device identity (key file or TPM) and printing its public key.

#include <fmt/core.h>

#include "cli_common.hpp"
#include "ovseal/error.hpp"
#include "ovseal/identity.hpp"

namespace ovseal::cli {

void add_device_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("device", "Manage this device's identity (an X25519 key pair)");
    cmd->require_subcommand(1);

    struct InitArgs {
        std::filesystem::path dir;
        bool tpm = false;
        bool tpm_p256 = false;
        TpmOptions tpm_options;
    };
    auto init_args = std::make_shared<InitArgs>();
    auto* init = cmd->add_subcommand("init",
                                     "Create a device identity in a folder (private key mode 0600, or sealed "
                                     "by the TPM with --tpm)");
    init->add_option("-o,--output", init_args->dir, "Folder for the identity")->required();
    auto* tpm_flag = init->add_flag(
        "--tpm", init_args->tpm,
        "Keep the X25519 private key sealed by this machine's TPM 2.0: it never exists on disk in clear and opens "
        "nothing on another machine (it is unsealed into locked memory while a model is opened)");
    init->add_flag("--tpm-p256", init_args->tpm_p256,
                   "Create a P-256 key inside this machine's TPM 2.0 that never leaves it: the TPM computes every key "
                   "agreement (stronger than --tpm; models must be sealed or licensed to this key)")
        ->excludes(tpm_flag);
    auto* pcr = init->add_option("--pcr", init_args->tpm_options.pcrs,
                                 "With --tpm or --tpm-p256: also bind the key to these PCRs' current values, e.g. "
                                 "sha256:0,7");
    add_tcti_option(*init, init_args->tpm_options.tcti);
    init->final_callback([init_args, pcr] {
        const bool in_tpm = init_args->tpm || init_args->tpm_p256;
        if (pcr->count() > 0 && !in_tpm) throw Error(ErrorCode::usage, "--pcr needs --tpm or --tpm-p256");
        if (pcr->count() > 0 && init_args->tpm_options.pcrs.empty()) {
            throw Error(ErrorCode::usage, "--pcr is empty; leave it out to bind the key to the TPM only");
        }
        const auto& options = init_args->tpm_options;
        const auto identity = init_args->tpm_p256 ? DeviceIdentity::create_p256_in_tpm(init_args->dir, options)
                              : init_args->tpm    ? DeviceIdentity::create_in_tpm(init_args->dir, options)
                                                  : DeviceIdentity::create(init_args->dir);
        const std::string pcrs = options.pcrs.empty() ? std::string() : ", PCRs " + options.pcrs;
        const std::string where = init_args->tpm_p256 ? " (a P-256 key inside the TPM" + pcrs + ")"
                                  : init_args->tpm    ? " (sealed by the TPM" + pcrs + ")"
                                                      : std::string();
        fmt::print("Created device identity in {}{}\nPublic key (give it to the publisher):\n{}\n",
                   init_args->dir.string(), where, identity.public_key().to_string());
    });

    struct ShowArgs {
        std::filesystem::path dir;
        TpmOptions tpm_options;
    };
    auto show_args = std::make_shared<ShowArgs>();
    auto* show = cmd->add_subcommand("show",
                                     "Print a device identity's public key (unsealing a TPM identity, which "
                                     "checks that it still opens)");
    show->add_option("dir", show_args->dir, "Identity folder")->required();
    add_tcti_option(*show, show_args->tpm_options.tcti);
    show->final_callback([show_args] {
        fmt::print("{}\n", DeviceIdentity::load(show_args->dir, show_args->tpm_options).public_key().to_string());
    });
}

}  // namespace ovseal::cli
