// SPDX-License-Identifier: Apache-2.0
// ovseal: seal OpenVINO models and load them sealed. Exit codes are ovseal::ErrorCode values (FORMAT.md §10).

#include <algorithm>
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "cli_common.hpp"
#include "json_output.hpp"
#include "ovseal/environment.hpp"
#include "ovseal/error.hpp"
#include "ovseal/progress.hpp"
#include "ovseal/version.hpp"

namespace {

constexpr const char* environment_help =
    R"(OVSEAL_PASSPHRASE (passphrase when no key option is given), OVSEAL_THREADS (threads for
sealing and unsealing; default: every core), OVSEAL_HUGEPAGES=1 (transparent huge pages for large buffers),
OVSEAL_PROGRESS=0|1 (progress on standard error; default: on a terminal, for payloads of 16 MiB or more),
OVSEAL_PKCS11_MODULE and OVSEAL_PKCS11_PIN (keys in a PKCS#11 token, named by pkcs11: URIs), OVSEAL_MLOCKALL=1
(lock all process memory while a model is held), TPM2TOOLS_TCTI or TSS2_TCTI (the TPM for TPM-held identities).)";

// Whether the command asked for --json, so that an error is reported as JSON too. A parse error may come
// before CLI11 counted the flag: then the arguments are looked at.
bool json_requested(const CLI::App& app, int argc, char** argv, bool parsed) {
    if (!parsed) {
        for (int i = 1; i < argc && std::string_view(argv[i]) != "--"; ++i) {
            if (std::string_view(argv[i]) == "--json") return true;
        }
        return false;
    }
    for (const CLI::App* command = &app; command != nullptr;) {
        const CLI::Option* json = command->get_option_no_throw("--json");
        if (json != nullptr && json->count() > 0) return true;
        const auto chosen = command->get_subcommands();
        command = chosen.empty() ? nullptr : chosen.front();
    }
    return false;
}

void report(const CLI::App& app, int argc, char** argv, bool parsed, ovseal::ErrorCode code, std::string_view message) {
    fmt::print(stderr, "ovseal: error: {}\n", message);
    if (json_requested(app, argc, argv, parsed)) ovseal::cli::print_json_error(code, message);
}

}  // namespace

int main(int argc, char** argv) {
    // The library reads no environment variable and prints nothing: the tool does both (--threads overrides
    // OVSEAL_THREADS, being parsed later).
    ovseal::apply_environment();
    ovseal::print_notices_on_standard_error();
    CLI::App app{
        "ovseal: seal OpenVINO models (authenticated encryption) and load them sealed, decrypting only "
        "into protected memory."};
    app.name("ovseal");
    app.footer(ovseal::cli::exit_codes_help() + "Environment: " + environment_help);
    app.set_version_flag("--version", std::string("ovseal ") + ovseal::version());
    app.require_subcommand(1);
    app.fallthrough();  // --threads may come after the command, too
    unsigned threads = 0;
    app.add_option("--threads", threads, "Threads for sealing and unsealing (default: every core)")
        ->check(CLI::Range(1u, 1024u))
        ->each([](const std::string& value) { ovseal::set_thread_count(static_cast<unsigned>(std::stoul(value))); });
    ovseal::cli::add_keygen_command(app);
    ovseal::cli::add_seal_command(app);
    ovseal::cli::add_inspect_command(app);
    ovseal::cli::add_verify_command(app);
    ovseal::cli::add_run_command(app);
    ovseal::cli::add_device_command(app);
    ovseal::cli::add_license_command(app);
    ovseal::cli::add_rotate_commands(app);
    ovseal::cli::add_token_command(app);
    ovseal::cli::add_doc_commands(app, environment_help);

    // Name an unknown command instead of CLI11's generic "a subcommand is required".
    const auto commands = app.get_subcommands([](const CLI::App*) { return true; });
    const bool known = argc > 1 && std::any_of(commands.begin(), commands.end(),
                                               [&](const CLI::App* c) { return c->get_name() == argv[1]; });
    if (argc > 1 && argv[1][0] != '-' && !known) {
        report(app, argc, argv, false, ovseal::ErrorCode::usage, fmt::format("unknown command '{}'", argv[1]));
        fmt::print(stderr, "Run 'ovseal --help' for usage.\n");
        return ovseal::exit_code(ovseal::ErrorCode::usage);
    }
    ovseal::cli::install_progress_display();
    try {
        app.parse(argc, argv);
        return 0;
    } catch (const CLI::Success& e) {
        return app.exit(e);  // --help, --version
    } catch (const CLI::ParseError& e) {
        report(app, argc, argv, false, ovseal::ErrorCode::usage, e.what());
        fmt::print(stderr, "Run 'ovseal --help' or 'ovseal COMMAND --help' for usage.\n");
        return ovseal::exit_code(ovseal::ErrorCode::usage);
    } catch (const ovseal::Error& e) {
        report(app, argc, argv, true, e.code(), e.what());
        if (e.code() == ovseal::ErrorCode::usage) {
            fmt::print(stderr, "Run 'ovseal --help' or 'ovseal COMMAND --help' for usage.\n");
        }
        return ovseal::exit_code(e.code());
    } catch (const std::exception& e) {
        report(app, argc, argv, true, ovseal::ErrorCode::internal, std::string("unexpected failure: ") + e.what());
        return ovseal::exit_code(ovseal::ErrorCode::internal);
    }
}
