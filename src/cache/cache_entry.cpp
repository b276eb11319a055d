// SPDX-License-Identifier: Apache-2.0
// Model cache entries (docs/FORMAT.md §16): the binding, the entry's key and name, and sealing and opening one.

#include "cache/cache_entry.hpp"

#include <algorithm>

#include "container/sealer.hpp"
#include "format/byte_io.hpp"
#include "format/limits.hpp"
#include "tpm/tpm_identity.hpp"
#include "memory/secret_bytes.hpp"
#include "ovseal/error.hpp"

namespace ovseal::container {
namespace {

constexpr std::size_t max_binding_text = 1024;
constexpr std::size_t max_options = format::max_record_value - 2 * (2 + max_binding_text) - 4 - 32;

std::span<const std::uint8_t> as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

void write_options(format::ByteWriter& w, const std::vector<CacheOption>& options) {
    std::vector<const CacheOption*> sorted;
    for (const auto& o : options) sorted.push_back(&o);
    std::sort(sorted.begin(), sorted.end(), [](const CacheOption* a, const CacheOption* b) {
        return std::lexicographical_compare(
            a->name.begin(), a->name.end(), b->name.begin(), b->name.end(),
            [](char x, char y) { return static_cast<unsigned char>(x) < static_cast<unsigned char>(y); });
    });
    w.u32(static_cast<std::uint32_t>(sorted.size()));
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        const CacheOption& o = *sorted[i];
        if (i > 0 && sorted[i - 1]->name == o.name) {
            throw Error(ErrorCode::usage, "the compile options name one option twice");
        }
        if (o.name.size() > 0xFFFF) {
            throw Error(ErrorCode::usage, "a compile option's name is too long for the model cache");
        }
        w.u16(static_cast<std::uint16_t>(o.name.size()));
        w.text(o.name);
        if (o.is_map) {
            w.u8(2);
            write_options(w, o.map);
        } else {
            w.u8(1);
            w.u32(static_cast<std::uint32_t>(o.text.size()));
            w.text(o.text);
        }
    }
}

}  // namespace

std::vector<std::uint8_t> canonical_options(const std::vector<CacheOption>& options) {
    format::ByteWriter w;
    write_options(w, options);
    return std::move(w.buffer());
}

crypto::Bytes32 cache_model_ref(std::span<const std::uint8_t> raw_header, std::uint32_t stanzas_length) {
    crypto::Sha256 h;
    h.update(as_bytes("ovseal-v1 cache model"));
    h.update(format::header_body(raw_header, stanzas_length));
    return h.finish();
}

std::vector<std::uint8_t> cache_binding(std::string_view openvino_version, std::string_view device,
                                        std::span<const std::uint8_t> options, const crypto::Bytes32& model_ref) {
    if (openvino_version.size() > max_binding_text || device.size() > max_binding_text ||
        options.size() > max_options) {
        throw Error(ErrorCode::usage,
                    "the OpenVINO version, device name or compile options are too long for the model cache");
    }
    format::ByteWriter w;
    w.u16(static_cast<std::uint16_t>(openvino_version.size()));
    w.text(openvino_version);
    w.u16(static_cast<std::uint16_t>(device.size()));
    w.text(device);
    w.u32(static_cast<std::uint32_t>(options.size()));
    w.bytes(options);
    w.bytes(model_ref);
    return std::move(w.buffer());
}

Key cache_entry_key(std::span<const std::uint8_t> model_file_key, std::span<const std::uint8_t> binding) {
    memory::SecretBytes key(32);
    crypto::hkdf_sha256(crypto::KeyView(model_file_key), binding, "ovseal-v1 cache key", key.secret());
    return Key::from_bytes(key.secret());
}

Key cache_entry_key(std::span<const std::uint8_t> model_file_key, std::span<const std::uint8_t> device_secret,
                    std::span<const std::uint8_t> binding) {
    memory::SecretBytes both(model_file_key.size() + device_secret.size());
    std::copy(model_file_key.begin(), model_file_key.end(), both.secret().begin());
    std::copy(device_secret.begin(), device_secret.end(), both.secret().begin() + model_file_key.size());
    memory::SecretBytes key(32);
    crypto::hkdf_sha256(crypto::KeyView(both), binding, "ovseal-v1 device cache key", key.secret());
    return Key::from_bytes(key.secret());
}

std::optional<memory::SecretBytes> cache_device_secret(const KeyRing& ring, const OpenedContainer& model) {
    if (ring.identities.empty()) return std::nullopt;
    return keys::cache_device_secret(ring.identities[model.opened_identity().value_or(0)]);
}

std::string cache_entry_name(std::span<const std::uint8_t> binding) {
    crypto::Sha256 h;
    h.update(as_bytes("ovseal-v1 cache name"));
    h.update(binding);
    const auto digest = h.finish();
    std::string name;
    for (std::size_t i = 0; i < 16; ++i) {
        name += "0123456789abcdef"[digest[i] >> 4];
        name += "0123456789abcdef"[digest[i] & 15];
    }
    return name + ".ovcache";
}

void write_cache_entry(const std::filesystem::path& path, const Key& key, std::span<const std::uint8_t> binding,
                       std::string_view openvino_version, std::span<const std::uint8_t> blob,
                       crypto::RandomSource& random) {
    SealParameters parameters;
    parameters.metadata.openvino_version = std::string(openvino_version);
    parameters.metadata.cache_binding = std::vector<std::uint8_t>(binding.begin(), binding.end());
    parameters.file_mode = 0600;  // the cache belongs to the one user that runs the model
    parameters.sync = false;      // an entry torn by a crash fails authentication and is rebuilt: no fsync
    const std::vector<PackageEntry> entries = {{"compiled-model", format::EntryKind::compiled_model, {}, blob}};
    seal_package(entries, std::span(&key, 1), parameters, path, random);
}

OpenedContainer open_cache_entry(const std::filesystem::path& path, const Key& key,
                                 std::span<const std::uint8_t> binding) {
    auto file = OpenedContainer::open(path, std::span(&key, 1));
    const auto& stored = file.body().metadata.cache_binding;
    // The key already depends on the binding; comparing the authenticated copy names the mismatch plainly.
    if (!stored || !std::equal(stored->begin(), stored->end(), binding.begin(), binding.end())) {
        throw Error(ErrorCode::header_auth_failed,
                    "the cache entry is bound to another model, OpenVINO, device or options");
    }
    const auto& entries = file.entries();
    if (entries.size() != 1 || entries[0].kind != static_cast<std::uint8_t>(format::EntryKind::compiled_model)) {
        throw Error(ErrorCode::malformed_header, "the cache entry does not hold exactly one compiled model");
    }
    return file;
}

}  // namespace ovseal::container
