// SPDX-License-Identifier: Apache-2.0
// Where a sealed model may be compiled: never with OpenVINO's own model cache (it writes the compiled model,
// decrypted weights included, to disk in plaintext), and only on a device that exists.

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <openvino/runtime/properties.hpp>

#include "openvino/disk_writes.hpp"
#include "openvino/memory_loader.hpp"
#include "ovseal/error.hpp"

namespace ovseal::openvino {
namespace {

// A value as text: strings and paths as they are, anything else as OpenVINO prints it.
std::string text_of(const ov::Any& value) {
    if (value.is<std::string>()) return value.as<std::string>();
    if (value.is<std::filesystem::path>()) return value.as<std::filesystem::path>().string();
    try {
        return value.as<std::string>();
    } catch (const std::exception&) {
        return "?";  // not printable (a callback): present, so never taken for an empty cache folder
    }
}

std::vector<ConfigEntry> config_entries(const ov::AnyMap& config) {
    std::vector<ConfigEntry> entries;
    for (const auto& [name, value] : config) {
        ConfigEntry entry;
        entry.name = name;
        if (value.is<ov::AnyMap>()) {
            entry.is_map = true;
            entry.entries = config_entries(value.as<ov::AnyMap>());
        } else {
            entry.text = text_of(value);
        }
        entries.push_back(std::move(entry));
    }
    return entries;
}

CacheQuery cache_query(ov::Core& core, const std::string& device, const ov::AnyMap& config) {
    return {device, config_entries(config), [&core] { return core.get_available_devices(); },
            [&core](const std::string& d) -> std::string {
                try {
                    return text_of(core.get_property(d, ov::cache_dir.name()));
                } catch (const std::exception&) {
                    return "";  // a device (or core) without the property has no cache
                }
            }};
}

// Only the named device's plugin is loaded; the list of every device is made only to explain a failure.
void check_device(ov::Core& core, const std::string& device) {
    if (is_virtual_device(device)) {
        return;
    }
    try {
        if (!core.get_versions(device.substr(0, device.find('.'))).empty()) {
            return;
        }
    } catch (const std::exception&) {
    }
    std::string list;
    for (const auto& d : core.get_available_devices()) {
        list += (list.empty() ? "" : ", ") + d;
    }
    throw Error(ErrorCode::usage, "device '" + device + "' is not available here (available: " + list + ")");
}

}  // namespace

void check_compile_target(ov::Core& core, const std::string& device, const ov::AnyMap& config) {
    refuse_model_cache(cache_query(core, device, config));
    refuse_model_dumps(std::getenv);
    check_device(core, device);
}

}  // namespace ovseal::openvino
