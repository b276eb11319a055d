#include <fmt/core.h>

#include "cli_common.hpp"
#include "ovseal/key.hpp"

namespace ovseal::cli {

void add_keygen_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("keygen", "Create a new random 256-bit key file (mode 0600)");
    auto output = std::make_shared<std::filesystem::path>();
    cmd->add_option("-o,--output", *output, "Key file to create (never overwritten)")->required();
    cmd->final_callback([output] {
        Key::generate().save(*output);
        fmt::print("Created key file {} (mode 0600). Keep it secret and back it up: models sealed to it cannot "
                   "be opened without it.\n",
                   output->string());
    });
}

}  // namespace ovseal::cli
