// SPDX-License-Identifier: Apache-2.0
#pragma once

// Converting other model formats to IR in locked memory before sealing, so no plaintext copy lands on disk.

#include <filesystem>
#include <memory>
#include <span>

#include "memory/locked_streambuf.hpp"
#include "openvino/model_files.hpp"

namespace ovseal::openvino {

/// A model converted to IR, held in locked memory only (never a file, never ordinary heap memory).
struct ConvertedModel {
    memory::LockedOStream xml;
    memory::LockedOStream bin;
};

/// Reads `model` with OpenVINO (any format it reads from files) and serialises it as IR into locked memory,
/// weights kept in their precision. Reports progress as "converting" over the sizes of `source.files`.
/// Error(model_rejected) if OpenVINO cannot read it.
std::unique_ptr<ConvertedModel> convert_to_ir(const std::filesystem::path& model, const ModelSource& source);

}  // namespace ovseal::openvino
