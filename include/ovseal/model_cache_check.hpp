// SPDX-License-Identifier: Apache-2.0
#pragma once

// Would OpenVINO write its own model cache (the decrypted model, compiled, on disk) for a compile? The C++ API
// refuses such a compile (ovseal::compile_model); bindings that hold their own OpenVINO objects (the Python package,
// whose openvino.Core this library cannot see) ask the same question here, in the same words, on plain data.

#include <functional>
#include <string>
#include <vector>

namespace ovseal {

/// One entry of a compile configuration: a value as text, or a map of entries (DEVICE_PROPERTIES, and one
/// device's properties inside it).
struct CompileConfigEntry {
    std::string name;
    std::string text;
    std::vector<CompileConfigEntry> entries;
    bool is_map = false;
};

/// A compile of a sealed model, as far as OpenVINO's model cache is concerned.
struct CompileCacheQuery {
    std::string device;                      // as given to compile_model: "CPU", "AUTO:CPU", "HETERO:GPU,CPU", ...
    std::vector<CompileConfigEntry> config;  // the compile configuration
    /// The core's devices; asked only for a virtual device (AUTO, MULTI, HETERO, BATCH), which may compile on
    /// any of them with their own properties.
    std::function<std::vector<std::string>()> available_devices;
    /// The core's cache folder (CACHE_DIR) for a device, "" for none; the device "" asks for the core-wide value.
    std::function<std::string(const std::string& device)> cache_dir_of;
};

/// Why OpenVINO would write a model cache for this compile, as the message of a refusal; "" if it would not.
std::string model_cache_refusal(const CompileCacheQuery& query);

}  // namespace ovseal
