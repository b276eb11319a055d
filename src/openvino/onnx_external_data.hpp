// SPDX-License-Identifier: Apache-2.0
#pragma once

// Finding the external data files an ONNX model refers to, so that only single-file ONNX is loaded from memory.

#include <span>
#include <cstdint>
#include <string>
#include <vector>

namespace ovseal::openvino {

/// The `location` of every tensor an ONNX model keeps outside its .onnx file (TensorProto.data_location =
/// EXTERNAL), in the main graph and its subgraphs, without duplicates. Empty for a single-file model.
/// Throws Error(model_rejected) if `onnx` is not a well-formed protobuf ModelProto.
std::vector<std::string> onnx_external_data_files(std::span<const std::uint8_t> onnx);

}  // namespace ovseal::openvino
