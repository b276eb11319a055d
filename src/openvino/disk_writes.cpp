// SPDX-License-Identifier: Apache-2.0
// OpenVINO honours a model cache given in many places (tests/unit/test_cache_guard.cpp tries each one): on the
// core, for one device, in the compile configuration, inside DEVICE_PROPERTIES (as a map or serialized), and for
// virtual devices through the real devices they compile on. The compiled model it writes there holds the
// decrypted weights in plaintext, so a sealed model is never compiled with any of them set.

#include "openvino/disk_writes.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <string_view>

#include "ovseal/error.hpp"

namespace ovseal::openvino {
namespace {

// CACHE_PATH is the newer name; set on the core it also reads back as CACHE_DIR.
constexpr std::array<std::string_view, 2> cache_properties = {"CACHE_DIR", "CACHE_PATH"};
constexpr std::string_view priorities_property = "MULTI_DEVICE_PRIORITIES";  // ov::device::priorities
constexpr std::array<std::string_view, 4> virtual_devices = {"AUTO", "MULTI", "HETERO", "BATCH"};

bool names_cache(std::string_view name) {
    return std::find(cache_properties.begin(), cache_properties.end(), name) != cache_properties.end();
}

bool mentions_cache(std::string_view text) {
    return std::any_of(cache_properties.begin(), cache_properties.end(),
                       [&](std::string_view p) { return text.find(p) != std::string_view::npos; });
}

// OpenVINO's serialized form of a map, as DEVICE_PROPERTIES also accepts it: "{CPU:{CACHE_DIR:/var/cache}}".
bool serialized_map(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\n");
    return first != std::string_view::npos && text[first] == '{';
}

// The path to the first cache setting in `config` ("DEVICE_PROPERTIES > CPU > CACHE_DIR"), or "". Whichever
// device a nested entry is for, it is refused: a sealed model's configuration has no use for a cache.
std::string cache_setting(const std::vector<ConfigEntry>& config) {
    for (const auto& entry : config) {
        if (names_cache(entry.name) && (entry.is_map || !entry.text.empty())) {
            return entry.name;
        }
        if (entry.is_map) {
            if (const auto inner = cache_setting(entry.entries); !inner.empty()) {
                return entry.name + " > " + inner;
            }
        } else if (serialized_map(entry.text) && mentions_cache(entry.text)) {
            return entry.name + " (serialized)";
        }
    }
    return "";
}

std::string base_name(const std::string& device) {
    return device.substr(0, device.find('.'));
}

// Device names in a device string or a priority list: "AUTO:GPU.1,-NPU" -> AUTO, GPU.1, NPU;
// "BATCH:CPU(4)" -> BATCH, CPU.
std::vector<std::string> named_devices(std::string_view list) {
    std::vector<std::string> names;
    std::size_t at = 0;
    while (at <= list.size()) {
        const auto end = std::min(list.find_first_of(":,", at), list.size());
        std::string_view token = list.substr(at, end - at);
        token = token.substr(0, token.find('('));
        while (!token.empty() && (std::isspace(static_cast<unsigned char>(token.front())) || token.front() == '-')) {
            token.remove_prefix(1);
        }
        while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) {
            token.remove_suffix(1);
        }
        if (!token.empty()) names.emplace_back(token);
        at = end + 1;
    }
    return names;
}

void add_priorities(const std::vector<ConfigEntry>& config, std::vector<std::string>& names) {
    for (const auto& entry : config) {
        if (entry.is_map) {
            add_priorities(entry.entries, names);
        } else if (entry.name == priorities_property) {
            const auto listed = named_devices(entry.text);
            names.insert(names.end(), listed.begin(), listed.end());
        }
    }
}

// The core-wide value, the device and those it names; for a virtual device also the virtual plugins and every
// available device (it compiles on the real devices, with their own properties). A plain CPU compile loads no
// other plugin.
std::vector<std::string> devices_to_ask(const CacheQuery& query) {
    std::vector<std::string> names = {""};
    const auto named = named_devices(query.device);
    names.insert(names.end(), named.begin(), named.end());
    add_priorities(query.config, names);
    if (named.empty() || is_virtual_device(query.device)) {  // no device at all: treated as AUTO
        names.insert(names.end(), virtual_devices.begin(), virtual_devices.end());
        if (query.available_devices) {
            const auto available = query.available_devices();
            names.insert(names.end(), available.begin(), available.end());
        }
    }
    std::vector<std::string> unique;
    std::set<std::string> seen;
    for (const auto& name : names) {
        for (const auto& n : {name, base_name(name)}) {
            if (seen.insert(n).second) unique.push_back(n);
        }
    }
    return unique;
}

std::string refusal(const std::string& where) {
    return "OpenVINO's model cache is set " + where +
           ": OpenVINO would write the compiled model, decrypted weights included, to disk in plaintext. Unset the "
           "cache to load sealed models";
}

bool is_on(const char* value) {
    if (value == nullptr || *value == '\0') return false;
    std::string lower(value);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    return lower != "0" && lower != "false" && lower != "off";  // anything else, a pass filter too, is on
}

}  // namespace

bool is_virtual_device(const std::string& device) {
    const auto names = named_devices(device);
    return !names.empty() &&
           std::find(virtual_devices.begin(), virtual_devices.end(), base_name(names.front())) != virtual_devices.end();
}

// ovseal::model_cache_refusal (below), here beside the helpers it uses.
std::string cache_refusal(const CacheQuery& query) {
    if (const auto setting = cache_setting(query.config); !setting.empty()) {
        return refusal("in the compile configuration (" + setting + ")");
    }
    if (!query.cache_dir_of) return "";
    for (const auto& device : devices_to_ask(query)) {
        if (!query.cache_dir_of(device).empty()) {
            return refusal(device.empty() ? "on the Core (CACHE_DIR)"
                                          : "on the Core for device " + device + " (CACHE_DIR)");
        }
    }
    return "";
}

void refuse_model_cache(const CacheQuery& query) {
    if (const auto message = model_cache_refusal(query); !message.empty()) {
        throw Error(ErrorCode::usage, message);
    }
}

std::string model_dump_variable(const EnvironmentLookup& environment) {
    for (const char* name : {"OV_ENABLE_SERIALIZE_TRACING", "OV_ENABLE_VISUALIZE_TRACING"}) {
        if (is_on(environment(name))) return name;
    }
    return "";
}

void refuse_model_dumps(const EnvironmentLookup& environment) {
    if (const auto name = model_dump_variable(environment); !name.empty()) {
        throw Error(ErrorCode::usage, "the environment variable " + name +
                                          " is on: OpenVINO would write the decrypted model (its graph and "
                                          "weights) to the current folder after every transformation pass. Unset "
                                          "it to load sealed models");
    }
}

}  // namespace ovseal::openvino

namespace ovseal {

std::string model_cache_refusal(const CompileCacheQuery& query) {
    return openvino::cache_refusal(query);
}

}  // namespace ovseal
