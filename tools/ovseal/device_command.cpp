#include <fmt/core.h>

#include "cli_common.hpp"
#include "ovseal/identity.hpp"

namespace ovseal::cli {

void add_device_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("device", "Manage this device's identity (an X25519 key pair)");
    cmd->require_subcommand(1);

    auto* init = cmd->add_subcommand("init", "Create a device identity in a folder (private key mode 0600)");
    auto init_dir = std::make_shared<std::filesystem::path>();
    init->add_option("-o,--output", *init_dir, "Folder for the identity")->required();
    init->final_callback([init_dir] {
        const auto identity = DeviceIdentity::create(*init_dir);
        fmt::print("Created device identity in {}\nPublic key (give it to the publisher):\n{}\n",
                   init_dir->string(), identity.public_key().to_string());
    });

    auto* show = cmd->add_subcommand("show", "Print a device identity's public key");
    auto show_dir = std::make_shared<std::filesystem::path>();
    show->add_option("dir", *show_dir, "Identity folder")->required();
    show->final_callback([show_dir] { fmt::print("{}\n", DeviceIdentity::load(*show_dir).public_key().to_string()); });
}

}  // namespace ovseal::cli
