// SPDX-License-Identifier: Apache-2.0
// Writing a sealed file atomically: stanzas, header, encrypted chunks and signature, or re-wrapped stanzas.

#include "container/sealer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <cerrno>
#include <cstring>
#include <string>

#include "container/file_keys.hpp"
#include "container/file_reader.hpp"
#include "parallel/parallel.hpp"
#include "progress/progress.hpp"
#include "container/opened_container.hpp"
#include "container/signature.hpp"
#include "files/output_file.hpp"
#include "keys/identity_secrets.hpp"
#include "crypto/crypto.hpp"
#include "format/layout.hpp"
#include "keys/stanzas.hpp"
#include "memory/locked_region.hpp"
#include "memory/secret_bytes.hpp"
#include "ovseal/error.hpp"

namespace ovseal::container {
namespace {}  // namespace

void check_license_only(const SealParameters& parameters) {
    if (parameters.metadata.license_only && !parameters.signer) {
        throw Error(ErrorCode::usage,
                    "a license-only model must be signed (--sign): devices open it only through "
                    "a license from the key that signed it");
    }
    if (parameters.metadata.license_only && !parameters.devices.empty()) {
        throw Error(ErrorCode::usage,
                    "a license-only model cannot be sealed to devices (-r, -R): under a trust "
                    "list a device opens it only through a license; issue licenses instead");
    }
}

unsigned default_chunk_size_log2(std::uint64_t largest) {
    // Small models stay small (padding is at most one chunk per entry); large ones get 1 MiB chunks, which
    // keep per-chunk overhead negligible and still give every core many chunks.
    return largest < (std::uint64_t{16} << 20) ? 16 : 20;
}

void seal_package(const std::vector<PackageEntry>& entries, std::span<const Key> recipients,
                  const SealParameters& parameters, const std::filesystem::path& output, crypto::RandomSource& random) {
    if (recipients.empty() && parameters.devices.empty()) {
        throw Error(ErrorCode::usage, "sealing needs at least one key file, passphrase or device recipient");
    }
    if (std::count_if(recipients.begin(), recipients.end(),
                      [](const Key& k) { return k.kind() == Key::Kind::passphrase; }) > 1) {
        throw Error(ErrorCode::usage, "a file can be sealed for one passphrase only (and any number of key files)");
    }
    keys::refuse_repeated_devices(parameters.devices);
    check_license_only(parameters);
    std::vector<std::optional<FileReader>> files;
    format::Body body;
    body.metadata = parameters.metadata;
    std::uint64_t largest = 0;
    for (const auto& e : entries) {
        if (!e.source.empty())
            files.emplace_back(e.source);
        else
            files.emplace_back();
        const std::uint64_t size = files.back() ? files.back()->size() : e.content.size();
        body.entries.push_back({static_cast<std::uint8_t>(e.kind), e.name, size});
        largest = std::max(largest, size);
    }
    // Reads plaintext of entry e at `offset`, from its file or from memory.
    auto read_plaintext = [&](std::size_t e, std::uint64_t offset, std::span<std::uint8_t> out) {
        if (files[e]) {
            files[e]->read_at(offset, out);
        } else {
            std::memcpy(out.data(), entries[e].content.data() + offset, out.size());
        }
    };
    body.chunk_size_log2 = static_cast<std::uint8_t>(
        parameters.chunk_size_log2 != 0 ? parameters.chunk_size_log2 : default_chunk_size_log2(largest));
    if (body.chunk_size_log2 < format::min_chunk_log2 || body.chunk_size_log2 > format::max_chunk_log2) {
        throw Error(ErrorCode::usage, "the chunk size must be a power of two from 64 KiB to 4 MiB");
    }

    memory::SecretBytes file_key(32);
    random.fill(file_key.secret());
    random.fill(body.payload_salt);
    const auto commitment = derive_file_key_commitment(file_key.secret());
    std::copy(commitment.secret().begin(), commitment.secret().end(), body.file_key_commitment.begin());

    if (parameters.signer) {
        body.trailer_length = format::signed_trailer_size;  // known before the chunks: signing stays one pass
    }
    std::vector<format::Stanza> stanzas;
    for (const Key& recipient : recipients) {
        stanzas.push_back(keys::wrap_file_key(recipient, file_key.secret(), parameters.scrypt_log2_n, random));
    }
    for (const DevicePublicKey& device : parameters.devices) {
        stanzas.push_back(keys::wrap_file_key(device, file_key.secret(), random, parameters.device_stanzas));
    }
    keys::check_known_stanzas(stanzas);  // e.g. two passphrases would make an unopenable file

    const std::vector<std::uint8_t> header = header_with_mac(stanzas, format::body_bytes(body), file_key.secret());

    const format::Layout layout = format::compute_layout(header.size(), body);
    const auto payload_key = derive_payload_key(file_key.secret(), body.payload_salt);

    files::OutputFile out(output, {.mode = parameters.file_mode, .sync = parameters.sync, .what = "sealed file"});
    out.write(header);

    // Every chunk in file order, sealed on all cores: each worker reads a chunk's plaintext into its own locked
    // buffer, encrypts it in place and writes it at its offset, so reads, encryption and the kernel's copies
    // all run in parallel.
    struct ChunkJob {
        std::size_t entry;
        std::uint64_t index_in_entry;
    };
    std::vector<ChunkJob> jobs;
    jobs.reserve(static_cast<std::size_t>(layout.chunk_count));
    for (std::size_t e = 0; e < entries.size(); ++e) {
        for (std::uint64_t i = 0; i < layout.entries[e].chunk_count; ++i) jobs.push_back({e, i});
    }
    const std::size_t chunk_size = static_cast<std::size_t>(layout.chunk_size);
    PayloadDigest digest(parameters.signer ? layout.chunk_count : 0);
    Progress progress("sealing", layout.chunk_count * layout.chunk_size);
    parallel_batches(jobs.size(), worker_count(0), [&](BatchCursor& cursor) {
        crypto::Aes256Gcm gcm{crypto::KeyView(payload_key)};
        memory::LockedRegion stored(chunk_size + crypto::gcm_tag_size);
        const auto chunk = std::span(stored.data(), chunk_size);
        const auto tag = std::span(stored.data() + chunk_size, crypto::gcm_tag_size);
        std::uint8_t nonce[crypto::gcm_nonce_size];
        std::uint64_t begin = 0;
        std::uint64_t end = 0;
        while (cursor.next(begin, end)) {
            for (std::uint64_t index = begin; index < end; ++index) {
                const ChunkJob& job = jobs[index];
                const std::uint64_t start = job.index_in_entry * layout.chunk_size;
                const std::size_t n = static_cast<std::size_t>(
                    std::min<std::uint64_t>(layout.chunk_size, body.entries[job.entry].size - start));
                read_plaintext(job.entry, start, chunk.first(n));
                std::memset(chunk.data() + n, 0, chunk_size - n);
                format::chunk_nonce(index, layout.chunk_count, nonce);
                gcm.seal(nonce, {}, chunk, chunk, tag.first<crypto::gcm_tag_size>());
                if (parameters.signer) digest.add(index, chunk, tag);
                out.write_at(layout.chunk_offset(index), std::span(stored.data(), stored.size()));
                progress.add(chunk_size);
            }
        }
    });
    if (parameters.signer) {
        const auto message =
            signed_message(format::version, format::body_bytes(body), layout.chunk_count, digest.finish());
        format::SignatureRecord record;
        record.model_id = model_id(message);
        record.signer = parameters.signer->public_key().bytes();
        record.signature = parameters.signer->secret(secret_access()).signer->sign(message);
        out.write_at(layout.trailer_offset(), format::trailer_bytes(format::Trailer{record}));
    }
    out.commit();
}

}  // namespace ovseal::container
