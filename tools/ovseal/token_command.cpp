// SPDX-License-Identifier: Apache-2.0
// `ovseal token`: printing the public key of a signing key kept in a PKCS#11 token.

#include <fmt/core.h>

#include "cli_common.hpp"
#include "ovseal/error.hpp"
#include "ovseal/identity.hpp"

namespace ovseal::cli {

void add_token_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("token",
                                   "Publisher keys in a PKCS#11 token (HSM); make one with "
                                   "`ovseal keygen --signing pkcs11:...`");
    cmd->require_subcommand(1);

    auto* show = cmd->add_subcommand("show", "Print the public key of a signing key in a token (what devices trust)");
    struct ShowArgs {
        std::string uri;
        std::filesystem::path output;
        TokenOptions token;
    };
    auto args = std::make_shared<ShowArgs>();
    show->add_option("uri", args->uri, "The key: 'pkcs11:token=LABEL;object=NAME'")->required();
    show->add_option("-o,--output", args->output, "Write the public key to this .pub file (never overwritten)");
    args->token.add_to(*show);
    show->final_callback([args] {
        if (!is_pkcs11_uri(args->uri)) {
            throw Error(ErrorCode::usage, "token show takes a pkcs11: URI, e.g. 'pkcs11:token=LABEL;object=NAME'");
        }
        const auto key = PublisherPublicKey::from_pkcs11(args->uri, args->token.resolve());
        if (args->output.empty()) {
            fmt::print("{}\n", key.to_string());
            return;
        }
        write_public_key_file(args->output, key);
        fmt::print("Wrote public key {} (key id {})\n", args->output.string(), key.key_id());
    });
}

}  // namespace ovseal::cli
