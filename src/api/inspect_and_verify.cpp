// SPDX-License-Identifier: Apache-2.0
// What a sealed file says about itself, read without a key or authenticated chunk by chunk with one.

#include "ovseal/sealed_file.hpp"

#include <cstring>

#include "container/file_reader.hpp"
#include "container/opened_container.hpp"
#include "format/layout.hpp"
#include "format/limits.hpp"
#include "keys/public_key_text.hpp"

namespace ovseal {
namespace {

FileInfo describe(const format::Preamble& preamble, const std::vector<format::Stanza>& stanzas,
                  const format::Body& body, std::uint64_t file_size,
                  const std::optional<format::SignatureRecord>& signature) {
    FileInfo info;
    info.format_version = preamble.version;
    info.file_size = file_size;
    info.header_size = preamble.header_length;
    const auto layout = format::compute_layout(preamble.header_length, body);
    info.chunk_size = layout.chunk_size;
    info.chunk_count = layout.chunk_count;
    for (const auto& s : stanzas) {
        info.stanza_types.push_back(s.type);
    }
    for (const auto& e : body.entries) {
        info.entries.push_back({e.name, e.kind, e.size});
    }
    const auto& m = body.metadata;
    info.model_name = m.model_name;
    info.model_version = m.model_version;
    info.description = m.description;
    info.created = m.created;
    info.openvino_version = m.openvino_version;
    info.sealed_by = m.sealed_by;
    info.unknown_records.assign(m.unknown_records.begin(), m.unknown_records.end());
    info.license_only = m.license_only;
    if (signature) {
        info.signer_key_id = PublisherPublicKey::from_bytes(signature->signer).key_id();
        info.model_id = keys::hex(signature->model_id);
    }
    return info;
}

}  // namespace

FileInfo inspect(const std::filesystem::path& sealed) {
    const auto header = container::read_unverified_header(sealed);
    return describe(header.preamble, header.stanzas, header.body, header.file_size, header.signature);
}

FileInfo verify(const std::filesystem::path& sealed, const std::vector<Key>& keys) {
    return verify(sealed, KeyRing(keys));
}

FileInfo verify(const std::filesystem::path& sealed, const KeyRing& ring) {
    const auto file = container::OpenedContainer::open(sealed, ring);
    file.verify_payload();
    FileInfo info = describe(file.preamble(), file.stanzas(), file.body(), file.file_size(), file.signature());
    info.verified = true;
    info.signature_verified = file.checks_signature();
    info.opened_unsigned_by_device = file.opened_by() == container::OpenedBy::device_unsigned;
    return info;
}

std::string model_id(const std::filesystem::path& sealed) {
    // Hashing needs no key: open the structure only.
    return keys::hex(container::compute_model_id(sealed));
}

bool is_sealed_file(const std::filesystem::path& path) {
    container::FileReader file(path);
    if (file.size() < format::magic.size()) {
        return false;
    }
    std::uint8_t head[format::magic.size()];
    file.read_at(0, head);
    return std::memcmp(head, format::magic.data(), sizeof head) == 0;
}

}  // namespace ovseal
