#pragma once

// What the compiled-model cache shares with the plain loader.

#include <memory>
#include <string>

#include <openvino/runtime/core.hpp>

#include "container/sealed_file.hpp"

namespace ovseal::openvino {

/// Decrypts the model of an opened sealed file into protected memory and reads it into OpenVINO.
std::shared_ptr<ov::Model> read_opened_model(ov::Core& core, const container::SealedFile& file);

/// Refuses OpenVINO's own model cache (it would write decrypted weights to disk) and an unknown device.
void check_compile_target(ov::Core& core, const std::string& device, const ov::AnyMap& config);

/// ov::Core::compile_model, with OpenVINO's message (which may quote the model) replaced by ovseal's.
ov::CompiledModel compile_read_model(ov::Core& core, const std::shared_ptr<ov::Model>& model,
                                     const std::string& device, const ov::AnyMap& config);

}  // namespace ovseal::openvino
