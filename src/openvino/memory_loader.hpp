// SPDX-License-Identifier: Apache-2.0
#pragma once

// What the compiled-model cache shares with the plain loader.

#include <filesystem>
#include <memory>
#include <string>

#include <openvino/runtime/core.hpp>

#include "container/opened_container.hpp"
#include "openvino/frontend_reader.hpp"

namespace ovseal::openvino {

/// Decrypts the model of an opened sealed file into protected memory and reads it into OpenVINO (with
/// `extensions`, e.g. those an ov::Core hands the ovseal frontend, for custom operations).
std::shared_ptr<ov::Model> read_opened_model(const container::OpenedContainer& file, const Extensions& extensions = {});

/// Opens a sealed file under `ring` and reads its model, with the process hardened from before the first byte of
/// plaintext exists (ovseal::read_model, and the frontend with the extensions its Core gave it).
std::shared_ptr<ov::Model> read_sealed_model(const std::filesystem::path& sealed, const KeyRing& ring,
                                             const Extensions& extensions);

/// Refuses OpenVINO's own model cache (it would write decrypted weights to disk) and an unknown device.
void check_compile_target(ov::Core& core, const std::string& device, const ov::AnyMap& config);

/// ov::Core::compile_model, with OpenVINO's message (which may quote the model) replaced by ovseal's.
ov::CompiledModel compile_read_model(ov::Core& core, const std::shared_ptr<ov::Model>& model, const std::string& device,
                                     const ov::AnyMap& config);

}  // namespace ovseal::openvino
