// SPDX-License-Identifier: Apache-2.0
#pragma once

// What would make OpenVINO write a decrypted model to disk: its model cache, and its pass-tracing variables.
// Decided on plain data, without OpenVINO, so that every caller asks the same question in the same words: the
// C++ API fills the query from ov::Core and ov::AnyMap (compile_target.cpp), the Python package from its
// openvino.Core and config dict (python/native/compile_bindings.cpp, through ovseal/model_cache_check.hpp).

#include <functional>
#include <string>
#include <vector>

#include "ovseal/model_cache_check.hpp"

namespace ovseal::openvino {

/// The query's types are public (ovseal/model_cache_check.hpp), for the Python package.
using ConfigEntry = CompileConfigEntry;
using CacheQuery = CompileCacheQuery;

/// Whether `device` is one of OpenVINO's virtual devices (AUTO, MULTI, HETERO, BATCH, with or without a list of
/// devices: "AUTO:GPU,CPU"), which compile on real devices with those devices' own properties.
bool is_virtual_device(const std::string& device);

/// Why OpenVINO would write a model cache for this compile, as the message of a refusal; "" if it would not
/// (public, for the Python package: ovseal/model_cache_check.hpp).
using ovseal::model_cache_refusal;

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
