// SPDX-License-Identifier: Apache-2.0
// The three ways of loading a model that the benchmark compares: plain IR, the guide's decryption, ovseal.

#include "loaders.hpp"

#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>

#include <openvino/runtime/tensor.hpp>

#include "crypto/crypto.hpp"
#include "ovseal/openvino.hpp"

namespace bench {
namespace {

// The guide's decrypt_file: the encrypted bytes live only inside this function.
std::vector<std::uint8_t> decrypt_file(const fs::path& path, ovseal::crypto::Aes256Gcm& gcm, std::uint8_t nonce_id) {
    std::ifstream in(path, std::ios::binary);
    std::vector<std::uint8_t> encrypted(fs::file_size(path));
    in.read(reinterpret_cast<char*>(encrypted.data()), static_cast<std::streamsize>(encrypted.size()));
    if (!in || encrypted.size() < ovseal::crypto::gcm_tag_size)
        throw std::runtime_error("cannot read " + path.string());
    const std::size_t size = encrypted.size() - ovseal::crypto::gcm_tag_size;
    std::vector<std::uint8_t> plain(size);
    std::uint8_t nonce[ovseal::crypto::gcm_nonce_size] = {};
    nonce[ovseal::crypto::gcm_nonce_size - 1] = nonce_id;
    const std::span<const std::uint8_t> all(encrypted);
    if (!gcm.open(nonce, {}, all.first(size), all.subspan(size).first<ovseal::crypto::gcm_tag_size>(), plain)) {
        throw std::runtime_error("authentication failed for " + path.string());
    }
    return plain;
}

}  // namespace

LoadKeys LoadKeys::read(const KeyFiles& files) {
    LoadKeys keys{ovseal::Key::from_key_file(files.file_key), {}, {}};
    keys.signed_ring.keys = {keys.key};
    keys.signed_ring.trusted = {ovseal::PublisherPublicKey::load(files.signer_pub)};
    std::ifstream in(files.aes_key, std::ios::binary);
    keys.aes_key.resize(32);
    in.read(reinterpret_cast<char*>(keys.aes_key.data()), 32);
    if (!in) throw std::runtime_error("cannot read " + files.aes_key.string());
    return keys;
}

ov::CompiledModel load_plain(ov::Core& core, const ModelFiles& files) {
    return core.compile_model(files.xml().string(), "CPU");
}

ov::CompiledModel load_guide(ov::Core& core, const ModelFiles& files, const LoadKeys& keys) {
    ovseal::crypto::Aes256Gcm gcm{ovseal::crypto::KeyView(keys.aes_key)};
    const std::vector<std::uint8_t> xml = decrypt_file(files.xml_enc(), gcm, nonce_for_xml);
    const std::vector<std::uint8_t> bin = decrypt_file(files.bin_enc(), gcm, nonce_for_bin);
    const std::string model_text(xml.begin(), xml.end());
    ov::Tensor weights(ov::element::u8, ov::Shape{bin.size()});
    std::memcpy(weights.data(), bin.data(), bin.size());
    const auto model = core.read_model(model_text, weights);
    return core.compile_model(model, "CPU");
}

ov::CompiledModel load_sealed(ov::Core& core, const ModelFiles& files, const LoadKeys& keys, bool signed_file) {
    if (signed_file) return ovseal::compile_model(core, files.sealed_signed(), keys.signed_ring, "CPU");
    return ovseal::compile_model(core, files.sealed(), keys.key, "CPU");
}

ov::CompiledModel load(ov::Core& core, Variant variant, const ModelFiles& files, const LoadKeys& keys) {
    switch (variant) {
        case Variant::plain:
            return load_plain(core, files);
        case Variant::guide:
            return load_guide(core, files, keys);
        case Variant::sealed:
        case Variant::sealed_thp:
            return load_sealed(core, files, keys, false);
        case Variant::sealed_signed:
        case Variant::sealed_signed_thp:
            return load_sealed(core, files, keys, true);
    }
    throw std::logic_error("unknown variant");
}

}  // namespace bench
