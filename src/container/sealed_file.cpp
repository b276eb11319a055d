#include "container/sealed_file.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "container/file_keys.hpp"
#include "container/parallel.hpp"
#include "crypto/crypto.hpp"
#include "format/limits.hpp"
#include "keys/stanzas.hpp"
#include "memory/locked_region.hpp"
#include "memory/wipe.hpp"
#include "ovseal/error.hpp"

namespace ovseal::container {
namespace {


struct RawHeader {
    format::Preamble preamble;
    std::vector<std::uint8_t> bytes;  // the whole header, H bytes
    std::vector<format::Stanza> stanzas;

    std::span<const std::uint8_t> body() const {
        const std::size_t start = format::preamble_size + preamble.stanzas_length;
        return std::span(bytes).subspan(start, bytes.size() - format::header_mac_size - start);
    }
    std::span<const std::uint8_t> authenticated() const {
        return std::span(bytes).first(bytes.size() - format::header_mac_size);
    }
    std::span<const std::uint8_t> mac() const { return std::span(bytes).last(format::header_mac_size); }
};

// Steps 1 and 2: only the preamble's own bounds decide how much is read, never more than 16 MiB or the file.
RawHeader read_raw_header(const FileReader& file) {
    RawHeader h;
    std::uint8_t prefix[format::preamble_size] = {};
    const std::size_t prefix_size = static_cast<std::size_t>(std::min<std::uint64_t>(file.size(), sizeof prefix));
    file.read_at(0, std::span(prefix, prefix_size));
    h.preamble = format::parse_preamble(std::span<const std::uint8_t>(prefix, prefix_size), file.size());
    h.bytes.resize(h.preamble.header_length);
    file.read_at(0, h.bytes);
    h.stanzas = format::parse_stanzas(std::span(h.bytes).subspan(format::preamble_size, h.preamble.stanzas_length),
                                      h.preamble.stanza_count);
    keys::check_known_stanzas(h.stanzas);
    return h;
}

std::string describe_stanzas(const std::vector<format::Stanza>& stanzas) {
    std::string out;
    for (const auto& s : stanzas) {
        out += out.empty() ? "" : ", ";
        out += s.type == "scrypt" ? "passphrase" : s.type == "key" ? "key file" : s.type;
    }
    return out;
}

}  // namespace

UnverifiedHeader read_unverified_header(const std::filesystem::path& path) {
    FileReader file(path);
    RawHeader raw = read_raw_header(file);
    UnverifiedHeader out;
    out.preamble = raw.preamble;
    out.body = format::parse_body(raw.body());
    out.stanzas = std::move(raw.stanzas);
    out.file_size = file.size();
    return out;
}

SealedFile::SealedFile(FileReader file, format::Preamble preamble, std::vector<format::Stanza> stanzas,
                       format::Body body, format::Layout layout, memory::SecretBytes payload_key)
    : m_file(std::move(file)),
      m_preamble(preamble),
      m_stanzas(std::move(stanzas)),
      m_body(std::move(body)),
      m_layout(std::move(layout)),
      m_payload_key(std::move(payload_key)) {}

SealedFile SealedFile::open(const std::filesystem::path& path, std::span<const Key> keys) {
    FileReader file(path);
    RawHeader raw = read_raw_header(file);

    // Step 3: the first stanza that one of the keys opens.
    std::optional<memory::SecretBytes> file_key;
    for (const auto& stanza : raw.stanzas) {
        for (const Key& key : keys) {
            file_key = keys::unwrap_file_key(key, stanza);
            if (file_key) break;
        }
        if (file_key) break;
    }
    if (!file_key) {
        throw Error(ErrorCode::no_matching_key,
                    "no matching key: none of the file's stanzas (" + describe_stanzas(raw.stanzas) +
                        ") opens with the key file or passphrase given; check that it is the one the model "
                        "was sealed with");
    }

    // Step 4: nothing but the preamble and stanzas has been used until the MAC verifies.
    const auto mac_key = derive_header_mac_key(file_key->secret());
    const auto expected_mac = crypto::hmac_sha256(mac_key.secret(), raw.authenticated());
    if (!crypto::equal_constant_time(expected_mac, raw.mac())) {
        throw Error(ErrorCode::header_auth_failed,
                    "header authentication failed: the file's header was modified after sealing");
    }

    // Step 5.
    format::Body body = format::parse_body(raw.body());
    const auto commitment = derive_file_key_commitment(file_key->secret());
    if (!crypto::equal_constant_time(commitment.secret(), body.file_key_commitment)) {
        throw Error(ErrorCode::header_auth_failed,
                    "header authentication failed: the file key does not match the header's commitment");
    }

    // Step 6.
    format::Layout layout = format::compute_layout(raw.preamble.header_length, body);
    if (file.size() < layout.file_length) {
        throw Error(ErrorCode::truncated, "file is truncated: it has " + std::to_string(file.size()) +
                                              " bytes but its header describes " +
                                              std::to_string(layout.file_length));
    }
    if (file.size() > layout.file_length) {
        throw Error(ErrorCode::trailing_data, "the file has " + std::to_string(file.size() - layout.file_length) +
                                                  " unexpected bytes after its payload; it was modified");
    }
    if (layout.trailer_length > 0) {
        std::vector<std::uint8_t> trailer(layout.trailer_length);  // bounded by 1 MiB in parse_body
        file.read_at(layout.trailer_offset(), trailer);
        format::parse_trailer(trailer);
    }

    auto payload_key = derive_payload_key(file_key->secret(), body.payload_salt);
    return SealedFile(std::move(file), raw.preamble, std::move(raw.stanzas), std::move(body), std::move(layout),
                      std::move(payload_key));
}

void SealedFile::decrypt_chunks(std::uint64_t first, std::uint64_t count, std::uint64_t entry_size,
                                std::uint8_t* out, const std::string& entry_name, unsigned threads) const {
    const std::uint64_t chunk_size = m_layout.chunk_size;
    parallel_ranges(count, worker_count(threads), [&](std::uint64_t begin, std::uint64_t end) {
        crypto::Aes256Gcm gcm(m_payload_key.secret());
        memory::LockedRegion scratch;  // for chunks that do not fill `out` exactly (or when there is no `out`)
        std::uint8_t tag[crypto::gcm_tag_size];
        std::uint8_t nonce[crypto::gcm_nonce_size];
        for (std::uint64_t i = begin; i < end; ++i) {
            const std::uint64_t index = first + i;
            const std::uint64_t start = i * chunk_size;
            const std::uint64_t wanted = std::min(chunk_size, entry_size - start);
            const bool direct = out != nullptr && wanted == chunk_size;
            if (!direct && scratch.size() == 0) {
                scratch = memory::LockedRegion(static_cast<std::size_t>(chunk_size));
            }
            // Ciphertext is read into the place its plaintext belongs and decrypted there.
            std::uint8_t* target = direct ? out + start : scratch.data();
            const std::span<std::uint8_t> chunk(target, static_cast<std::size_t>(chunk_size));
            m_file.read_at(m_layout.chunk_offset(index), chunk, tag);
            format::chunk_nonce(index, m_layout.chunk_count, nonce);
            if (!gcm.open(nonce, {}, chunk, tag, chunk)) {
                throw Error(ErrorCode::payload_auth_failed,
                            "payload authentication failed: chunk " + std::to_string(i) + " of entry '" +
                                entry_name + "' was modified, moved, or comes from another file");
            }
            if (!direct && out != nullptr) {
                std::memcpy(out + start, scratch.data(), static_cast<std::size_t>(wanted));
            }
        }
    });
}

void SealedFile::decrypt_entry(std::size_t index, std::span<std::uint8_t> out, unsigned threads) const {
    const format::Entry& entry = m_body.entries.at(index);
    if (out.size() != entry.size) {
        throw Error(ErrorCode::internal, "decrypt_entry: the output buffer does not match the entry size");
    }
    const format::EntrySpan& span = m_layout.entries[index];
    try {
        decrypt_chunks(span.first_chunk, span.chunk_count, entry.size, out.data(), entry.name, threads);
    } catch (...) {
        memory::wipe(out.data(), out.size());  // no partial plaintext survives a failure
        throw;
    }
}

void SealedFile::verify_payload(unsigned threads) const {
    for (std::size_t i = 0; i < m_body.entries.size(); ++i) {
        const auto& span = m_layout.entries[i];
        decrypt_chunks(span.first_chunk, span.chunk_count, m_body.entries[i].size, nullptr, m_body.entries[i].name,
                       threads);
    }
}

}  // namespace ovseal::container
