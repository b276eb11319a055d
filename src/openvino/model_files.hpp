// SPDX-License-Identifier: Apache-2.0
#pragma once

// What a model on disk is, which of its files get sealed, and whether devices can read its format from memory.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <openvino/core/model.hpp>

#include "container/sealer.hpp"

namespace ovseal::openvino {

/// The formats OpenVINO reads from files that ovseal seals.
enum class SourceFormat { ir, onnx, onnx_external_data, paddle, tensorflow, tensorflow_saved_model, tensorflow_lite };

/// What a model on disk is and every file OpenVINO reads for it.
struct ModelSource {
    SourceFormat format;
    std::vector<std::filesystem::path> files;
};

/// Finds the model's format from its name (and, for ONNX, whether it keeps tensors in external data files).
/// Error(io) if the model or a file it needs is missing; Error(unsupported_model) for other formats.
ModelSource describe_model(const std::filesystem::path& model);

/// A short name of the format for messages ("ONNX with external data", "PaddlePaddle", ...).
const char* format_name(SourceFormat format);

/// Whether a device can read the format from memory as it is (IR and single-file ONNX).
bool loadable_from_memory(SourceFormat format);

/// The entries a model the device reads as it is becomes: `model.xml` plus its `model.bin` if present, or
/// one `model.onnx`.
std::vector<container::PackageEntry> find_model_files(const std::filesystem::path& model);

/// Reads the plaintext model with OpenVINO (publisher side) so a broken model is refused before sealing.
void check_model_readable(const std::filesystem::path& model, SourceFormat format);

/// The model as OpenVINO reads it, by the frontend of its format only (never the ovseal frontend).
std::shared_ptr<ov::Model> read_publisher_model(const std::filesystem::path& model, SourceFormat format);

/// The OpenVINO runtime's build number, e.g. "2026.4.1-22982-...".
std::string runtime_version();

}  // namespace ovseal::openvino
