// SPDX-License-Identifier: Apache-2.0
// Lets the Python package ask the C++ API whether a compile would make OpenVINO write a model cache.

#include <pybind11/functional.h>

#include "binding.hpp"
#include "ovseal/model_cache_check.hpp"

namespace ovseal::python {
namespace {

// The package hands the config over as a dict of str and nested dicts (python/ovseal/_loading.py).
std::vector<CompileConfigEntry> config_entries(const py::dict& config) {
    std::vector<CompileConfigEntry> entries;
    for (const auto& [name, value] : config) {
        CompileConfigEntry entry;
        entry.name = py::str(name).cast<std::string>();
        if (py::isinstance<py::dict>(value)) {
            entry.is_map = true;
            entry.entries = config_entries(value.cast<py::dict>());
        } else {
            entry.text = py::str(value).cast<std::string>();
        }
        entries.push_back(std::move(entry));
    }
    return entries;
}

}  // namespace

void bind_compile_target(py::module_& m) {
    // The C++ API's own decision (ovseal/model_cache_check.hpp), fed with what the package reads from its
    // openvino.Core: this module cannot share OpenVINO's Python types, so it calls back for each value.
    m.def(
        "model_cache_refusal",
        [](const std::string& device, const py::dict& config,
           const std::function<std::vector<std::string>()>& available_devices,
           const std::function<std::string(const std::string&)>& cache_dir_of) {
            return model_cache_refusal(
                CompileCacheQuery{device, config_entries(config), available_devices, cache_dir_of});
        },
        py::arg("device"), py::arg("config"), py::arg("available_devices"), py::arg("cache_dir_of"),
        "Why compiling on `device` with `config` would make OpenVINO write a model cache (the refusal's message), "
        "or '' if it would not. `cache_dir_of(device)` is the Core's CACHE_DIR for a device ('' for the "
        "core-wide value); `available_devices()` is asked only for virtual devices.");
}

}  // namespace ovseal::python
