// SPDX-License-Identifier: Apache-2.0
#pragma once

// NumPy .npy (format 1.0) for run's inputs and outputs: little-endian, C order.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <openvino/runtime/tensor.hpp>

namespace ovseal::cli {

/// Reads an .npy file into a new tensor of the matching element type. Throws Error(usage) on files it cannot
/// take (big-endian, Fortran order, unsupported dtype, inconsistent size).
ov::Tensor read_npy(const std::filesystem::path& path);

/// Writes a tensor as .npy.
void write_npy(const std::filesystem::path& path, const ov::Tensor& tensor);

}  // namespace ovseal::cli
