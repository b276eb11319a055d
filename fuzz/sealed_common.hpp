// SPDX-License-Identifier: Apache-2.0
#pragma once

// What fuzz_sealed_open and fuzz_sealed_remac share: the key rings a sealed file is opened with, the whole opening
// path (OpenedContainer::open, then every entry decrypted or the payload verified, as `ovseal run` and `verify` do,
// plus
// `inspect`'s unverified read and the model id), and a mutator that spends most mutations on the header.

#include <algorithm>
#include <optional>
#include <random>
#include <vector>

#include "container/file_keys.hpp"
#include "container/opened_container.hpp"
#include "format/byte_io.hpp"
#include "format/header.hpp"
#include "format/limits.hpp"
#include "fuzz_support.hpp"
#include "ovseal/identity.hpp"
#include "ovseal/key.hpp"

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace ovseal::fuzz {

using E = ErrorCode;

/// The test vectors' secrets, and the key rings built from them.
struct Rings : VectorSecrets {
    /// No trust list: the key file and both devices (unsigned files allowed through device stanzas).
    KeyRing plain;
    /// A trust list (the vectors' publisher and the fuzz key), both devices, the key file, and the vectors'
    /// licenses for both devices, at the vectors' time: signature and license paths (§9 2a, 2b, 7a; §13.3).
    KeyRing trusted;

    Rings() {
        plain.keys = {key};
        plain.identities = {x25519, p256};
        plain.allow_unsigned_device_files = true;

        trusted.keys = {key};
        trusted.identities = {x25519, p256};
        trusted.trusted = {PublisherPublicKey::parse(vector_publisher),
                           PublisherPublicKey::from_bytes(crypto::ed25519_public_key(crypto::KeyView(fuzz_seed)))};
        for (const char* name : {"license_success.lic", "license_p256_success.lic"}) {
            trusted.licenses.push_back(write_scratch(name, read_file(vectors_dir() / name)));
        }
        trusted.now = vector_now;
    }
};

inline const Rings& rings() {
    static const Rings r;
    return r;
}

inline constexpr std::initializer_list<ErrorCode> opening_errors = {
    E::not_ovseal_file,    E::unsupported_version, E::malformed_header, E::no_matching_key,
    E::header_auth_failed, E::truncated,           E::trailing_data};
inline constexpr std::initializer_list<ErrorCode> trusted_opening_errors = {
    E::not_ovseal_file,       E::unsupported_version, E::malformed_header,    E::no_matching_key,
    E::header_auth_failed,    E::truncated,           E::trailing_data,       E::signature_required,
    E::untrusted_signer,      E::license_invalid,     E::license_wrong_model, E::license_wrong_device,
    E::license_not_yet_valid, E::license_expired,     E::license_required};

/// Opens `path` with `ring` and reads everything, checking what an opened file promises.
inline void open_and_read(const std::filesystem::path& path, const KeyRing& ring, const char* what,
                          std::initializer_list<ErrorCode> allowed) {
    std::optional<container::OpenedContainer> file;
    if (!expect(what, allowed, [&] { file.emplace(container::OpenedContainer::open(path, ring)); })) return;
    const auto& layout = file->layout();
    check(layout.file_length == file->file_size(), "an opened file is not exactly as long as its layout");
    check(file->raw_header().size() == file->preamble().header_length, "an opened file's header has another size");
    check(!file->entries().empty() && layout.entries.size() == file->entries().size(), "an opened file's entries");
    check(file->file_key(secret_access()).size() == 32, "an opened file's file key is not 32 bytes");
    check(file->checks_signature() == !ring.trusted.empty(), "an opened file checks the signature against policy");
    check(!file->checks_signature() || file->signature().has_value(), "a file checked for a signature has none");

    // Every entry, as `ovseal run` and the loader take them, when they are small enough to hold (they are at most
    // the file's size: the length check passed); otherwise authenticate everything without keeping plaintext.
    std::uint64_t total = 0;
    for (const auto& e : file->entries()) total += e.size;
    const std::initializer_list<ErrorCode> payload_errors = {E::payload_auth_failed, E::bad_signature};
    if (total <= (std::uint64_t{4} << 20)) {
        std::vector<std::vector<std::uint8_t>> plain(file->entries().size());
        std::vector<container::EntryOutput> outputs;
        for (std::size_t i = 0; i < plain.size(); ++i) {
            plain[i].resize(static_cast<std::size_t>(file->entries()[i].size));
            outputs.push_back({i, plain[i]});
        }
        expect("decrypt_entries", payload_errors, [&] { file->decrypt_entries(outputs, true, 1); });
    } else {
        expect("verify_payload", payload_errors, [&] { file->verify_payload(1); });
    }
}

/// `inspect` (no key) and the model id of the stored bytes.
inline void inspect(const std::filesystem::path& path) {
    const std::initializer_list<ErrorCode> errors = {E::not_ovseal_file, E::unsupported_version, E::malformed_header,
                                                     E::truncated};
    expect("read_unverified_header", errors, [&] {
        const auto header = container::read_unverified_header(path);
        check(header.stanzas.size() == header.preamble.stanza_count, "inspect: stanza count");
    });
    expect("compute_model_id",
           {E::not_ovseal_file, E::unsupported_version, E::malformed_header, E::truncated, E::trailing_data},
           [&] { (void)container::compute_model_id(path, 1); });
}

/// A whole sealed file as a device and a publisher see it: inspect, then open and read it with the vectors' key
/// file and devices, and again under a trust list with their licenses.
inline void open_every_way(Bytes file) {
    const auto& r = rings();
    const auto path = write_scratch("model.ovseal", file);
    inspect(path);
    open_and_read(path, r.plain, "OpenedContainer::open (key file, devices)", opening_errors);
    open_and_read(path, r.trusted, "OpenedContainer::open (trust list, licenses)", trusted_opening_errors);
}

/// Writes into the body of `file` (when it is long enough to hold one) the key commitment that `file_key` gives, as
/// the sealer does; write_header_mac then makes a mutated header get past the MAC check (§9 step 4).
inline void write_commitment(std::vector<std::uint8_t>& file, const format::Preamble& preamble,
                             std::span<const std::uint8_t> file_key) {
    const auto body = format::header_body(std::span(file).first(preamble.header_length), preamble.stanzas_length);
    if (body.size() >= format::body_fixed_size) {
        const auto commitment = container::derive_file_key_commitment(file_key);
        std::copy(commitment.secret().begin(), commitment.secret().end(),
                  file.begin() + (body.data() - file.data()) + 40);
    }
}

/// Writes into `file` the header MAC that `file_key` gives over its header as it now is.
inline void write_header_mac(std::vector<std::uint8_t>& file, const format::Preamble& preamble,
                             std::span<const std::uint8_t> file_key) {
    const auto covered = format::mac_covered_part(std::span(file).first(preamble.header_length));
    const auto mac = container::header_mac(file_key, covered);
    std::copy(mac.begin(), mac.end(), file.begin() + static_cast<std::ptrdiff_t>(covered.size()));
}

/// Mutates mostly the header (6 in 8), sometimes the end of the file (trailer and last tag) or anything: a
/// sealed file is at least one 64 KiB chunk, and mutations spread over it would rarely touch a parser.
inline std::size_t mutate_sealed_file(std::uint8_t* data, std::size_t size, std::size_t max_size, unsigned seed) {
    std::minstd_rand random(seed);
    const unsigned choice = random() % 8;
    if (size < format::preamble_size || choice == 0) return LLVMFuzzerMutate(data, size, max_size);
    std::size_t begin = 0;
    std::size_t end = size;
    if (choice == 1) {
        begin = size > 512 ? size - 512 : 0;
    } else {
        const std::uint32_t h = format::load_u32(data + 12);
        end = h >= format::min_header_size && h <= size ? h : std::min<std::size_t>(size, 4096);
    }
    const std::size_t room = std::min<std::size_t>(256, max_size - size);
    std::vector<std::uint8_t> region(data + begin, data + end);
    region.resize(region.size() + room);
    const std::size_t length = LLVMFuzzerMutate(region.data(), end - begin, region.size());
    std::vector<std::uint8_t> out(data, data + begin);
    out.insert(out.end(), region.begin(), region.begin() + static_cast<std::ptrdiff_t>(length));
    out.insert(out.end(), data + end, data + size);
    if (out.size() > max_size) return LLVMFuzzerMutate(data, size, max_size);
    std::copy(out.begin(), out.end(), data);
    return out.size();
}

}  // namespace ovseal::fuzz
