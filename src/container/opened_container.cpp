// SPDX-License-Identifier: Apache-2.0
// Opening a sealed file step by step (docs/FORMAT.md §9): policy, keys, header MAC, then chunks and signature.

#include "container/opened_container.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "policy/trust_list.hpp"
#include "container/file_key_search.hpp"
#include "container/file_keys.hpp"
#include "container/license_opening.hpp"
#include "parallel/parallel.hpp"
#include "progress/progress.hpp"
#include "container/signature.hpp"
#include "format/limits.hpp"
#include "keys/device_agreement.hpp"
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

    std::span<const std::uint8_t> body() const { return format::header_body(bytes, preamble.stanzas_length); }
    std::span<const std::uint8_t> authenticated() const { return format::mac_covered_part(bytes); }
    std::span<const std::uint8_t> mac() const { return format::stored_header_mac(bytes); }
};

// Steps 1 and 2: only the preamble's own bounds decide how much is read, never more than 16 MiB or the file.
// Every byte is read once: the preamble parsed here is the one the header MAC later covers.
RawHeader read_raw_header(const FileReader& file) {
    RawHeader h;
    std::uint8_t prefix[format::preamble_size] = {};
    const std::size_t prefix_size = static_cast<std::size_t>(std::min<std::uint64_t>(file.size(), sizeof prefix));
    file.read_at(0, std::span(prefix, prefix_size));
    h.preamble = format::parse_preamble(std::span<const std::uint8_t>(prefix, prefix_size), file.size());
    h.bytes.resize(h.preamble.header_length);
    std::memcpy(h.bytes.data(), prefix, format::preamble_size);
    file.read_at(format::preamble_size, std::span(h.bytes).subspan(format::preamble_size));
    h.stanzas = format::parse_stanzas(std::span(h.bytes).subspan(format::preamble_size, h.preamble.stanzas_length),
                                      h.preamble.stanza_count);
    keys::check_known_stanzas(h.stanzas);
    return h;
}

// Step 6: the exact length, then the trailer's bytes (read once; every later step uses this copy).
std::vector<std::uint8_t> check_length_and_read_trailer(const FileReader& file, const format::Layout& layout) {
    if (file.size() < layout.file_length) {
        throw Error(ErrorCode::truncated, "file is truncated: it has " + std::to_string(file.size()) +
                                              " bytes but its header describes " + std::to_string(layout.file_length));
    }
    if (file.size() > layout.file_length) {
        throw Error(ErrorCode::trailing_data, "the file has " + std::to_string(file.size() - layout.file_length) +
                                                  " unexpected bytes after its payload; it was modified");
    }
    std::vector<std::uint8_t> trailer(layout.trailer_length);  // bounded by 1 MiB in parse_body
    file.read_at(layout.trailer_offset(), trailer);
    return trailer;
}

// Every stored chunk's digest, read without decrypting (for the model id).
PayloadDigest hash_stored_chunks(const FileReader& file, const format::Layout& layout, unsigned threads) {
    PayloadDigest digest(layout.chunk_count);
    parallel_batches(layout.chunk_count, worker_count(threads), [&](BatchCursor& cursor) {
        std::vector<std::uint8_t> stored(static_cast<std::size_t>(layout.stored_chunk_size()));
        const auto ciphertext = std::span(stored).first(static_cast<std::size_t>(layout.chunk_size));
        const auto tag = std::span(stored).subspan(static_cast<std::size_t>(layout.chunk_size));
        std::uint64_t begin = 0;
        std::uint64_t end = 0;
        while (cursor.next(begin, end)) {
            for (std::uint64_t i = begin; i < end; ++i) {
                file.read_at(layout.chunk_offset(i), stored);
                digest.add(i, ciphertext, tag);
            }
        }
    });
    return digest;
}

// The signed message (§12.1): the body exactly as stored, so records a reader does not know are signed too.
std::vector<std::uint8_t> signed_message_of(std::span<const std::uint8_t> header, const format::Preamble& preamble,
                                            std::uint64_t chunk_count, const PayloadDigest& digest) {
    return signed_message(preamble.version, format::header_body(header, preamble.stanzas_length), chunk_count,
                          digest.finish());
}

}  // namespace

crypto::Bytes32 compute_model_id(const std::filesystem::path& path, unsigned threads) {
    FileReader file(path);
    const RawHeader raw = read_raw_header(file);
    const auto layout = format::compute_layout(raw.preamble.header_length, format::parse_body(raw.body()));
    format::parse_trailer(check_length_and_read_trailer(file, layout));
    const auto digest = hash_stored_chunks(file, layout, threads);
    return model_id(signed_message_of(raw.bytes, raw.preamble, layout.chunk_count, digest));
}

UnverifiedHeader read_unverified_header(const std::filesystem::path& path) {
    FileReader file(path);
    RawHeader raw = read_raw_header(file);
    UnverifiedHeader out;
    out.preamble = raw.preamble;
    out.body = format::parse_body(raw.body());
    out.file_size = file.size();
    const auto layout = format::compute_layout(raw.preamble.header_length, out.body);
    if (layout.trailer_length > 0 && file.size() == layout.file_length) {
        std::vector<std::uint8_t> trailer(layout.trailer_length);
        file.read_at(layout.trailer_offset(), trailer);
        out.signature = format::parse_trailer(trailer).signature;
    }
    out.stanzas = std::move(raw.stanzas);
    return out;
}

OpenedContainer::OpenedContainer(FileReader file, std::vector<std::uint8_t> header)
    : m_file(std::move(file)), m_header(std::move(header)) {}

OpenedContainer OpenedContainer::open(const std::filesystem::path& path, std::span<const Key> keys) {
    KeyRing ring;
    ring.keys.assign(keys.begin(), keys.end());
    return open(path, ring);
}

OpenedContainer OpenedContainer::open(const std::filesystem::path& path, const KeyRing& ring, OpenPurpose purpose) {
    policy::check_ring_policy(ring);
    FileReader file(path);
    RawHeader raw = read_raw_header(file);

    // Steps 2a and 2b: trust and licenses, before any key is used. The trailer is read here, once (FORMAT §9).
    std::optional<policy::TrustedSignature> trusted;
    if (!ring.trusted.empty()) {
        const auto layout = format::compute_layout(raw.preamble.header_length, format::parse_body(raw.body()));
        trusted = policy::require_trusted_signature(check_length_and_read_trailer(file, layout), ring.trusted);
    }
    std::optional<memory::SecretBytes> file_key;
    std::optional<Error> license_error;
    std::optional<PublicKeyBytes> license_signer;
    OpenedBy opened_by = OpenedBy::key;
    std::optional<std::size_t> opened_identity;
    std::vector<keys::DeviceStanzaChoice> choices;
    // Every agreement of one identity in this open goes through one DeviceAgreement: a TPM-held key is loaded
    // once for the clock guard, the licenses and the stanzas.
    keys::DeviceAgreements devices(ring.identities);
    if (!ring.licenses.empty()) {  // a trust list too (check_ring_policy)
        auto licensed = open_with_licenses(ring, trusted->record, devices);
        license_error = std::move(licensed.error);
        if (licensed.opened) {
            file_key = std::move(licensed.opened->file_key);
            license_signer = licensed.opened->signer;
            opened_identity = licensed.opened->identity;
            opened_by = OpenedBy::license;
        }
    }

    // Step 3: the first stanza that a key or device identity opens (file_key_search.hpp).
    if (!file_key) {
        auto found = search_file_key(raw.stanzas, ring, devices);
        file_key = std::move(found.file_key);
        if (found.device) {
            opened_by = trusted ? OpenedBy::device : OpenedBy::device_unsigned;
            opened_identity = found.device;
        }
        choices = std::move(found.choices);
    }
    devices.release();  // flushes every TPM object before anything else is done
    if (!file_key) {
        if (license_error) throw *license_error;
        throw Error(ErrorCode::no_matching_key, no_matching_key_message(raw.stanzas, ring, choices));
    }

    // Step 4: nothing but the preamble and stanzas has been trusted until the MAC verifies.
    const auto expected_mac = header_mac(file_key->secret(), raw.authenticated());
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
    if (trusted && body.metadata.license_only && purpose == OpenPurpose::use) {
        policy::check_license_only(*trusted, license_signer, license_error);
    }

    // Step 6. Under a trust list the trailer was read at step 2a, from the same header bytes' layout: that copy
    // is the one used, never a second read of a file someone may be rewriting.
    format::Layout layout = format::compute_layout(raw.preamble.header_length, body);
    const std::vector<std::uint8_t> trailer_bytes =
        trusted ? std::move(trusted->trailer) : check_length_and_read_trailer(file, layout);
    const format::Trailer trailer = format::parse_trailer(trailer_bytes);

    OpenedContainer opened(std::move(file), std::move(raw.bytes));
    opened.m_preamble = raw.preamble;
    opened.m_stanzas = std::move(raw.stanzas);
    opened.m_payload_key = derive_payload_key(file_key->secret(), body.payload_salt);
    opened.m_body = std::move(body);
    opened.m_layout = std::move(layout);
    opened.m_trailer = trailer_bytes;
    opened.m_signature = trailer.signature;
    if (trusted) opened.m_trusted_signer = trusted->signer;
    opened.m_opened_by = opened_by;
    opened.m_opened_identity = opened_identity;
    opened.m_file_key = std::move(*file_key);
    return opened;
}

void OpenedContainer::process_chunks(std::size_t entry, std::uint8_t* out, bool decrypt, PayloadDigest* digest,
                                     Progress* progress, unsigned threads) const {
    const std::uint64_t chunk_size = m_layout.chunk_size;
    const std::uint64_t first = m_layout.entries[entry].first_chunk;
    const std::uint64_t entry_size = m_body.entries[entry].size;
    const std::string& entry_name = m_body.entries[entry].name;
    parallel_batches(m_layout.entries[entry].chunk_count, worker_count(threads), [&](BatchCursor& cursor) {
        crypto::Aes256Gcm gcm{crypto::KeyView(m_payload_key)};
        memory::LockedRegion scratch;  // for chunks that do not fill `out` exactly (or when there is no `out`)
        std::uint8_t tag[crypto::gcm_tag_size];
        std::uint8_t nonce[crypto::gcm_nonce_size];
        std::uint64_t begin = 0;
        std::uint64_t end = 0;
        while (cursor.next(begin, end)) {
            for (std::uint64_t i = begin; i < end; ++i) {
                const std::uint64_t index = first + i;
                const std::uint64_t start = i * chunk_size;
                const std::uint64_t wanted = std::min(chunk_size, entry_size - start);
                const bool direct = out != nullptr && wanted == chunk_size;
                if (!direct && scratch.size() == 0) {
                    scratch = memory::LockedRegion(static_cast<std::size_t>(chunk_size));
                }
                // Ciphertext is read into the place its plaintext belongs, hashed if the signature needs it, and
                // decrypted there.
                std::uint8_t* target = direct ? out + start : scratch.data();
                const std::span<std::uint8_t> chunk(target, static_cast<std::size_t>(chunk_size));
                m_file.read_at(m_layout.chunk_offset(index), chunk, tag);
                if (digest != nullptr) {
                    digest->add(index, chunk, tag);
                }
                if (progress != nullptr) {
                    progress->add(chunk_size);
                }
                if (!decrypt) {
                    continue;
                }
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
        }
    });
}

void OpenedContainer::decrypt_entries(std::span<const EntryOutput> outputs, bool authenticate_all,
                                      unsigned threads) const {
    for (const auto& o : outputs) {
        if (o.index >= m_body.entries.size() || o.out.size() != m_body.entries[o.index].size) {
            throw Error(ErrorCode::internal, "decrypt_entries: an output does not match its entry");
        }
    }
    try {
        std::optional<PayloadDigest> digest;
        if (m_trusted_signer) digest.emplace(m_layout.chunk_count);
        std::uint64_t total = 0;
        for (std::size_t e = 0; e < m_body.entries.size(); ++e) {
            const bool requested =
                std::any_of(outputs.begin(), outputs.end(), [&](const EntryOutput& o) { return o.index == e; });
            if (requested || authenticate_all || digest) total += m_layout.entries[e].chunk_count * m_layout.chunk_size;
        }
        Progress progress(authenticate_all && outputs.empty() ? "verifying" : "decrypting", total);
        for (std::size_t e = 0; e < m_body.entries.size(); ++e) {
            const auto it =
                std::find_if(outputs.begin(), outputs.end(), [&](const EntryOutput& o) { return o.index == e; });
            if (it != outputs.end()) {
                process_chunks(e, it->out.data(), true, digest ? &*digest : nullptr, &progress, threads);
            } else if (authenticate_all || digest) {
                process_chunks(e, nullptr, authenticate_all, digest ? &*digest : nullptr, &progress, threads);
            }
        }
        if (digest) verify_trusted_signature(*digest);
    } catch (...) {
        for (const auto& o : outputs) memory::wipe(o.out.data(), o.out.size());  // no partial plaintext survives
        throw;
    }
}

void OpenedContainer::verify_trusted_signature(const PayloadDigest& digest) const {
    // Under the trusted key chosen at step 2a, by value, and the signature record of the one trailer read
    // (§9 step 7a).
    const auto message = signed_message_of(m_header, m_preamble, m_layout.chunk_count, digest);
    policy::verify_trusted_signature(*m_trusted_signer, m_signature, message, model_id(message));
}

void OpenedContainer::decrypt_entry(std::size_t index, std::span<std::uint8_t> out, unsigned threads) const {
    const EntryOutput output{index, out};
    decrypt_entries({&output, 1}, false, threads);
}

void OpenedContainer::verify_payload(unsigned threads) const {
    decrypt_entries({}, true, threads);
}

void OpenedContainer::copy_authenticated_payload(const std::function<void(std::span<const std::uint8_t>)>& sink) const {
    std::optional<PayloadDigest> digest;
    if (m_trusted_signer) digest.emplace(m_layout.chunk_count);
    crypto::Aes256Gcm gcm{crypto::KeyView(m_payload_key)};
    const auto chunk_size = static_cast<std::size_t>(m_layout.chunk_size);
    std::vector<std::uint8_t> stored(chunk_size + crypto::gcm_tag_size);
    memory::LockedRegion plaintext(chunk_size);
    std::uint8_t nonce[crypto::gcm_nonce_size];
    for (std::uint64_t i = 0; i < m_layout.chunk_count; ++i) {
        m_file.read_at(m_layout.chunk_offset(i), stored);
        const auto ciphertext = std::span<const std::uint8_t>(stored).first(chunk_size);
        const auto tag = std::span<const std::uint8_t>(stored).subspan(chunk_size).first<crypto::gcm_tag_size>();
        if (digest) digest->add(i, ciphertext, tag);
        format::chunk_nonce(i, m_layout.chunk_count, nonce);
        const bool ok = gcm.open(nonce, {}, ciphertext, tag, {plaintext.data(), chunk_size});
        memory::wipe(plaintext.data(), chunk_size);
        if (!ok) {
            throw Error(ErrorCode::payload_auth_failed,
                        "payload authentication failed: chunk " + std::to_string(i) +
                            " of the payload was modified, moved, or comes from another file");
        }
        sink(stored);
    }
    if (digest) verify_trusted_signature(*digest);
    sink(m_trailer);
}

crypto::Bytes32 OpenedContainer::compute_model_id(unsigned threads) const {
    const auto digest = hash_stored_chunks(m_file, m_layout, threads);
    return model_id(signed_message_of(m_header, m_preamble, m_layout.chunk_count, digest));
}

}  // namespace ovseal::container
