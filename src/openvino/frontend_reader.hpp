// SPDX-License-Identifier: Apache-2.0
#pragma once

// Decrypted models reach OpenVINO only through its own frontends, from in-memory files that ovseal names by
// path: OpenVINO never works out a path for itself (from a model string it looks for ".bin" in the working
// directory and, if one is there, takes the weights from it), and never reads anything else.

#include <memory>
#include <vector>

#include <openvino/core/extension.hpp>
#include <openvino/core/model.hpp>

#include "memory/locked_region.hpp"

namespace ovseal::openvino {

using Extensions = std::vector<std::shared_ptr<ov::Extension>>;

/// An IR model: its XML and its weights in memory::LockedRegion::in_memory_file()s. Every constant of the model
/// ends up pointing into `weights` and keeping it alive (its memory is wiped when the last one goes); a model with
/// a constant whose bytes come from anywhere else is refused (Error(model_rejected)). OpenVINO's own failures
/// propagate as its exceptions (they may quote the model: the caller must not pass their text on).
std::shared_ptr<ov::Model> read_ir(const memory::LockedRegion& xml, std::shared_ptr<memory::LockedRegion> weights,
                                   const Extensions& extensions);

/// A single-file ONNX model in an in_memory_file (OpenVINO copies its initializers into memory of its own).
std::shared_ptr<ov::Model> read_onnx(const memory::LockedRegion& onnx, const Extensions& extensions);

}  // namespace ovseal::openvino
