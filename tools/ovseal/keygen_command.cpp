#include <fmt/core.h>

#include "cli_common.hpp"
#include "ovseal/error.hpp"
#include "ovseal/identity.hpp"
#include "ovseal/key.hpp"

namespace ovseal::cli {

void add_keygen_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("keygen", "Create a new random 256-bit key file (mode 0600), or with --signing a "
                                             "publisher signing key pair");
    struct Args {
        std::filesystem::path output;
        bool signing = false;
        std::filesystem::path passphrase_file;
    };
    auto args = std::make_shared<Args>();
    cmd->add_option("-o,--output", args->output, "Key file to create (never overwritten)")->required();
    cmd->add_flag("--signing", args->signing, "Make an Ed25519 publisher signing key and its public half FILE.pub");
    cmd->add_option("--passphrase-file", args->passphrase_file, "With --signing: protect the key with this passphrase");
    cmd->final_callback([args] {
        if (!args->signing) {
            if (!args->passphrase_file.empty()) {
                throw Error(ErrorCode::usage, "--passphrase-file protects signing keys only (use it with --signing)");
            }
            Key::generate().save(args->output);
            fmt::print("Created key file {} (mode 0600). Keep it secret and back it up: models sealed to it cannot "
                       "be opened without it.\n",
                       args->output.string());
            return;
        }
        std::optional<Key> passphrase;
        if (!args->passphrase_file.empty()) passphrase = Key::from_passphrase_file(args->passphrase_file);
        const SigningKey key = SigningKey::generate();
        key.save(args->output, passphrase);
        fmt::print("Created signing key {} (mode 0600{}) and its public key {}.pub\nKey id {}: give {}.pub to the "
                   "devices that trust you.\n",
                   args->output.string(), passphrase ? ", passphrase-protected" : "", args->output.string(),
                   key.public_key().key_id(), args->output.string());
    });
}

}  // namespace ovseal::cli
