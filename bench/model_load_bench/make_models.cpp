// SPDX-License-Identifier: Apache-2.0
// Generating the benchmark's models from a fixed seed and writing them plain, whole-file encrypted and sealed.

#include "make_models.hpp"

#include <cmath>
#include <fstream>
#include <stdexcept>
#include <vector>

#include <openvino/core/graph_util.hpp>
#include <openvino/core/model.hpp>
#include <openvino/opsets/opset13.hpp>

#include "crypto/crypto.hpp"
#include "ovseal/seal.hpp"

namespace bench {
namespace {

// splitmix64: fast, seeded, and the same on every machine.
struct Random {
    std::uint64_t state;
    std::uint64_t next() {
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    float uniform(float limit) {  // in [-limit, limit)
        return limit * (static_cast<float>(next() >> 40) * (2.0f / 16777216.0f) - 1.0f);
    }
};

std::vector<std::uint8_t> read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<std::uint8_t> bytes(fs::file_size(path));
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!in) throw std::runtime_error("cannot read " + path.string());
    return bytes;
}

void encrypt_file(const fs::path& in, const fs::path& out, ovseal::crypto::Aes256Gcm& gcm, std::uint8_t nonce_id) {
    std::vector<std::uint8_t> bytes = read_file(in);
    if (bytes.size() >= (std::size_t{1} << 31)) {
        throw std::runtime_error("the guide's whole-file encryption needs files below 2 GiB (OpenSSL int lengths)");
    }
    std::uint8_t nonce[ovseal::crypto::gcm_nonce_size] = {};
    nonce[ovseal::crypto::gcm_nonce_size - 1] = nonce_id;
    std::uint8_t tag[ovseal::crypto::gcm_tag_size];
    gcm.seal(nonce, {}, bytes, bytes, tag);
    std::ofstream o(out, std::ios::binary);
    o.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    o.write(reinterpret_cast<const char*>(tag), sizeof tag);
    if (!o) throw std::runtime_error("cannot write " + out.string());
}

}  // namespace

ModelShape shape_for(std::uint64_t weight_bytes) {
    constexpr std::size_t width = 2048;
    constexpr std::uint64_t layer_bytes = std::uint64_t{width} * width * sizeof(float);  // 16 MiB
    if (weight_bytes >= layer_bytes) {
        return {width, static_cast<std::size_t>((weight_bytes + layer_bytes / 2) / layer_bytes)};
    }
    const auto side = static_cast<std::size_t>(std::sqrt(static_cast<double>(weight_bytes) / sizeof(float)));
    return {std::max<std::size_t>(64, side / 64 * 64), 1};
}

void make_ir(const ModelFiles& files, const ModelShape& shape, std::uint64_t seed) {
    namespace op = ov::opset13;
    Random random{seed};
    const std::size_t d = shape.width;
    // He-style scale keeps activations of the ReLU chain near unit size (no overflow, no denormals).
    const float limit = std::sqrt(6.0f / static_cast<float>(d));
    auto input = std::make_shared<op::Parameter>(ov::element::f32, ov::Shape{1, d});
    input->set_friendly_name("input");
    ov::Output<ov::Node> x = input;
    for (std::size_t layer = 0; layer < shape.layers; ++layer) {
        ov::Tensor weights(ov::element::f32, ov::Shape{d, d});  // [out, in], as exported linear layers are
        float* w = weights.data<float>();
        for (std::size_t i = 0; i < d * d; ++i) w[i] = random.uniform(limit);
        auto constant = std::make_shared<op::Constant>(weights);
        x = std::make_shared<op::Relu>(std::make_shared<op::MatMul>(x, constant, false, true));
    }
    auto result = std::make_shared<op::Result>(x);
    auto model = std::make_shared<ov::Model>(ov::ResultVector{result}, ov::ParameterVector{input}, "matmul_chain");
    fs::create_directories(files.dir);
    ov::save_model(model, files.xml(), false);
}

void encrypt_for_guide(const ModelFiles& files, std::span<const std::uint8_t> aes_key) {
    ovseal::crypto::Aes256Gcm gcm{ovseal::crypto::KeyView(aes_key)};
    encrypt_file(files.xml(), files.xml_enc(), gcm, nonce_for_xml);
    encrypt_file(files.bin(), files.bin_enc(), gcm, nonce_for_bin);
}

void seal_for_ovseal(const ModelFiles& files, const ovseal::Key& key, const ovseal::SigningKey& signer) {
    ovseal::SealOptions options;
    options.check_model = false;
    ovseal::seal_model(files.xml(), files.sealed(), {key}, options);
    options.sign = signer;
    ovseal::seal_model(files.xml(), files.sealed_signed(), {key}, options);
}

}  // namespace bench
