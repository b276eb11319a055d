// SPDX-License-Identifier: Apache-2.0
#pragma once

// What the ovseal commands share: key, open and token options, signing-key loading and safe terminal text.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "ovseal/secret_bytes.hpp"
#include "ovseal/identity.hpp"
#include "ovseal/key.hpp"

namespace ovseal::cli {

/// Where a command gets its keys: --key-file (repeatable), --passphrase-file, OVSEAL_PASSPHRASE, or a prompt.
struct KeyOptions {
    std::vector<std::filesystem::path> key_files;
    std::filesystem::path passphrase_file;

    /// Adds the options to `command`. `exclusive`: key file and passphrase cannot be combined (opening);
    /// sealing may combine them, to wrap the file key for each.
    void add_to(CLI::App& command, bool exclusive);
    /// The keys to use. `confirm_prompt` asks for a prompted passphrase twice (sealing). With `optional`, no
    /// key at all is fine (other means of opening were given) and nothing is prompted.
    std::vector<Key> resolve(bool confirm_prompt, bool optional = false) const;
};

/// Everything a command that opens sealed files takes: keys, device identities, licenses and the trust list.
struct OpenOptions {
    KeyOptions keys;
    std::vector<std::filesystem::path> identities;
    std::vector<std::filesystem::path> licenses;
    std::vector<std::filesystem::path> trust;
    bool allow_unsigned = false;
    std::filesystem::path clock_state;
    std::int64_t clock_tolerance = default_clock_tolerance_seconds;
    std::string tcti;

    void add_to(CLI::App& command);
    bool any() const;
    KeyRing resolve() const;
};

/// Adds --tcti (the TPM to use for TPM-held identities).
void add_tcti_option(CLI::App& command, std::string& tcti);

/// Where a command finds a publisher key kept in a PKCS#11 token (a `pkcs11:` URI given for a key file):
/// --pkcs11-module and --pin-file, after the URI's own module-path and pin-source; then OVSEAL_PKCS11_MODULE,
/// OVSEAL_PKCS11_PIN and a no-echo prompt on the terminal.
struct TokenOptions {
    std::filesystem::path module;
    std::filesystem::path pin_file;

    void add_to(CLI::App& command);
    Pkcs11Options resolve() const;
};

/// Reads a file of public keys, one per line ('#' comments and blank lines ignored).
std::vector<DevicePublicKey> read_device_list(const std::filesystem::path& path);

/// Loads a signing key: a key file (asking for its passphrase only if it is protected) or, for a `pkcs11:` URI,
/// the key in a token.
SigningKey load_signing_key(const std::filesystem::path& key_or_uri, const std::filesystem::path& passphrase_file,
                            const TokenOptions& token);

/// Writes a publisher public key file (its text form and a newline); never overwrites (Error(io)).
void write_public_key_file(const std::filesystem::path& path, const PublisherPublicKey& key);

/// Help text of the --sign options.
constexpr const char* sign_option_help =
    "Publisher signing key: a file from `ovseal keygen --signing`, or a key "
    "in a token, 'pkcs11:token=LABEL;object=NAME'";

/// Makes text from a sealed file safe to print: control characters, invalid UTF-8 and bidirectional
/// overrides are shown as escapes, so a crafted header cannot drive the terminal.
std::string escape_for_terminal(std::string_view text);

/// Reads a passphrase from the terminal without echo; empty if there is no terminal.
SecretBytes prompt_passphrase(const char* prompt);

void add_keygen_command(CLI::App& app);
void add_seal_command(CLI::App& app);
void add_inspect_command(CLI::App& app);
void add_verify_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_device_command(CLI::App& app);
void add_license_command(CLI::App& app);
void add_rotate_commands(CLI::App& app);
void add_token_command(CLI::App& app);

/// Adds the hidden `help [--man]` command (the man page in roff) and `completion bash`, both generated from
/// `app` as it stands when they run. `environment` is the ENVIRONMENT section's text.
void add_doc_commands(CLI::App& app, std::string environment);
/// The exit codes for the end of --help, in columns, from the error codes themselves (as the man page's).
std::string exit_codes_help();

/// Shows progress on standard error when it is a terminal (or OVSEAL_PROGRESS=1; OVSEAL_PROGRESS=0 turns it off).
void install_progress_display();

}  // namespace ovseal::cli
