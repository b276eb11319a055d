// SPDX-License-Identifier: Apache-2.0
#pragma once

// The models under test, in all three forms: plaintext IR (a), whole-file AES-256-GCM (b), sealed (c).

#include <cstdint>
#include <span>

#include "common.hpp"
#include "ovseal/identity.hpp"
#include "ovseal/key.hpp"

namespace bench {

struct ModelShape {
    std::size_t width;  ///< D: every layer is MatMul([1, D] x [D, D]^T) then Relu
    std::size_t layers;
};

/// The shape whose weights come closest to `weight_bytes`: 16 MiB layers (D = 2048), or one smaller layer.
ModelShape shape_for(std::uint64_t weight_bytes);

/// Writes files.xml()/bin(): a MatMul + Relu chain with random fp32 weights from a fixed seed, saved with
/// ov::save_model(model, path, false).
void make_ir(const ModelFiles& files, const ModelShape& shape, std::uint64_t seed);

/// Writes the encrypted copies the guide's approach (b) reads.
void encrypt_for_guide(const ModelFiles& files, std::span<const std::uint8_t> aes_key);

/// Writes files.sealed() (for `key`) and files.sealed_signed() (for `key`, signed by `signer`).
void seal_for_ovseal(const ModelFiles& files, const ovseal::Key& key, const ovseal::SigningKey& signer);

}  // namespace bench
