#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "container/sealer.hpp"

namespace ovseal::openvino {

/// The entries a model on disk becomes: `model.xml` plus its `model.bin` if present, or one `model.onnx`.
std::vector<container::PackageEntry> find_model_files(const std::filesystem::path& model);

/// Reads the plaintext model with OpenVINO (publisher side) so a broken model is refused before sealing.
void check_model_readable(const std::filesystem::path& model);

/// The OpenVINO runtime's build number, e.g. "2026.4.1-22982-...".
std::string runtime_version();

}  // namespace ovseal::openvino
