#pragma once

// What would make OpenVINO write a decrypted model to disk: its model cache, and its pass-tracing variables.
// Decided on plain data, without OpenVINO, so that every caller asks the same question in the same words: the
// C++ API fills the query from ov::Core and ov::AnyMap (compile_target.cpp), the Python package from its
// openvino.Core and config dict (python/native/compile_bindings.cpp).

#include <functional>
#include <string>
#include <vector>

namespace ovseal::openvino {

/// One entry of a compile configuration: a value as text, or a map of entries (DEVICE_PROPERTIES, and one
/// device's properties inside it).
struct ConfigEntry {
    std::string name;
    std::string text;
    std::vector<ConfigEntry> entries;
    bool is_map = false;
};

/// A compile of a sealed model, as far as OpenVINO's model cache is concerned.
struct CacheQuery {
    std::string device;                // as given to compile_model: "CPU", "AUTO:CPU", "HETERO:GPU,CPU", ...
    std::vector<ConfigEntry> config;   // the compile configuration
    /// The core's devices; asked only for a virtual device (AUTO, MULTI, HETERO, BATCH), which may compile on
    /// any of them with their own properties.
    std::function<std::vector<std::string>()> available_devices;
    /// The core's cache folder (CACHE_DIR) for a device, "" for none; the device "" asks for the core-wide value.
    std::function<std::string(const std::string& device)> cache_dir_of;
};

/// Whether `device` is one of OpenVINO's virtual devices (AUTO, MULTI, HETERO, BATCH, with or without a list of
/// devices: "AUTO:GPU,CPU"), which compile on real devices with those devices' own properties.
bool is_virtual_device(const std::string& device);

/// Why OpenVINO would write a model cache for this compile, as the message of a refusal; "" if it would not.
std::string model_cache_refusal(const CacheQuery& query);

/// Error(usage) with model_cache_refusal's message, if it has one.
void refuse_model_cache(const CacheQuery& query);

/// Reads an environment variable (nullptr when unset), like std::getenv.
using EnvironmentLookup = std::function<const char*(const char* name)>;

/// The first of OpenVINO's pass-tracing variables that is on, or "". After every transformation pass, even while
/// a model is only read, OV_ENABLE_SERIALIZE_TRACING writes the model (weights included) to the current folder,
/// OV_ENABLE_VISUALIZE_TRACING its graph with the first values of every constant. OpenVINO reads them anew
/// for every pass manager, so the check is made at every load.
std::string model_dump_variable(const EnvironmentLookup& environment);

/// Error(usage) naming the variable, if model_dump_variable finds one in the process's environment.
void refuse_model_dumps(const EnvironmentLookup& environment);

}  // namespace ovseal::openvino
