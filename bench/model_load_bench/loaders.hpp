// SPDX-License-Identifier: Apache-2.0
#pragma once

// The three ways of loading a model that the benchmark compares.

#include <cstdint>
#include <vector>

#include <openvino/runtime/compiled_model.hpp>
#include <openvino/runtime/core.hpp>

#include "common.hpp"
#include "ovseal/identity.hpp"
#include "ovseal/key.hpp"

namespace bench {

/// What a loader needs, read before any timing starts (an application has its keys at hand).
struct LoadKeys {
    ovseal::Key key;
    ovseal::KeyRing signed_ring;        ///< key + trust list holding the publisher key
    std::vector<std::uint8_t> aes_key;  ///< the guide's raw key
    static LoadKeys read(const KeyFiles& files);
};

/// (a) core.compile_model("model.xml", "CPU").
ov::CompiledModel load_plain(ov::Core& core, const ModelFiles& files);

/// (b) OpenVINO's "Using Encrypted Models" guide: read each encrypted file into a vector, decrypt it into a new
/// vector, copy into a std::string and an ov::Tensor, read_model, compile_model.
ov::CompiledModel load_guide(ov::Core& core, const ModelFiles& files, const LoadKeys& keys);

/// (c) ovseal::compile_model from the sealed file (signed variants under the trust list).
ov::CompiledModel load_sealed(ov::Core& core, const ModelFiles& files, const LoadKeys& keys, bool signed_file);

ov::CompiledModel load(ov::Core& core, Variant variant, const ModelFiles& files, const LoadKeys& keys);

}  // namespace bench
