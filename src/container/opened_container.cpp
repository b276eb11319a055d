#include "container/opened_container.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>

#include "policy/clock_guard.hpp"
#include "policy/tpm_clock_guard.hpp"
#include "container/file_keys.hpp"
#include "parallel/parallel.hpp"
#include "progress/progress.hpp"
#include "container/signature.hpp"
#include "format/limits.hpp"
#include "keys/device_agreement.hpp"
#include "keys/identity_secrets.hpp"
#include "policy/license_record.hpp"
#include "keys/secret_file.hpp"
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

std::string describe_stanzas(const std::vector<format::Stanza>& stanzas) {
    std::string out;
    for (const auto& s : stanzas) {
        out += out.empty() ? "" : ", ";
        const bool device = keys::is_device_stanza_for(DeviceKeyType::x25519, s) ||
                            keys::is_device_stanza_for(DeviceKeyType::p256, s);
        out += s.type == "scrypt" ? "passphrase" : s.type == "key" ? "key file" : device ? "device" : s.type;
    }
    return out;
}

std::string describe_ring(const KeyRing& ring) {
    std::string out;
    auto add = [&](const char* what) {
        if (out.find(what) == std::string::npos) out += (out.empty() ? "" : ", ") + std::string(what);
    };
    for (const auto& k : ring.keys) add(k.kind() == Key::Kind::key ? "key file" : "passphrase");
    if (!ring.identities.empty()) add("device identity");
    return out.empty() ? "keys" : out;
}

void check_policy(const KeyRing& ring) {
    if (!ring.trusted.empty()) return;
    if (!ring.licenses.empty()) {
        throw Error(ErrorCode::usage, "licences are accepted only from trusted publishers: give the publisher's "
                                      "public key with --trust PUBLISHER.pub");
    }
    if (!ring.identities.empty() && !ring.allow_unsigned_device_files) {
        throw Error(ErrorCode::usage,
                    "a device identity opens only models signed by a trusted publisher: give --trust PUBLISHER.pub "
                    "(or --allow-unsigned for an unsigned model sealed to this device)");
    }
}

// Step 2a: the file must carry a signature by a trusted key. Nothing is authenticated yet; that happens when
// every chunk has been hashed (step 7a), against the trusted key chosen here and the trailer read here.
struct TrustedSignature {
    std::vector<std::uint8_t> trailer;  // the trailer's bytes, the only copy any later step uses
    format::SignatureRecord record;
    PublisherPublicKey signer;          // the trust list's own key, by value
};

TrustedSignature require_trusted_signature(const FileReader& file, const RawHeader& raw, const KeyRing& ring) {
    const format::Body body = format::parse_body(raw.body());
    const auto layout = format::compute_layout(raw.preamble.header_length, body);
    auto trailer = check_length_and_read_trailer(file, layout);
    const auto parsed = format::parse_trailer(trailer);
    if (!parsed.signature) {
        throw Error(ErrorCode::signature_required,
                    "the model is not signed, and a trust list was given: only models signed by a trusted publisher "
                    "are opened");
    }
    const auto claimed = PublisherPublicKey::from_bytes(parsed.signature->signer);
    const auto trusted = std::find(ring.trusted.begin(), ring.trusted.end(), claimed);
    if (trusted == ring.trusted.end()) {
        throw Error(ErrorCode::untrusted_signer, "the model is signed by key " + claimed.key_id() +
                                                     ", which is not in the trust list");
    }
    return {std::move(trailer), *parsed.signature, *trusted};
}

std::uint64_t now_seconds(const KeyRing& ring) {
    if (ring.now) return *ring.now;
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

// §13.3: one licence, against the file's claimed model id and the ring's identities (`devices`, in ring order).
struct OpenedLicense {
    memory::SecretBytes file_key;
    PublicKeyBytes signer;
    std::size_t identity;  // its index in the ring
};

OpenedLicense open_license(const std::filesystem::path& path, const format::SignatureRecord& signature,
                           const KeyRing& ring, keys::DeviceAgreements& devices, std::uint64_t now) {
    const auto bytes = keys::read_secret_file(path, 4096, "licence", ErrorCode::license_invalid);  // small; holds no secret, but bounded
    const keys::License license = keys::parse_license(bytes.secret());
    const auto signer = PublisherPublicKey::from_bytes(license.signer);
    if (std::find(ring.trusted.begin(), ring.trusted.end(), signer) == ring.trusted.end()) {
        throw Error(ErrorCode::untrusted_signer, "the licence '" + path.string() + "' is signed by key " +
                                                     signer.key_id() + ", which is not in the trust list");
    }
    if (license.model_id != signature.model_id) {
        throw Error(ErrorCode::license_wrong_model, "the licence '" + path.string() + "' is for another model");
    }
    std::optional<std::size_t> device;
    for (std::size_t d = 0; d < devices.size() && !device; ++d) {
        if (devices.identity(d).public_key() == license.device) device = d;
    }
    if (!device) {
        throw Error(ErrorCode::license_wrong_device,
                    "the licence '" + path.string() + "' is for device " +
                        license.device.to_string() + ", not this one");
    }
    if (license.not_before != 0 && now < license.not_before) {
        throw Error(ErrorCode::license_not_yet_valid, "the licence '" + path.string() + "' is valid from " +
                                                          std::to_string(license.not_before) + " (now " +
                                                          std::to_string(now) + ")");
    }
    if (license.expires != 0 && now >= license.expires) {
        throw Error(ErrorCode::license_expired, "the licence '" + path.string() + "' expired at " +
                                                    std::to_string(license.expires) + " (now " + std::to_string(now) +
                                                    "); ask the publisher for a new one");
    }
    return {keys::license_file_key(license, devices.use(*device)), license.signer, *device};
}

// The no_matching_key message; names the bound of §7.4 when an identity reached it.
std::string no_matching_key_message(const std::vector<format::Stanza>& stanzas, const KeyRing& ring,
                                    const std::vector<keys::DeviceStanzaChoice>& choices) {
    std::string message = "no matching key: the file opens with (" + describe_stanzas(stanzas) + ") and none of the " +
                          describe_ring(ring) + " given opens it; check that it is the one the model was sealed for";
    for (std::size_t d = 0; d < choices.size(); ++d) {
        if (choices[d].left_out == 0) continue;
        message += "; device " + ring.identities[d].public_key().key_id() + " tried " +
                   std::to_string(choices[d].tried) + " of the " +
                   std::to_string(choices[d].tried + choices[d].left_out) +
                   " device stanzas that may be its own and stopped there (at most " +
                   std::to_string(keys::max_device_stanza_tries) +
                   " per device, FORMAT.md §7.4; no writer puts two stanzas for one device in a file): a file "
                   "sealed by an ovseal older than format revision 5 to more than " +
                   std::to_string(keys::max_device_stanza_tries) +
                   " TPM devices opens only on some of them; ask its publisher to re-wrap it with `ovseal rewrap` "
                   "(remove the old device stanzas and add each device again with -r), which gives every device "
                   "a tagged stanza";
    }
    return message;
}

// Step 5a: under a trust list, a licence-only file opens only with a licence signed by the file's own signer. A
// copy re-wrapped by whoever learnt the file key, or licences its holder signed with a key of its own, stay shut.
void check_license_only(const TrustedSignature& trusted, const std::optional<PublicKeyBytes>& license_signer,
                        const std::optional<Error>& license_error) {
    if (license_signer && *license_signer == trusted.signer.bytes()) return;
    if (license_signer) {
        throw Error(ErrorCode::license_required,
                    "the publisher sealed this model to open only through a licence it signed itself, and this "
                    "licence is signed by key " + PublisherPublicKey::from_bytes(*license_signer).key_id() +
                        ", not by the model's publisher key " + trusted.signer.key_id());
    }
    if (license_error) throw *license_error;  // the reader's own licence failed: that is what to fix
    throw Error(ErrorCode::license_required,
                "the publisher sealed this model to open only through a licence: give this device's licence "
                "(--license) and identity; a key file, passphrase or device key does not open it under a trust list");
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
    check_policy(ring);
    FileReader file(path);
    RawHeader raw = read_raw_header(file);

    // Steps 2a and 2b: trust and licences, before any key is used.
    std::optional<TrustedSignature> trusted;
    if (!ring.trusted.empty()) {
        trusted = require_trusted_signature(file, raw, ring);
    }
    std::optional<memory::SecretBytes> file_key;
    std::optional<Error> license_error;
    std::optional<PublicKeyBytes> license_signer;
    OpenedBy opened_by = OpenedBy::key;
    std::optional<std::size_t> opened_identity;
    // Every agreement of one identity in this open goes through one DeviceAgreement: a TPM-held key is loaded
    // once for the clock guard, the licences and the stanzas.
    keys::DeviceAgreements devices(ring.identities);
    if (!ring.licenses.empty()) {
        const std::uint64_t now = now_seconds(ring);
        if (ring.clock_state) {
            // With a TPM-held identity, the TPM's clock anchors the guard; otherwise the file alone does.
            std::optional<std::size_t> in_tpm;
            for (std::size_t d = 0; d < devices.size() && !in_tpm; ++d) {
                if (devices.identity(d).secret().tpm_tcti) in_tpm = d;
            }
            if (in_tpm) {
                check_and_advance_clock_with_tpm(*ring.clock_state, now, ring.clock_tolerance_seconds,
                                                 devices.use(*in_tpm));
            } else {
                check_and_advance_clock(*ring.clock_state, now, ring.clock_tolerance_seconds);
            }
        }
        for (const auto& license : ring.licenses) {
            try {
                auto opened = open_license(license, trusted->record, ring, devices, now);
                file_key = std::move(opened.file_key);
                license_signer = opened.signer;
                opened_identity = opened.identity;
                opened_by = OpenedBy::license;
                break;
            } catch (const Error& e) {
                if (e.code() == ErrorCode::io) throw;
                if (!license_error) license_error = e;
            }
        }
    }

    // Step 3: the first stanza that a key or device identity opens; each identity tries only the device stanzas
    // the bound of §7.4 chooses for it.
    std::vector<keys::DeviceStanzaChoice> choices;
    for (const auto& identity : ring.identities) {
        choices.push_back(keys::choose_device_stanzas(identity.public_key(), raw.stanzas));
    }
    for (std::size_t i = 0; i < raw.stanzas.size() && !file_key; ++i) {
        const auto& stanza = raw.stanzas[i];
        for (const Key& key : ring.keys) {
            if ((file_key = keys::unwrap_file_key(key, stanza))) break;
        }
        for (std::size_t d = 0; d < devices.size() && !file_key; ++d) {
            if (!choices[d].tries[i]) continue;
            if ((file_key = keys::unwrap_file_key(devices.use(d), stanza))) {
                opened_by = trusted ? OpenedBy::device : OpenedBy::device_unsigned;
                opened_identity = d;
            }
        }
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
        check_license_only(*trusted, license_signer, license_error);
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
        crypto::Aes256Gcm gcm(m_payload_key.secret());
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
            const bool requested = std::any_of(outputs.begin(), outputs.end(), [&](const EntryOutput& o) { return o.index == e; });
            if (requested || authenticate_all || digest) total += m_layout.entries[e].chunk_count * m_layout.chunk_size;
        }
        Progress progress(authenticate_all && outputs.empty() ? "verifying" : "decrypting", total);
        for (std::size_t e = 0; e < m_body.entries.size(); ++e) {
            const auto it = std::find_if(outputs.begin(), outputs.end(), [&](const EntryOutput& o) { return o.index == e; });
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
    if (!m_signature || m_signature->signer != m_trusted_signer->bytes() || model_id(message) != m_signature->model_id ||
        !crypto::ed25519_verify(m_trusted_signer->bytes(), message, m_signature->signature)) {
        throw Error(ErrorCode::bad_signature,
                    "the publisher signature does not verify: the model was changed after it was signed");
    }
}

void OpenedContainer::decrypt_entry(std::size_t index, std::span<std::uint8_t> out, unsigned threads) const {
    const EntryOutput output{index, out};
    decrypt_entries({&output, 1}, false, threads);
}

void OpenedContainer::verify_payload(unsigned threads) const { decrypt_entries({}, true, threads); }

void OpenedContainer::copy_authenticated_payload(const std::function<void(std::span<const std::uint8_t>)>& sink) const {
    std::optional<PayloadDigest> digest;
    if (m_trusted_signer) digest.emplace(m_layout.chunk_count);
    crypto::Aes256Gcm gcm(m_payload_key.secret());
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
