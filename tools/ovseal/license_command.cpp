// SPDX-License-Identifier: Apache-2.0
// `ovseal license`: issuing licenses for devices to open a signed model, and showing a license's terms.

#include <chrono>
#include <ctime>

#include <fmt/core.h>

#include "cli_common.hpp"
#include "json_output.hpp"
#include "ovseal/error.hpp"
#include "ovseal/license.hpp"
#include "ovseal/output_file.hpp"
#include "ovseal/sealed_file.hpp"

namespace ovseal::cli {
namespace {

struct IssueArgs {
    std::filesystem::path model;
    KeyOptions keys;
    std::filesystem::path sign;
    std::filesystem::path signing_passphrase_file;
    TokenOptions token;
    std::vector<std::string> devices;
    std::filesystem::path devices_file;
    std::string not_before, expires, note;
    std::filesystem::path output;
};

// Seconds since the epoch, from digits or an ISO 8601 UTC time (2027-01-31 or 2027-01-31T12:00:00Z).
std::uint64_t parse_time(const std::string& text, const char* option) {
    if (text.empty()) return 0;
    if (text.find_first_not_of("0123456789") == std::string::npos && text.size() <= 19) return std::stoull(text);
    std::tm tm{};
    const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    if (end == nullptr || (*end != '\0' && std::string(end) != "Z")) {
        tm = {};
        end = strptime(text.c_str(), "%Y-%m-%d", &tm);
        if (end == nullptr || *end != '\0') {
            throw Error(ErrorCode::usage, std::string(option) +
                                              " takes seconds since the epoch or a UTC time such "
                                              "as 2027-01-31 or 2027-01-31T12:00:00Z");
        }
    }
    return static_cast<std::uint64_t>(timegm(&tm));
}

std::string show_time(std::uint64_t seconds, const char* none) {
    if (seconds == 0) return none;
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    char buffer[32] = "?";
    if (gmtime_r(&t, &tm) != nullptr) std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

void write_new_file(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
    write_output_file(path, bytes, {.if_exists = IfExists::refuse, .sync = false, .what = "a license"});
}

void issue(const IssueArgs& args) {
    std::vector<DevicePublicKey> devices;
    for (const auto& text : args.devices) devices.push_back(DevicePublicKey::parse(text));
    if (!args.devices_file.empty()) {
        for (const auto& d : read_device_list(args.devices_file)) devices.push_back(d);
    }
    if (devices.empty()) throw Error(ErrorCode::usage, "no device: give --device KEY or --devices FILE");
    for (std::size_t i = 0; i < devices.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            if (devices[i] == devices[j]) {
                throw Error(ErrorCode::usage, "device " + devices[i].to_string() + " is listed twice");
            }
        }
    }
    const bool batch = !args.devices_file.empty() || devices.size() > 1;
    LicenseTerms terms{parse_time(args.not_before, "--not-before"), parse_time(args.expires, "--expires"), args.note};
    const SigningKey signer = load_signing_key(args.sign, args.signing_passphrase_file, args.token);
    KeyRing ring(args.keys.resolve(false));
    const auto start = std::chrono::steady_clock::now();
    const auto licenses = issue_licenses(args.model, ring, devices, terms, signer);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (batch) {
        std::filesystem::create_directories(args.output);
        for (std::size_t i = 0; i < devices.size(); ++i) {
            write_new_file(args.output / (devices[i].key_id() + ".lic"), licenses[i]);
        }
        fmt::print("Issued {} licenses into {} in {:.2f} s\n", licenses.size(), args.output.string(), seconds);
    } else {
        write_new_file(args.output, licenses[0]);
        fmt::print("Issued license {} for device {} (valid from {} until {})\n", args.output.string(),
                   devices[0].to_string(), show_time(terms.not_before, "the start"),
                   show_time(terms.expires, "forever"));
    }
    if (!inspect(args.model).license_only) {
        fmt::print(stderr,
                   "ovseal: warning: the model was not sealed with --license-only: whoever learns its file "
                   "key (a licensee can, on its own device) can add a key to a copy that then opens under a "
                   "trust list after the license ends (see docs/THREAT_MODEL.md)\n");
    }
    const auto now = static_cast<std::uint64_t>(std::time(nullptr));
    if (terms.expires != 0 && terms.expires <= now) {
        fmt::print(stderr, "ovseal: warning: the license has already expired (--expires is in the past)\n");
    }
}

}  // namespace

void add_license_command(CLI::App& app) {
    auto* cmd =
        app.add_subcommand("license", "Issue and inspect offline licenses (one device, one model, a time window)");
    cmd->require_subcommand(1);

    auto* issue_cmd = cmd->add_subcommand("issue", "Issue licenses for devices to open a signed model");
    auto args = std::make_shared<IssueArgs>();
    issue_cmd->add_option("--model", args->model, "The signed sealed model")->required();
    args->keys.add_to(*issue_cmd, /*exclusive=*/true);
    issue_cmd->add_option("--sign", args->sign, sign_option_help)->required();
    issue_cmd->add_option("--signing-passphrase-file", args->signing_passphrase_file,
                          "Passphrase of a protected signing key");
    args->token.add_to(*issue_cmd);
    issue_cmd->add_option("--device", args->devices, "Device public key (repeatable)");
    issue_cmd->add_option("--devices", args->devices_file, "File of device public keys, one per line (batch)");
    issue_cmd->add_option("--not-before", args->not_before, "Start of validity (epoch seconds or UTC date/time)");
    issue_cmd->add_option("--expires", args->expires, "End of validity, exclusive (epoch seconds or UTC date/time)");
    issue_cmd->add_option("--note", args->note, "Public note (at most 1024 bytes)");
    issue_cmd->add_option("-o,--output", args->output, "License file, or a folder for a batch")->required();
    issue_cmd->final_callback([args] { issue(*args); });

    auto* inspect_cmd = cmd->add_subcommand("inspect", "Show a license (its own signature is checked)");
    auto path = std::make_shared<std::filesystem::path>();
    inspect_cmd->add_option("file", *path, "License file")->required();
    auto json = std::make_shared<bool>(false);
    inspect_cmd->add_flag("--json", *json, "Print the license (or the error) as JSON on standard output");
    inspect_cmd->final_callback([path, json] {
        const LicenseInfo info = inspect_license(*path);
        if (*json) {
            auto time = [](std::uint64_t seconds) {
                return seconds == 0 ? nlohmann::json(nullptr) : nlohmann::json(seconds);
            };
            auto time_utc = [](std::uint64_t seconds) {
                return seconds == 0 ? nlohmann::json(nullptr) : nlohmann::json(show_time(seconds, ""));
            };
            print_json({
                {"file", path->string()},
                {"size", info.size},
                {"signature_valid", true},
                {"model_id", info.model_id},
                {"device", info.device.to_string()},
                {"not_before", time(info.not_before)},
                {"not_before_utc", time_utc(info.not_before)},
                {"expires", time(info.expires)},
                {"expires_utc", time_utc(info.expires)},
                {"signer_key_id", info.signer.key_id()},
                {"signer", info.signer.to_string()},
                {"note", info.note},
            });
            return;
        }
        fmt::print("{}: ovseal license ({} bytes), signature valid\n", escape_for_terminal(path->string()), info.size);
        fmt::print("  model id     {}\n  device       {}\n  valid from   {}\n  expires      {}\n", info.model_id,
                   info.device.to_string(), show_time(info.not_before, "(no start)"), show_time(info.expires, "never"));
        fmt::print("  signed by    key {} ({})\n", info.signer.key_id(), info.signer.to_string());
        if (!info.note.empty()) fmt::print("  note         {}\n", escape_for_terminal(info.note));
    });
}

}  // namespace ovseal::cli
