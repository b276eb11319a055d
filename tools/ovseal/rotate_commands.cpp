// SPDX-License-Identifier: Apache-2.0
// rewrap (change who can open a file, no re-encryption) and reseal (a new file key).

#include <fmt/core.h>

#include "cli_common.hpp"
#include "ovseal/error.hpp"
#include "ovseal/seal.hpp"
#include "ovseal/sealed_file.hpp"

namespace ovseal::cli {
namespace {

struct Recipients {
    std::vector<std::filesystem::path> key_files;
    std::filesystem::path passphrase_file;
    std::vector<std::string> devices;
    std::vector<std::filesystem::path> device_files;

    // `prefix` names the options (--add-key-file, --to-key-file); `purpose` ends their help ("to add").
    void add_to(CLI::App& cmd, const std::string& prefix, const std::string& purpose) {
        cmd.add_option("--" + prefix + "-key-file", key_files, "Key file " + purpose + " (repeatable)");
        cmd.add_option("--" + prefix + "-passphrase-file", passphrase_file, "Passphrase " + purpose);
        cmd.add_option("-r,--" + prefix + "-device", devices, "Device public key " + purpose + " (repeatable)");
        cmd.add_option("-R,--" + prefix + "-devices-file", device_files, "File of device public keys " + purpose);
    }
    std::vector<Key> keys() const {
        std::vector<Key> out;
        for (const auto& f : key_files) out.push_back(Key::from_key_file(f));
        if (!passphrase_file.empty()) out.push_back(Key::from_passphrase_file(passphrase_file));
        return out;
    }
    std::vector<DevicePublicKey> device_keys() const {
        std::vector<DevicePublicKey> out;
        for (const auto& text : devices) out.push_back(DevicePublicKey::parse(text));
        for (const auto& f : device_files) {
            for (const auto& d : read_device_list(f)) out.push_back(d);
        }
        return out;
    }
};

// Said in both commands' help: what the refusal of licenses and identities is, and what it is not.
constexpr const char* publisher_keys_only =
    "Opens the file only with the publisher's key files or passphrase: a license or a device identity is refused "
    "(usage), so that a licensee cannot turn a license into a key file that never expires. This is a guard of the "
    "tool, not of the format: the signature does not cover the stanzas, and whoever holds the file key can add one "
    "by following the format. Seal with --license-only so that such a copy does not open under a trust list.";

void print_result(const std::filesystem::path& output) {
    const FileInfo info = inspect(output);
    std::string stanzas;
    for (std::size_t i = 0; i < info.stanza_types.size(); ++i) {
        stanzas += fmt::format("{}[{}] {}", i ? ", " : "", i, info.stanza_types[i]);
    }
    fmt::print("Wrote {}: stanzas {}{}\n", output.string(), stanzas,
               info.model_id ? "; signed, model id " + *info.model_id : std::string(", unsigned"));
}

}  // namespace

void add_rotate_commands(CLI::App& app) {
    auto* rewrap_cmd = app.add_subcommand(
        "rewrap", "Change who can open a sealed file without re-encrypting it (signature and licenses stay valid)");
    struct RewrapArgs {
        std::filesystem::path input, output;
        OpenOptions open;
        Recipients add;
        std::vector<std::size_t> remove_stanzas;
        std::vector<std::filesystem::path> remove_key_files;
        bool remove_passphrase = false;
        unsigned scrypt_log2_n = default_scrypt_log2_n;
    };
    rewrap_cmd->footer(publisher_keys_only);
    auto r = std::make_shared<RewrapArgs>();
    rewrap_cmd->add_option("file", r->input, "Sealed file")->required();
    rewrap_cmd->add_option("-o,--output", r->output, "File to write (may be the input)")->required();
    r->open.add_to(*rewrap_cmd);
    r->add.add_to(*rewrap_cmd, "add", "to add");
    rewrap_cmd->add_option("--remove-stanza", r->remove_stanzas, "Stanza index to remove, as `inspect` lists them");
    rewrap_cmd->add_option("--remove-key-file", r->remove_key_files, "Remove the stanzas this key file opens");
    rewrap_cmd->add_flag("--remove-passphrase", r->remove_passphrase, "Remove the passphrase stanza");
    rewrap_cmd
        ->add_option(
            "--scrypt-log2n", r->scrypt_log2_n,
            fmt::format("Work factor for an added passphrase ({} to {})", min_scrypt_log2_n, max_scrypt_log2_n))
        ->check(CLI::Range(16u, 20u));
    rewrap_cmd->final_callback([r] {
        RewrapChanges changes;
        changes.add_keys = r->add.keys();
        changes.add_devices = r->add.device_keys();
        changes.remove_stanzas = r->remove_stanzas;
        for (const auto& f : r->remove_key_files) changes.remove_opened_by.push_back(Key::from_key_file(f));
        changes.remove_passphrase = r->remove_passphrase;
        changes.scrypt_log2_n = r->scrypt_log2_n;
        rewrap(r->input, r->output, r->open.resolve(), changes);
        print_result(r->output);
    });

    auto* reseal_cmd = app.add_subcommand(
        "reseal",
        "Re-encrypt a sealed file under a new file key, for a new set of recipients (old licenses and "
        "signatures no longer apply; sign and license again)");
    struct ResealArgs {
        std::filesystem::path input, output;
        OpenOptions open;
        Recipients to;
        std::filesystem::path sign, signing_passphrase_file;
        TokenOptions token;
        std::size_t chunk_size = 0;
        unsigned scrypt_log2_n = default_scrypt_log2_n;
        bool license_only = false;
    };
    reseal_cmd->footer(publisher_keys_only);
    auto s = std::make_shared<ResealArgs>();
    reseal_cmd->add_option("file", s->input, "Sealed file")->required();
    reseal_cmd->add_option("-o,--output", s->output, "File to write (may be the input)")->required();
    s->open.add_to(*reseal_cmd);
    s->to.add_to(*reseal_cmd, "to", "that will open the new file");
    reseal_cmd->add_option("--sign", s->sign, sign_option_help);
    reseal_cmd->add_option("--signing-passphrase-file", s->signing_passphrase_file, "Passphrase of the signing key");
    s->token.add_to(*reseal_cmd);
    reseal_cmd->add_flag("--license-only", s->license_only,
                         "Make the new file license-only (a license-only input stays so); needs --sign");
    reseal_cmd->add_option("--chunk-size", s->chunk_size, "Chunk size in bytes (default: as before)")
        ->check(CLI::Range(std::size_t{65536}, std::size_t{4194304}));
    reseal_cmd
        ->add_option("--scrypt-log2n", s->scrypt_log2_n,
                     fmt::format("Passphrase work factor ({} to {})", min_scrypt_log2_n, max_scrypt_log2_n))
        ->check(CLI::Range(16u, 20u));
    reseal_cmd->final_callback([s] {
        SealOptions options;
        options.devices = s->to.device_keys();
        options.chunk_size = s->chunk_size;
        options.scrypt_log2_n = s->scrypt_log2_n;
        options.license_only = s->license_only;
        if (!s->sign.empty()) options.sign = load_signing_key(s->sign, s->signing_passphrase_file, s->token);
        const auto recipients = s->to.keys();
        if (recipients.empty() && options.devices.empty()) {
            throw Error(ErrorCode::usage, "reseal needs new recipients: --to-key-file, --to-passphrase-file or -r");
        }
        reseal(s->input, s->output, s->open.resolve(), recipients, options);
        print_result(s->output);
    });
}

}  // namespace ovseal::cli
