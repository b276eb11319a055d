// SPDX-License-Identifier: Apache-2.0
// `ovseal keygen`: creating key files and publisher signing key pairs, in a file or inside a PKCS#11 token.

#include <cstdio>

#include <fmt/core.h>

#include "cli_common.hpp"
#include "ovseal/error.hpp"
#include "ovseal/identity.hpp"
#include "ovseal/key.hpp"

namespace ovseal::cli {
namespace {

struct KeygenArgs {
    std::filesystem::path output;
    bool signing = false;
    std::string token_uri;  // --signing pkcs11:...: generate the key pair inside that token
    std::filesystem::path passphrase_file;
    TokenOptions token;
};

void generate_in_token(const KeygenArgs& args) {
    if (!args.passphrase_file.empty()) {
        throw Error(ErrorCode::usage,
                    "--passphrase-file protects a key file; a key in a token is protected by the "
                    "token and its PIN");
    }
    if (!is_pkcs11_uri(args.token_uri)) {
        throw Error(ErrorCode::usage, "--signing takes no value, or a pkcs11: URI naming a key to make in a token");
    }
    // Checked before the token makes a key, so a failure leaves no key without its public file.
    if (std::filesystem::exists(args.output)) {
        throw Error(ErrorCode::io, "'" + args.output.string() + "' already exists; refusing to overwrite it");
    }
    const SigningKey key = SigningKey::generate_in_token(args.token_uri, args.token.resolve());
    write_public_key_file(args.output, key.public_key());
    fmt::print(
        "Created an Ed25519 signing key in the token (sensitive, not extractable: it never leaves the token)\n"
        "and wrote its public key to {}\nKey id {}: give {} to the devices that trust you.\n",
        args.output.string(), key.public_key().key_id(), args.output.string());
}

}  // namespace

void write_public_key_file(const std::filesystem::path& path, const PublisherPublicKey& key) {
    std::FILE* out = std::fopen(path.c_str(), "wx");  // x: never overwrite
    if (out == nullptr) {
        throw Error(ErrorCode::io, std::filesystem::exists(path)
                                       ? "'" + path.string() + "' already exists; refusing to overwrite it"
                                       : "cannot create '" + path.string() + "'");
    }
    const std::string line = key.to_string() + "\n";
    const bool written = std::fwrite(line.data(), 1, line.size(), out) == line.size();
    if (std::fclose(out) != 0 || !written) throw Error(ErrorCode::io, "cannot write '" + path.string() + "'");
}

void add_keygen_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("keygen",
                                   "Create a new random 256-bit key file (mode 0600), or with --signing a "
                                   "publisher signing key pair");
    auto args = std::make_shared<KeygenArgs>();
    cmd->add_option("-o,--output", args->output,
                    "Key file to create (never overwritten); for a key made in a token, its public key file")
        ->required();
    auto* signing = cmd->add_option("--signing", args->token_uri,
                                    "Make an Ed25519 publisher signing key and its public half FILE.pub; with a "
                                    "pkcs11: URI ('pkcs11:token=LABEL;object=NAME'), make it inside that token")
                        ->expected(0, 1);
    cmd->add_option("--passphrase-file", args->passphrase_file, "With --signing: protect the key with this passphrase");
    args->token.add_to(*cmd);
    cmd->final_callback([args, signing] {
        args->signing = signing->count() > 0;
        if (!args->token_uri.empty()) return generate_in_token(*args);
        if (!args->token.module.empty() || !args->token.pin_file.empty()) {
            throw Error(ErrorCode::usage, "--pkcs11-module and --pin-file apply to --signing pkcs11:URI");
        }
        if (!args->signing) {
            if (!args->passphrase_file.empty()) {
                throw Error(ErrorCode::usage, "--passphrase-file protects signing keys only (use it with --signing)");
            }
            Key::generate().save(args->output);
            fmt::print(
                "Created key file {} (mode 0600). Keep it secret and back it up: models sealed to it cannot "
                "be opened without it.\n",
                args->output.string());
            return;
        }
        std::optional<Key> passphrase;
        if (!args->passphrase_file.empty()) passphrase = Key::from_passphrase_file(args->passphrase_file);
        const SigningKey key = SigningKey::generate();
        key.save(args->output, passphrase);
        fmt::print(
            "Created signing key {} (mode 0600{}) and its public key {}.pub\nKey id {}: give {}.pub to the "
            "devices that trust you.\n",
            args->output.string(), passphrase ? ", passphrase-protected" : "", args->output.string(),
            key.public_key().key_id(), args->output.string());
    });
}

}  // namespace ovseal::cli
