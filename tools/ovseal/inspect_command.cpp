// SPDX-License-Identifier: Apache-2.0
// `ovseal inspect`: showing a sealed file's public header without a key, as text or JSON, marked unverified.

#include <ctime>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "ovseal/sealed_file.hpp"

namespace ovseal::cli {
namespace {

std::string kind_name(int kind) {
    switch (kind) {
        case 1:
            return "openvino-ir-xml";
        case 2:
            return "openvino-ir-bin";
        case 3:
            return "onnx";
        default:
            return "opaque-" + std::to_string(kind);
    }
}

std::string utc_time(std::uint64_t seconds) {
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    char buffer[32] = "?";
    if (gmtime_r(&t, &tm) != nullptr) {
        std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    return buffer;
}

nlohmann::json optional_text(const std::optional<std::string>& s) {
    return s ? nlohmann::json(*s) : nlohmann::json(nullptr);
}

void print_json(const FileInfo& info) {
    nlohmann::json j;
    j["format_version"] = info.format_version;
    j["verified"] = info.verified;
    j["file_size"] = info.file_size;
    j["header_size"] = info.header_size;
    j["chunk_size"] = info.chunk_size;
    j["chunk_count"] = info.chunk_count;
    j["metadata"] = {
        {"name", optional_text(info.model_name)},
        {"version", optional_text(info.model_version)},
        {"description", optional_text(info.description)},
        {"created", info.created ? nlohmann::json(*info.created) : nlohmann::json(nullptr)},
        {"created_utc", info.created ? nlohmann::json(utc_time(*info.created)) : nlohmann::json(nullptr)},
        {"openvino_version", optional_text(info.openvino_version)},
        {"sealed_by", optional_text(info.sealed_by)},
    };
    j["entries"] = nlohmann::json::array();
    for (const auto& e : info.entries) {
        j["entries"].push_back(
            {{"name", e.name}, {"kind", e.kind}, {"kind_name", kind_name(e.kind)}, {"size", e.size}});
    }
    j["stanzas"] = nlohmann::json::array();
    for (const auto& t : info.stanza_types) {
        j["stanzas"].push_back({{"type", t}});
    }
    j["unknown_records"] = info.unknown_records;
    j["license_only"] = info.license_only;
    j["signature"] = info.signer_key_id
                         ? nlohmann::json{{"signer_key_id", *info.signer_key_id}, {"model_id", *info.model_id}}
                         : nlohmann::json(nullptr);
    // Invalid UTF-8 from a crafted header is replaced, never passed through.
    fmt::print("{}\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}

void print_text(const std::filesystem::path& path, const FileInfo& info) {
    auto show = [](const char* label, const std::optional<std::string>& v) {
        if (v) fmt::print("  {:<13} {}\n", label, escape_for_terminal(*v));
    };
    fmt::print("{}: ovseal sealed model, format version {}\n", escape_for_terminal(path.string()), info.format_version);
    fmt::print("UNVERIFIED: read without a key or signature; anyone could have written these fields.\n");
    fmt::print("Metadata:\n");
    show("name", info.model_name);
    show("version", info.model_version);
    show("description", info.description);
    if (info.created) fmt::print("  {:<13} {}\n", "created", utc_time(*info.created));
    show("openvino", info.openvino_version);
    show("sealed by", info.sealed_by);
    fmt::print("Entries (contents encrypted):\n");
    for (const auto& e : info.entries) {
        fmt::print("  {:<24} {:<16} {} bytes\n", escape_for_terminal(e.name), kind_name(e.kind), e.size);
    }
    fmt::print("Key stanzas:   ");
    for (std::size_t i = 0; i < info.stanza_types.size(); ++i) {
        fmt::print("{}[{}] {}", i ? ", " : "", i, info.stanza_types[i]);
    }
    fmt::print("\nSignature:     {}", info.signer_key_id ? "publisher key " + *info.signer_key_id + ", model id " +
                                                               *info.model_id + " (not verified here)"
                                                         : std::string("none"));
    if (info.license_only) {
        fmt::print("\nLicense only:  yes: under a trust list, only a license signed by the publisher opens it");
    }
    fmt::print("\nLayout:        {} bytes = header {} + {} chunks of {} KiB (+16-byte tags)\n", info.file_size,
               info.header_size, info.chunk_count, info.chunk_size / 1024);
}

}  // namespace

void add_inspect_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("inspect", "Show a sealed file's public header (no key needed; unverified)");
    auto path = std::make_shared<std::filesystem::path>();
    auto json = std::make_shared<bool>(false);
    cmd->add_option("file", *path, "Sealed file")->required();
    cmd->add_flag("--json", *json, "Print JSON");
    cmd->final_callback([path, json] {
        const FileInfo info = inspect(*path);
        *json ? print_json(info) : print_text(*path, info);
    });
}

}  // namespace ovseal::cli
