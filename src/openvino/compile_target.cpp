// Where a sealed model may be compiled: never with OpenVINO's own model cache (it writes the compiled model,
// decrypted weights included, to disk in plaintext), and only on a device that exists.

#include <string>
#include <vector>

#include <openvino/runtime/properties.hpp>

#include "openvino/memory_loader.hpp"
#include "ovseal/error.hpp"

namespace ovseal::openvino {
namespace {

bool cache_set(const ov::Core& core, const std::string& device) {
    try {
        return !core.get_property(device, ov::cache_dir.name()).as<std::string>().empty();
    } catch (const std::exception&) {
        return false;  // a device (or core) without the property has no cache
    }
}

// CACHE_DIR may sit at the top of the configuration or inside DEVICE_PROPERTIES, nested per device.
bool config_sets_cache(const ov::AnyMap& config) {
    for (const auto& [name, value] : config) {
        if (name == ov::cache_dir.name()) {
            if (!value.as<std::string>().empty()) return true;
        } else if (value.is<ov::AnyMap>()) {
            if (config_sets_cache(value.as<ov::AnyMap>())) return true;
        } else if (name == ov::device::properties.name()) {
            // A serialized form: refuse if it mentions a cache at all.
            if (value.as<std::string>().find(ov::cache_dir.name()) != std::string::npos) return true;
        }
    }
    return false;
}

bool is_virtual_device(const std::string& device) {
    const std::string base = device.substr(0, device.find_first_of(":."));
    return base == "AUTO" || base == "MULTI" || base == "HETERO" || base == "BATCH";
}

// A cache on the core or the target device counts; for a virtual device (AUTO, MULTI, HETERO, BATCH), which
// compiles on the real ones with their own properties, a cache on any device counts. Only then are all
// plugins loaded, so a plain CPU load stays lean.
void refuse_model_cache(ov::Core& core, const std::string& device, const ov::AnyMap& config) {
    std::vector<std::string> devices = {"", device, device.substr(0, device.find('.'))};
    if (is_virtual_device(device)) {
        devices.insert(devices.end(), {"AUTO", "MULTI", "HETERO", "BATCH"});
        for (const auto& d : core.get_available_devices()) {
            devices.push_back(d);
            devices.push_back(d.substr(0, d.find('.')));
        }
    }
    std::string where;
    if (config_sets_cache(config)) {
        where = "in the compile configuration";
    }
    for (const auto& d : devices) {
        if (where.empty() && cache_set(core, d)) {
            where = d.empty() ? "on the ov::Core" : "for device " + d;
        }
    }
    if (!where.empty()) {
        throw Error(ErrorCode::usage, "a model cache (ov::cache_dir) is set " + where +
                                          ": OpenVINO would write the decrypted weights to it in plaintext. "
                                          "Unset the cache to load sealed models");
    }
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
    refuse_model_cache(core, device, config);
    check_device(core, device);
}

}  // namespace ovseal::openvino
