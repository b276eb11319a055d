// SPDX-License-Identifier: Apache-2.0
// Generates the format test vectors (docs/FORMAT.md §12), one function per vector, from fixed seeds.
//
//   generate_vectors --write DIR   writes DIR/*.ovseal and DIR/manifest.json
//   generate_vectors --check DIR   regenerates and fails if any committed byte differs
//
// Sealing is done by the real sealer with a seeded random source, so the generator knows each file key and
// can re-authenticate headers it edits (vectors for failures that only a key holder could produce).

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cache/cache_entry.hpp"
#include "cache/option_text.hpp"
#include "container/opened_container.hpp"
#include "container/sealer.hpp"
#include "policy/license_record.hpp"
#include "keys/stanzas.hpp"
#include "tpm/tpm_identity.hpp"
#include "ovseal/identity.hpp"
#include "crypto/crypto.hpp"
#include "crypto/p256.hpp"
#include "format/header.hpp"
#include "format/byte_io.hpp"
#include "format/limits.hpp"
#include "ovseal/key.hpp"

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;
using ovseal::Key;

namespace {

// Counter-mode HKDF from a per-vector label, so adding a vector never changes the others.
class SeededRandom final : public ovseal::crypto::RandomSource {
public:
    explicit SeededRandom(std::string label) : m_label(std::move(label)) {}
    void fill(std::span<std::uint8_t> out) override {
        const std::string seed = "ovseal test vectors";
        ovseal::crypto::hkdf_sha256(
            ovseal::crypto::KeyView({reinterpret_cast<const std::uint8_t*>(seed.data()), seed.size()}), {},
            m_label + "/" + std::to_string(m_counter++), out);
        if (m_first.empty()) {
            m_first.assign(out.begin(), out.end());  // the sealer draws the file key first
        }
    }
    const Bytes& file_key() const { return m_first; }

private:
    std::string m_label;
    std::uint64_t m_counter = 0;
    Bytes m_first;
};

// Deterministic content: HKDF output in 4 KiB blocks (one HKDF call yields at most 8160 bytes).
Bytes derived(const std::string& label, std::size_t n) {
    Bytes out(n);
    const std::string seed = "ovseal test vector content";
    for (std::size_t at = 0, block = 0; at < n; at += 4096, ++block) {
        const std::size_t len = std::min<std::size_t>(4096, n - at);
        ovseal::crypto::hkdf_sha256(
            ovseal::crypto::KeyView({reinterpret_cast<const std::uint8_t*>(seed.data()), seed.size()}), {},
            label + "/" + std::to_string(block), std::span(out).subspan(at, len));
    }
    return out;
}

const Bytes key_a = derived("key A", 32);
const Bytes key_b = derived("key B", 32);
const std::string passphrase = "correct horse battery staple";
const std::string wrong_passphrase = "correct horse battery stapler";

struct Source {
    std::string name;
    std::uint8_t kind;
    Bytes content;
};

const std::string xml_text =
    "<?xml version=\"1.0\"?>\n<net name=\"ovseal-vector\" version=\"11\"><layers/><edges/></net>\n";
Source small_xml() {
    return {"model.xml", 1, Bytes(xml_text.begin(), xml_text.end())};
}
Source two_chunk_bin() {
    return {"model.bin", 2, derived("weights", 70000)};
}  // 2 chunks of 64 KiB

struct Vector {
    std::string name;
    std::string description;
    Bytes file;
    nlohmann::json identity;
    std::string expect;  // "success" or an error name
    std::vector<Source> entries;
    nlohmann::json policy = nlohmann::json::object();  // trust, licenses, now, allow_unsigned (§15)
    std::map<std::string, Bytes> side_files;           // licences, by file name
};

std::string hex(std::span<const std::uint8_t> b) {
    std::string out;
    for (auto v : b) out += "0123456789abcdef"[v >> 4], out += "0123456789abcdef"[v & 15];
    return out;
}

nlohmann::json key_identity(const Bytes& key) {
    std::string hex;
    for (auto b : key) hex += "0123456789abcdef"[b >> 4], hex += "0123456789abcdef"[b & 15];
    return {{"type", "key"}, {"key_hex", hex}};
}
nlohmann::json passphrase_identity(const std::string& p) {
    return {{"type", "passphrase"}, {"passphrase", p}};
}

struct Sealed {
    Bytes file;
    Bytes file_key;
};

struct SealExtras {
    std::vector<ovseal::DevicePublicKey> devices;
    std::optional<ovseal::SigningKey> signer;
    bool license_only = false;
    // The vectors of revisions 2 to 4 keep the untagged device stanzas they were made with.
    ovseal::keys::DeviceStanzaForm device_stanzas = ovseal::keys::DeviceStanzaForm::untagged;
};

Sealed seal(const std::string& label, const std::vector<Source>& sources, const std::vector<Key>& recipients,
            const SealExtras& extras = {}) {
    const fs::path dir = fs::temp_directory_path() / ("ovseal-vectors-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::vector<ovseal::container::PackageEntry> entries;
    for (const auto& s : sources) {
        std::ofstream(dir / s.name, std::ios::binary)
            .write(reinterpret_cast<const char*>(s.content.data()), static_cast<std::streamsize>(s.content.size()));
        entries.push_back({s.name, static_cast<ovseal::format::EntryKind>(s.kind), dir / s.name});
    }
    ovseal::container::SealParameters p;
    p.chunk_size_log2 = 16;
    p.scrypt_log2_n = 16;
    p.metadata.model_name = "vector " + label;
    p.metadata.model_version = "1";
    p.metadata.created = 1764028800;  // 2025-11-25T00:00:00Z
    p.metadata.openvino_version = "none";
    p.metadata.sealed_by = "ovseal test vectors";
    p.devices = extras.devices;
    p.signer = extras.signer;
    p.metadata.license_only = extras.license_only;
    p.device_stanzas = extras.device_stanzas;
    SeededRandom random(label);
    ovseal::container::seal_package(entries, recipients, p, dir / "out.ovseal", random);
    std::ifstream in(dir / "out.ovseal", std::ios::binary);
    Bytes file((std::istreambuf_iterator<char>(in)), {});
    fs::remove_all(dir);
    return {file, random.file_key()};
}

// Header surgery for vectors that need a valid MAC over an edited header.
std::uint32_t header_length(const Bytes& f) {
    return ovseal::format::load_u32(f.data() + 12);
}
std::uint32_t stanzas_length(const Bytes& f) {
    return ovseal::format::load_u32(f.data() + 16);
}
void put_u16(Bytes& f, std::size_t at, std::uint16_t v) {
    f[at] = v & 0xFF, f[at + 1] = v >> 8;
}
void put_u32(Bytes& f, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) f[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}
std::size_t body_offset(const Bytes& f) {
    return 20 + stanzas_length(f);
}

void remac(Bytes& f, const Bytes& file_key) {
    Bytes mac_key(32);
    ovseal::crypto::hkdf_sha256(ovseal::crypto::KeyView(file_key), {}, "ovseal-v1 header mac", mac_key);
    const std::size_t h = header_length(f);
    const auto mac = ovseal::crypto::hmac_sha256(ovseal::crypto::KeyView(mac_key), std::span(f).first(h - 32));
    std::copy(mac.begin(), mac.end(), f.begin() + static_cast<std::ptrdiff_t>(h - 32));
}

// Inserts bytes into the header at `at` (before the MAC) and fixes header_length.
void insert_in_header(Bytes& f, std::size_t at, const Bytes& bytes) {
    f.insert(f.begin() + static_cast<std::ptrdiff_t>(at), bytes.begin(), bytes.end());
    put_u32(f, 12, header_length(f) + static_cast<std::uint32_t>(bytes.size()));
}

void insert_stanza(Bytes& f, const Bytes& stanza) {
    insert_in_header(f, 20, stanza);
    put_u16(f, 10, ovseal::format::load_u16(f.data() + 10) + 1);
    put_u32(f, 16, stanzas_length(f) + static_cast<std::uint32_t>(stanza.size()));
}

Bytes record(std::uint16_t type, const std::string& value) {
    ovseal::format::ByteWriter w;
    w.u16(type);
    w.u32(static_cast<std::uint32_t>(value.size()));
    w.text(value);
    return w.buffer();
}

std::size_t chunk_offset(const Bytes& f, std::size_t i) {
    return header_length(f) + i * (65536 + 16);
}

Key ka() {
    return Key::from_bytes(key_a);
}
Key pw() {
    return Key::from_passphrase(passphrase);
}

// ---- one generator per vector ----

Vector key_file_success() {
    auto s = seal("key_file_success", {small_xml(), two_chunk_bin()}, {ka()});
    return {"key_file_success",
            "IR package (xml + 2-chunk bin) sealed to a key file",
            s.file,
            key_identity(key_a),
            "success",
            {small_xml(), two_chunk_bin()}};
}

Vector passphrase_success() {
    auto s = seal("passphrase_success", {small_xml()}, {pw()});
    return {"passphrase_success",
            "sealed to a passphrase, scrypt log2 N 16",
            s.file,
            passphrase_identity(passphrase),
            "success",
            {small_xml()}};
}

Vector two_stanzas_success() {
    auto s = seal("two_stanzas_success", {small_xml()}, {pw(), ka()});
    return {"two_stanzas_success",
            "passphrase and key-file stanzas; opened with the key (second stanza)",
            s.file,
            key_identity(key_a),
            "success",
            {small_xml()}};
}

Vector empty_entry_success() {
    std::vector<Source> src = {{"empty.bin", 4, {}}, {"model.onnx", 3, derived("onnx", 1000)}};
    auto s = seal("empty_entry_success", src, {ka()});
    return {"empty_entry_success",
            "an empty entry (one chunk of zeros) and an ONNX entry",
            s.file,
            key_identity(key_a),
            "success",
            src};
}

Vector unknown_stanza_and_record_success() {
    auto s = seal("unknown_stanza_and_record_success", {small_xml()}, {ka()});
    ovseal::format::ByteWriter w;  // a stanza of a type this version does not know: "not mine"
    w.u8(8), w.text("future-x"), w.u8(1), w.u16(3), w.text("abc"), w.u16(4), w.text("body");
    insert_stanza(s.file, w.buffer());
    insert_in_header(s.file, header_length(s.file) - 32, record(0x0042, "a non-critical record from the future"));
    remac(s.file, s.file_key);
    return {"unknown_stanza_and_record_success",
            "an unknown stanza type and an unknown non-critical record are ignored",
            s.file,
            key_identity(key_a),
            "success",
            {small_xml()}};
}

Vector wrong_key() {
    auto s = seal("wrong_key", {small_xml()}, {ka()});
    return {"wrong_key", "sealed to key A, opened with key B", s.file, key_identity(key_b), "no_matching_key", {}};
}

Vector wrong_passphrase_vector() {
    auto s = seal("wrong_passphrase", {small_xml()}, {pw()});
    return {"wrong_passphrase",
            "opened with another passphrase",
            s.file,
            passphrase_identity(wrong_passphrase),
            "no_matching_key",
            {}};
}

Vector header_body_modified() {
    auto s = seal("header_body_modified", {small_xml()}, {ka()});
    s.file[body_offset(s.file) + 40] ^= 0x01;  // the body's file key commitment, without a new MAC
    return {"header_body_modified", "one bit of the body flipped", s.file,
            key_identity(key_a),    "header_auth_failed",          {}};
}

Vector header_mac_modified() {
    auto s = seal("header_mac_modified", {small_xml()}, {ka()});
    s.file[header_length(s.file) - 1] ^= 0x80;
    return {"header_mac_modified",
            "last byte of the header MAC flipped",
            s.file,
            key_identity(key_a),
            "header_auth_failed",
            {}};
}

Vector wrapped_key_modified() {
    auto s = seal("wrapped_key_modified", {small_xml()}, {ka()});
    // key stanza: type_length(1) "key"(3) arg_count(1) arg_length(2) salt(32) body_length(2) body(80)
    s.file[20 + 1 + 3 + 1 + 2 + 32 + 2 + 32 + 5] ^= 0x01;
    return {"wrapped_key_modified",
            "the wrapped file key in the matching stanza modified",
            s.file,
            key_identity(key_a),
            "header_auth_failed",
            {}};
}

Vector commitment_mismatch() {
    auto s = seal("commitment_mismatch", {small_xml()}, {ka()});
    s.file[body_offset(s.file) + 32 + 1 + 3 + 4] ^= 0x01;  // file_key_commitment, then a valid MAC
    remac(s.file, s.file_key);
    return {"commitment_mismatch",
            "the file key commitment does not match (header MAC valid)",
            s.file,
            key_identity(key_a),
            "header_auth_failed",
            {}};
}

Vector payload_modified() {
    auto s = seal("payload_modified", {two_chunk_bin()}, {ka()});
    s.file[chunk_offset(s.file, 1) + 100] ^= 0x01;
    return {"payload_modified", "one bit of chunk 1 flipped", s.file, key_identity(key_a), "payload_auth_failed", {}};
}

Vector chunks_swapped() {
    auto s = seal("chunks_swapped", {two_chunk_bin()}, {ka()});
    const auto a = static_cast<std::ptrdiff_t>(chunk_offset(s.file, 0));
    const auto b = static_cast<std::ptrdiff_t>(chunk_offset(s.file, 1));
    std::swap_ranges(s.file.begin() + a, s.file.begin() + b, s.file.begin() + b);
    return {"chunks_swapped", "chunks 0 and 1 exchanged", s.file, key_identity(key_a), "payload_auth_failed", {}};
}

Vector chunk_from_other_file() {
    auto s = seal("chunk_from_other_file", {two_chunk_bin()}, {ka()});
    auto other = seal("chunk_from_other_file/other", {two_chunk_bin()}, {ka()});
    const auto a = static_cast<std::ptrdiff_t>(chunk_offset(s.file, 0));
    const auto n = static_cast<std::ptrdiff_t>(65536 + 16);
    std::copy(other.file.begin() + static_cast<std::ptrdiff_t>(chunk_offset(other.file, 0)),
              other.file.begin() + static_cast<std::ptrdiff_t>(chunk_offset(other.file, 0)) + n, s.file.begin() + a);
    return {"chunk_from_other_file",
            "chunk 0 replaced by chunk 0 of another sealing of the same content and key",
            s.file,
            key_identity(key_a),
            "payload_auth_failed",
            {}};
}

Vector last_chunk_flag_missing() {
    auto s = seal("last_chunk_flag_missing", {two_chunk_bin()}, {ka()});
    // A key holder shrinks the entry to one chunk and drops chunk 1: chunk 0 was not sealed as the final one.
    s.file.resize(chunk_offset(s.file, 1));
    const std::size_t entry_size_at = body_offset(s.file) + 72 + 6 + 4;  // first record is the entry
    for (int i = 0; i < 8; ++i) s.file[entry_size_at + i] = static_cast<std::uint8_t>(std::uint64_t{65536} >> (8 * i));
    remac(s.file, s.file_key);
    return {"last_chunk_flag_missing",
            "header and length say one chunk, but it was not sealed as the last",
            s.file,
            key_identity(key_a),
            "payload_auth_failed",
            {}};
}

Vector truncated_payload() {
    auto s = seal("truncated_payload", {two_chunk_bin()}, {ka()});
    s.file.resize(chunk_offset(s.file, 1));
    return {"truncated_payload", "the final chunk is missing", s.file, key_identity(key_a), "truncated", {}};
}

Vector truncated_header() {
    auto s = seal("truncated_header", {small_xml()}, {ka()});
    s.file.resize(header_length(s.file) - 10);
    return {"truncated_header", "the file ends inside the header", s.file, key_identity(key_a), "truncated", {}};
}

Vector trailing_data() {
    auto s = seal("trailing_data", {small_xml()}, {ka()});
    s.file.push_back(0);
    return {"trailing_data", "one byte appended", s.file, key_identity(key_a), "trailing_data", {}};
}

Vector not_ovseal() {
    Bytes f = derived("random file", 4096);
    return {"not_ovseal_random", "random bytes", f, key_identity(key_a), "not_ovseal_file", {}};
}

Vector empty_file() {
    return {"not_ovseal_empty", "an empty file", {}, key_identity(key_a), "not_ovseal_file", {}};
}

Vector version_2() {
    auto s = seal("version_2", {small_xml()}, {ka()});
    put_u16(s.file, 8, 2);
    return {"version_2", "format version 2", s.file, key_identity(key_a), "unsupported_version", {}};
}

Vector unknown_critical_record() {
    auto s = seal("unknown_critical_record", {small_xml()}, {ka()});
    insert_in_header(s.file, header_length(s.file) - 32, record(0x8042, "must be understood"));
    remac(s.file, s.file_key);
    return {"unknown_critical_record",
            "an unknown critical record (header MAC valid)",
            s.file,
            key_identity(key_a),
            "unsupported_version",
            {}};
}

Vector scrypt_work_factor_too_high() {
    auto s = seal("scrypt_work_factor_too_high", {small_xml()}, {pw()});
    // scrypt stanza: type_length(1) "scrypt"(6) arg_count(1) len(2) salt(32) len(2) params: log2_n r p
    s.file[20 + 1 + 6 + 1 + 2 + 32 + 2] = 21;
    return {"scrypt_work_factor_too_high",
            "scrypt log2 N 21 is refused before deriving",
            s.file,
            passphrase_identity(passphrase),
            "malformed_header",
            {}};
}

Vector two_scrypt_stanzas() {
    auto s = seal("two_scrypt_stanzas", {small_xml()}, {pw()});
    const Bytes stanza(s.file.begin() + 20, s.file.begin() + 20 + stanzas_length(s.file));
    insert_stanza(s.file, stanza);
    return {"two_scrypt_stanzas",
            "two passphrase stanzas",
            s.file,
            passphrase_identity(passphrase),
            "malformed_header",
            {}};
}

Vector chunk_size_out_of_range() {
    auto s = seal("chunk_size_out_of_range", {small_xml()}, {ka()});
    s.file[body_offset(s.file) + 32] = 23;
    remac(s.file, s.file_key);
    return {"chunk_size_out_of_range",
            "chunk size 2^23 (header MAC valid)",
            s.file,
            key_identity(key_a),
            "malformed_header",
            {}};
}

Vector entry_name_not_utf8() {
    auto s = seal("entry_name_not_utf8", {small_xml()}, {ka()});
    s.file[body_offset(s.file) + 72 + 6 + 12] = 0xFF;  // first byte of the first entry's name
    remac(s.file, s.file_key);
    return {"entry_name_not_utf8",
            "an entry name that is not valid UTF-8 (header MAC valid)",
            s.file,
            key_identity(key_a),
            "malformed_header",
            {}};
}

Vector first_body_violation_wins() {
    auto s = seal("first_body_violation_wins", {small_xml()}, {ka()});
    // An unknown critical record followed by a duplicate metadata record: the first one decides.
    insert_in_header(s.file, header_length(s.file) - 32, record(0x8042, "must be understood"));
    insert_in_header(s.file, header_length(s.file) - 32, record(0x0001, "a second model name"));
    remac(s.file, s.file_key);
    return {"first_body_violation_wins",
            "unknown critical record before a duplicate record (MAC valid)",
            s.file,
            key_identity(key_a),
            "unsupported_version",
            {}};
}

Vector damaged_matching_stanza_stops() {
    auto s = seal("damaged_matching_stanza_stops", {small_xml()}, {ka(), ka()});
    s.file[20 + 1 + 3 + 1 + 2 + 32 + 2 + 32 + 5] ^= 0x01;  // wrapped key of the first of two key-A stanzas
    return {"damaged_matching_stanza_stops",
            "the first matching stanza is damaged; the intact second one is not tried",
            s.file,
            key_identity(key_a),
            "header_auth_failed",
            {}};
}

Vector file_length_overflows() {
    auto s = seal("file_length_overflows", {small_xml()}, {ka()});
    // 16 entries of 2^60 bytes in 64 KiB chunks describe more than 2^64 bytes.
    for (int i = 0; i < 16; ++i) {
        ovseal::format::ByteWriter w;
        const std::string name = "huge" + std::to_string(i);
        w.u16(0x8001), w.u32(static_cast<std::uint32_t>(12 + name.size()));
        w.u8(4), w.u8(0), w.u16(static_cast<std::uint16_t>(name.size())), w.u64(std::uint64_t{1} << 60), w.text(name);
        insert_in_header(s.file, header_length(s.file) - 32, w.buffer());
    }
    remac(s.file, s.file_key);
    return {"file_length_overflows",
            "entry sizes whose file length overflows 64 bits (MAC valid)",
            s.file,
            key_identity(key_a),
            "malformed_header",
            {}};
}

Vector nonzero_padding_success() {
    const Source xml = small_xml();
    auto s = seal("nonzero_padding_success", {xml}, {ka()});
    // A writer that pads with other bytes: readers ignore padding. (Re-sealing one chunk under its own nonce is
    // only acceptable in a test vector.)
    Bytes payload_key(32);
    ovseal::crypto::hkdf_sha256(ovseal::crypto::KeyView(s.file_key), std::span(s.file).subspan(body_offset(s.file), 32),
                                "ovseal-v1 payload", payload_key);
    ovseal::crypto::Aes256Gcm gcm{ovseal::crypto::KeyView(payload_key)};
    std::uint8_t nonce[12] = {};
    nonce[11] = 1;  // chunk 0 of 1
    const auto at = chunk_offset(s.file, 0);
    auto chunk = std::span(s.file).subspan(at, 65536);
    auto tag = std::span(s.file).subspan(at + 65536).first<16>();
    if (!gcm.open(nonce, {}, chunk, tag, chunk)) throw std::runtime_error("vector generator: chunk did not open");
    std::fill(chunk.begin() + static_cast<std::ptrdiff_t>(xml.content.size()), chunk.end(), 0xAA);
    gcm.seal(nonce, {}, chunk, chunk, tag);
    return {"nonzero_padding_success",
            "padding bytes that are not zero are ignored",
            s.file,
            key_identity(key_a),
            "success",
            {xml}};
}

Vector trailer(const std::string& label, std::uint16_t type, const std::string& expect, const std::string& what) {
    auto s = seal(label, {small_xml()}, {ka()});
    const Bytes t = record(type, "a trailer record");
    put_u32(s.file, body_offset(s.file) + 36, static_cast<std::uint32_t>(t.size()));
    remac(s.file, s.file_key);
    s.file.insert(s.file.end(), t.begin(), t.end());
    std::vector<Source> entries;
    if (expect == "success") entries = {small_xml()};
    return {label, what, s.file, key_identity(key_a), expect, entries};
}
Vector trailer_noncritical_success() {
    return trailer("trailer_noncritical_success", 0x0042, "success", "a trailer with a non-critical record");
}
Vector trailer_critical_record() {
    return trailer("trailer_critical_record", 0x8042, "unsupported_version", "a trailer with a critical record");
}

Vector short_key() {
    auto s = seal("short_key", {small_xml()}, {ka()});
    auto id = key_identity(key_a);
    id["key_hex"] = id["key_hex"].get<std::string>().substr(2);  // 31 bytes
    return {"short_key", "a key of 31 bytes is refused before the file is read", s.file, id, "invalid_key", {}};
}

// ---- revision 2: devices, signatures, licences ----

const Bytes device_a_private = derived("device A", 32);
const Bytes device_b_private = derived("device B", 32);
const Bytes publisher_p_seed = derived("publisher P", 32);
const Bytes publisher_q_seed = derived("publisher Q", 32);
ovseal::DeviceIdentity device_a() {
    return ovseal::DeviceIdentity::from_bytes(device_a_private);
}
ovseal::SigningKey publisher_p() {
    return ovseal::SigningKey::from_bytes(publisher_p_seed);
}
ovseal::SigningKey publisher_q() {
    return ovseal::SigningKey::from_bytes(publisher_q_seed);
}
constexpr std::uint64_t vector_now = 1790000000;  // 2026-09-21

nlohmann::json device_identity(const Bytes& private_key) {
    return {{"type", "device"}, {"private_key_hex", hex(private_key)}};
}
nlohmann::json trust(std::initializer_list<ovseal::SigningKey> keys) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& k : keys) list.push_back(k.public_key().to_string());
    return list;
}

Sealed signed_for_device_a(const std::string& label) {
    return seal(label, {small_xml()}, {}, {{device_a().public_key()}, publisher_p()});
}

Vector device_signed_success() {
    auto s = signed_for_device_a("device_signed_success");
    Vector v{"device_signed_success",
             "sealed to device A, signed by P; opened with A, trusting P",
             s.file,
             device_identity(device_a_private),
             "success",
             {small_xml()}};
    v.policy = {{"trust", trust({publisher_p()})}};
    return v;
}

Vector device_wrong_device() {
    auto s = signed_for_device_a("device_wrong_device");
    Vector v{"device_wrong_device",
             "sealed to device A, opened with device B",
             s.file,
             device_identity(device_b_private),
             "no_matching_key",
             {}};
    v.policy = {{"trust", trust({publisher_p()})}};
    return v;
}

Vector device_unsigned_allowed_success() {
    auto s = seal("device_unsigned_allowed_success", {small_xml()}, {}, {{device_a().public_key()}, {}});
    Vector v{"device_unsigned_allowed_success",
             "unsigned, sealed to device A, opened with allow_unsigned",
             s.file,
             device_identity(device_a_private),
             "success",
             {small_xml()}};
    v.policy = {{"allow_unsigned", true}};
    return v;
}

Vector unsigned_under_trust() {
    auto s = seal("unsigned_under_trust", {small_xml()}, {}, {{device_a().public_key()}, {}});
    Vector v{"unsigned_under_trust",
             "unsigned, opened with a trust list",
             s.file,
             device_identity(device_a_private),
             "signature_required",
             {}};
    v.policy = {{"trust", trust({publisher_p()})}};
    return v;
}

Vector untrusted_signer() {
    auto s = signed_for_device_a("untrusted_signer");
    Vector v{"untrusted_signer",
             "signed by P, the trust list holds Q",
             s.file,
             device_identity(device_a_private),
             "untrusted_signer",
             {}};
    v.policy = {{"trust", trust({publisher_q()})}};
    return v;
}

Vector signature_modified() {
    auto s = signed_for_device_a("signature_modified");
    s.file[s.file.size() - 1] ^= 0x01;  // last byte of the Ed25519 signature
    Vector v{"signature_modified",
             "one bit of the signature flipped",
             s.file,
             device_identity(device_a_private),
             "bad_signature",
             {}};
    v.policy = {{"trust", trust({publisher_p()})}};
    return v;
}

Vector model_id_claim_modified() {
    auto s = signed_for_device_a("model_id_claim_modified");
    s.file[s.file.size() - 129 + 1] ^= 0x01;  // first byte of the claimed model id
    Vector v{"model_id_claim_modified",
             "the signature record claims another model id",
             s.file,
             device_identity(device_a_private),
             "bad_signature",
             {}};
    v.policy = {{"trust", trust({publisher_p()})}};
    return v;
}

Vector payload_forged_by_key_holder() {
    // Someone who knows the file key re-encrypts the chunk with a valid tag: GCM accepts it, the signature does not.
    auto s = seal("payload_forged_by_key_holder", {small_xml()}, {ka()}, {{}, publisher_p()});
    Bytes payload_key(32);
    ovseal::crypto::hkdf_sha256(ovseal::crypto::KeyView(s.file_key), std::span(s.file).subspan(body_offset(s.file), 32),
                                "ovseal-v1 payload", payload_key);
    ovseal::crypto::Aes256Gcm gcm{ovseal::crypto::KeyView(payload_key)};
    std::uint8_t nonce[12] = {};
    nonce[11] = 1;  // chunk 0 of 1: the last
    const auto at = chunk_offset(s.file, 0);
    auto chunk = std::span(s.file).subspan(at, 65536);
    auto tag = std::span(s.file).subspan(at + 65536).first<16>();
    if (!gcm.open(nonce, {}, chunk, tag, chunk)) throw std::runtime_error("vector generator: chunk did not open");
    chunk[0] ^= 0x01;
    gcm.seal(nonce, {}, chunk, chunk, tag);
    Vector v{"payload_forged_by_key_holder",
             "a key holder re-encrypted a chunk (GCM valid, signature not)",
             s.file,
             key_identity(key_a),
             "bad_signature",
             {}};
    v.policy = {{"trust", trust({publisher_p()})}};
    return v;
}

Vector signed_key_file_without_trust_success() {
    auto s = seal("signed_key_file_without_trust_success", {small_xml()}, {ka()}, {{}, publisher_p()});
    return {"signed_key_file_without_trust_success",
            "signed; opened by key file with no trust list",
            s.file,
            key_identity(key_a),
            "success",
            {small_xml()}};
}

// A model signed by P and sealed only to key A; licences for it.
Sealed licensed_model(const std::string& label) {
    return seal(label, {small_xml()}, {ka()}, {{}, publisher_p()});
}

Bytes license_for(const Sealed& model, const std::string& label, const ovseal::DeviceIdentity& device,
                  std::uint64_t not_before, std::uint64_t expires, const ovseal::SigningKey& signer) {
    std::array<std::uint8_t, 32> id{};
    std::copy_n(model.file.end() - 128, 32, id.begin());  // the signature record's model id
    SeededRandom random(label + "/licence");
    return ovseal::keys::issue_license(id, model.file_key, device.public_key(), not_before, expires, "vector licence",
                                       signer, random);
}

Vector license_case(const std::string& name, const std::string& description, const std::string& expect,
                    const Bytes& opener, std::uint64_t not_before, std::uint64_t expires,
                    const ovseal::SigningKey& licence_signer, bool other_model = false, bool damage = false) {
    auto model = licensed_model(name);
    const auto licence_model = other_model ? licensed_model(name + "/other") : model;
    Bytes licence = license_for(licence_model, name, device_a(), not_before, expires, licence_signer);
    if (damage) licence[210] ^= 0x01;  // inside the note: the licence signature no longer verifies
    std::vector<Source> entries;
    if (expect == "success") entries = {small_xml()};
    Vector v{name, description, model.file, device_identity(opener), expect, entries};
    v.policy = {{"trust", trust({publisher_p()})}, {"licenses", {name + ".lic"}}, {"now", vector_now}};
    v.side_files[name + ".lic"] = licence;
    return v;
}

Vector license_success() {
    return license_case("license_success", "licence for device A, valid now", "success", device_a_private,
                        vector_now - 100, vector_now + 100, publisher_p());
}
Vector license_wrong_device() {
    return license_case("license_wrong_device", "licence for device A, opened by device B", "license_wrong_device",
                        device_b_private, 0, 0, publisher_p());
}
Vector license_wrong_model() {
    return license_case("license_wrong_model", "licence for another model", "license_wrong_model", device_a_private, 0,
                        0, publisher_p(), /*other_model=*/true);
}
Vector license_expired() {
    return license_case("license_expired", "licence that expired at now", "license_expired", device_a_private, 0,
                        vector_now, publisher_p());
}
Vector license_not_yet_valid() {
    return license_case("license_not_yet_valid", "licence valid from now + 1", "license_not_yet_valid",
                        device_a_private, vector_now + 1, 0, publisher_p());
}
Vector license_modified() {
    return license_case("license_modified", "one bit of the licence note flipped", "license_invalid", device_a_private,
                        0, 0, publisher_p(), false, /*damage=*/true);
}
Vector license_untrusted_signer() {
    return license_case("license_untrusted_signer", "licence signed by Q, trust list P", "untrusted_signer",
                        device_a_private, 0, 0, publisher_q());
}

// ---- revision 3: P-256 device keys (a TPM's, here in software: the agreement is the same) ----

// A P-256 scalar from a label: 32 derived bytes, which are in range with overwhelming probability (checked).
Bytes p256_scalar(const std::string& label) {
    Bytes scalar = derived(label, 32);
    if (!ovseal::crypto::p256_scalar_in_range(ovseal::crypto::KeyView(scalar)))
        throw std::runtime_error("vector scalar out of range");
    return scalar;
}
const Bytes device_c_p256 = p256_scalar("device C p256");
const Bytes device_d_p256 = p256_scalar("device D p256");
ovseal::DeviceIdentity device_c() {
    return ovseal::DeviceIdentity::from_p256_bytes(device_c_p256);
}

nlohmann::json p256_identity(const Bytes& scalar) {
    return {{"type", "device_p256"}, {"private_key_hex", hex(scalar)}};
}

Sealed signed_for_device_c(const std::string& label) {
    return seal(label, {small_xml()}, {}, {{device_c().public_key()}, publisher_p()});
}

Vector p256_signed_success() {
    auto s = signed_for_device_c("p256_signed_success");
    Vector v{"p256_signed_success",
             "sealed to P-256 device C, signed by P; opened with C, trusting P",
             s.file,
             p256_identity(device_c_p256),
             "success",
             {small_xml()}};
    v.policy = {{"trust", trust({publisher_p()})}};
    return v;
}

Vector p256_wrong_device() {
    auto s = signed_for_device_c("p256_wrong_device");
    Vector v{"p256_wrong_device",
             "sealed to P-256 device C, opened with P-256 device D",
             s.file,
             p256_identity(device_d_p256),
             "no_matching_key",
             {}};
    v.policy = {{"trust", trust({publisher_p()})}};
    return v;
}

Vector p256_stanza_x25519_device() {
    auto s = signed_for_device_c("p256_stanza_x25519_device");
    Vector v{"p256_stanza_x25519_device",
             "sealed to P-256 device C, opened with X25519 device A",
             s.file,
             device_identity(device_a_private),
             "no_matching_key",
             {}};
    v.policy = {{"trust", trust({publisher_p()})}};
    return v;
}

// The p256 stanza's ephemeral x-coordinate replaced by the first value >= its own that is on no point of the
// curve (the stanza is not covered by anything checked before it is used).
Vector p256_ephemeral_off_curve() {
    auto s = signed_for_device_c("p256_ephemeral_off_curve");
    // Stanza layout (§4): the first stanza's ephemeral argument is the only 33-byte run starting 02/03 whose
    // decoding equals the stanza's; find it by decoding the stanzas.
    const auto header =
        ovseal::format::parse_preamble(std::span(s.file).first(ovseal::format::preamble_size), s.file.size());
    const auto stanzas = ovseal::format::parse_stanzas(
        std::span(s.file).subspan(ovseal::format::preamble_size, header.stanzas_length), header.stanza_count);
    const auto& ephemeral = stanzas.at(0).args.at(0);
    const auto at = std::search(s.file.begin(), s.file.end(), ephemeral.begin(), ephemeral.end()) - s.file.begin();
    Bytes point(ephemeral.begin(), ephemeral.end());
    while (ovseal::crypto::p256_decompress(point)) {
        for (int i = 32; i >= 1 && ++point[static_cast<std::size_t>(i)] == 0; --i) {
        }
    }
    std::copy(point.begin(), point.end(), s.file.begin() + at);
    Vector v{"p256_ephemeral_off_curve",
             "a p256 stanza whose ephemeral key is not on the curve",
             s.file,
             p256_identity(device_c_p256),
             "malformed_header",
             {}};
    v.policy = {{"trust", trust({publisher_p()})}};
    return v;
}

Vector license_p256_case(const std::string& name, const std::string& description, const std::string& expect,
                         const Bytes& opener) {
    auto model = licensed_model(name);
    Bytes licence = license_for(model, name, device_c(), vector_now - 100, vector_now + 100, publisher_p());
    std::vector<Source> entries;
    if (expect == "success") entries = {small_xml()};
    Vector v{name, description, model.file, p256_identity(opener), expect, entries};
    v.policy = {{"trust", trust({publisher_p()})}, {"licenses", {name + ".lic"}}, {"now", vector_now}};
    v.side_files[name + ".lic"] = licence;
    return v;
}

Vector license_p256_success() {
    return license_p256_case("license_p256_success", "version 2 licence for P-256 device C, valid now", "success",
                             device_c_p256);
}
Vector license_p256_wrong_device() {
    return license_p256_case("license_p256_wrong_device", "version 2 licence for device C, opened by device D",
                             "license_wrong_device", device_d_p256);
}

// ---- revision 5: licence-only models (§5.1, §9 step 5a) ----

// Signed by P, sealed to key A (the publisher's master key) with the LICENSE_ONLY record.
Sealed license_only_model(const std::string& label) {
    return seal(label, {small_xml()}, {ka()}, {{}, publisher_p(), /*license_only=*/true});
}

Vector license_only_case(const std::string& name, const std::string& description, const std::string& expect,
                         const ovseal::SigningKey& licence_signer) {
    auto model = license_only_model(name);
    Vector v{name,       description,
             model.file, device_identity(device_a_private),
             expect,     expect == "success" ? std::vector<Source>{small_xml()} : std::vector<Source>{}};
    v.policy = {{"trust", trust({publisher_p(), publisher_q()})}, {"licenses", {name + ".lic"}}, {"now", vector_now}};
    v.side_files[name + ".lic"] = license_for(model, name, device_a(), 0, 0, licence_signer);
    return v;
}
Vector license_only_license_success() {
    return license_only_case("license_only_license_success",
                             "licence-only model opened with a licence signed by its signer", "success", publisher_p());
}
Vector license_only_license_other_signer() {
    return license_only_case("license_only_license_other_signer",
                             "licence-only model signed by P; the licence is signed by Q, also trusted",
                             "license_required", publisher_q());
}

Vector license_only_key_under_trust() {
    auto s = license_only_model("license_only_key_under_trust");
    Vector v{"license_only_key_under_trust",
             "licence-only model opened with its key file under a trust list",
             s.file,
             key_identity(key_a),
             "license_required",
             {}};
    v.policy = {{"trust", trust({publisher_p()})}};
    return v;
}

Vector license_only_key_without_trust_success() {
    auto s = license_only_model("license_only_key_without_trust_success");
    return {"license_only_key_without_trust_success",
            "licence-only model opened with its key file, no trust list",
            s.file,
            key_identity(key_a),
            "success",
            {small_xml()}};
}

Vector license_only_device_stanza_added() {
    // Whoever learnt the file key (through a licence) adds a stanza for a device and a new header MAC, as the
    // format allows: the signature still verifies (it does not cover stanzas), the record refuses it.
    auto s = license_only_model("license_only_device_stanza_added");
    SeededRandom random("license_only_device_stanza_added/stanza");
    insert_stanza(s.file, ovseal::format::stanza_bytes(ovseal::keys::wrap_file_key(
                              device_a().public_key(), s.file_key, random, ovseal::keys::DeviceStanzaForm::untagged)));
    remac(s.file, s.file_key);
    Vector v{"license_only_device_stanza_added",
             "licence-only model with a device stanza added by a key holder",
             s.file,
             device_identity(device_a_private),
             "license_required",
             {}};
    v.policy = {{"trust", trust({publisher_p()})}};
    return v;
}

Vector license_only_record(const std::string& name, const std::string& description, const std::string& value,
                           bool twice) {
    auto s = license_only_model(name);
    if (!value.empty() || twice) {
        // The sealer wrote one empty record just before the MAC: replace it.
        const std::size_t at = header_length(s.file) - 32 - 6;
        s.file.erase(s.file.begin() + static_cast<std::ptrdiff_t>(at),
                     s.file.begin() + static_cast<std::ptrdiff_t>(at + 6));
        put_u32(s.file, 12, header_length(s.file) - 6);
        insert_in_header(s.file, header_length(s.file) - 32, record(0x8003, value));
        if (twice) insert_in_header(s.file, header_length(s.file) - 32, record(0x8003, value));
    }
    remac(s.file, s.file_key);
    return {name, description, s.file, key_identity(key_a), "malformed_header", {}};
}
Vector license_only_twice() {
    return license_only_record("license_only_twice", "two LICENSE_ONLY records (header MAC valid)", "", true);
}
Vector license_only_not_empty() {
    return license_only_record("license_only_not_empty", "a LICENSE_ONLY record with a value (header MAC valid)", "x",
                               false);
}

// ---- revision 5: tagged device stanzas and the bound on device stanza tries (§7.3–§7.5) ----

constexpr auto tagged = ovseal::keys::DeviceStanzaForm::tagged;

std::vector<ovseal::format::Stanza> stanzas_of(const Bytes& f) {
    const auto preamble = ovseal::format::parse_preamble(std::span(f).first(ovseal::format::preamble_size), f.size());
    return ovseal::format::parse_stanzas(std::span(f).subspan(ovseal::format::preamble_size, preamble.stanzas_length),
                                         preamble.stanza_count);
}

// The file with its stanza section replaced (body, chunks and trailer kept, so a signature still verifies) and
// its header authenticated again.
void replace_stanzas(Sealed& s, const std::vector<ovseal::format::Stanza>& stanzas) {
    const std::size_t h = header_length(s.file);
    const Bytes body(s.file.begin() + static_cast<std::ptrdiff_t>(body_offset(s.file)),
                     s.file.begin() + static_cast<std::ptrdiff_t>(h - 32));
    Bytes f = ovseal::format::header_with_body_bytes(stanzas, body);
    f.resize(f.size() + 32);  // the MAC, computed below
    f.insert(f.end(), s.file.begin() + static_cast<std::ptrdiff_t>(h), s.file.end());
    s.file = std::move(f);
    remac(s.file, s.file_key);
}

// A stanza that looks like `genuine` (same type, tag and ephemeral key) but wraps nothing: its commitment
// never matches, so each one a reader tries is one wasted agreement.
ovseal::format::Stanza decoy(const ovseal::format::Stanza& genuine, const std::string& label) {
    ovseal::format::Stanza d = genuine;
    d.body = derived(label, genuine.body.size());
    return d;
}

ovseal::format::Stanza untagged_form(const ovseal::format::Stanza& tagged_stanza) {
    ovseal::format::Stanza s = tagged_stanza;
    s.type = s.type == ovseal::keys::p256_tagged_stanza_type ? ovseal::keys::p256_stanza_type
                                                             : ovseal::keys::x25519_stanza_type;
    s.args.erase(s.args.begin());
    return s;
}

Vector device_vector(const std::string& name, const std::string& description, const Sealed& s,
                     const nlohmann::json& identity, const std::string& expect) {
    Vector v{name,     description, s.file,
             identity, expect,      expect == "success" ? std::vector<Source>{small_xml()} : std::vector<Source>{}};
    v.policy = {{"trust", trust({publisher_p()})}};
    return v;
}

Sealed tagged_for(const std::string& label, const ovseal::DevicePublicKey& device) {
    return seal(label, {small_xml()}, {}, {{device}, publisher_p(), false, tagged});
}

Vector x25519_tagged_success() {
    const std::string name = "x25519_tagged_success";
    return device_vector(name, "an x25519-tagged stanza for device A; opened with A",
                         tagged_for(name, device_a().public_key()), device_identity(device_a_private), "success");
}

Vector p256_tagged_success() {
    const std::string name = "p256_tagged_success";
    return device_vector(name, "a p256-tagged stanza for P-256 device C; opened with C",
                         tagged_for(name, device_c().public_key()), p256_identity(device_c_p256), "success");
}

Vector p256_tagged_wrong_tag() {
    const std::string name = "p256_tagged_wrong_tag";
    auto s = tagged_for(name, device_c().public_key());
    auto stanzas = stanzas_of(s.file);
    stanzas.at(0).args.at(0)[0] ^= 0x01;
    replace_stanzas(s, stanzas);
    return device_vector(name, "C's p256-tagged stanza with another tag (header MAC valid): C does not try it", s,
                         p256_identity(device_c_p256), "no_matching_key");
}

// `decoys` stanzas like the genuine one (or their untagged form), then the genuine one (or its untagged form).
Sealed with_decoys(const std::string& name, const ovseal::DevicePublicKey& device, std::size_t decoys,
                   bool decoys_tagged, bool genuine_tagged) {
    auto s = tagged_for(name, device);
    const auto genuine = stanzas_of(s.file).at(0);
    std::vector<ovseal::format::Stanza> stanzas;
    for (std::size_t i = 0; i < decoys; ++i) {
        const auto d = decoy(genuine, name + "/decoy " + std::to_string(i));
        stanzas.push_back(decoys_tagged ? d : untagged_form(d));
    }
    stanzas.push_back(genuine_tagged ? genuine : untagged_form(genuine));
    replace_stanzas(s, stanzas);
    return s;
}

Vector p256_tagged_bound() {
    const std::string name = "p256_tagged_bound";
    return device_vector(name, "8 decoy stanzas tagged for C, then C's own (MAC valid): C tries the first 8 only",
                         with_decoys(name, device_c().public_key(), 8, true, true), p256_identity(device_c_p256),
                         "no_matching_key");
}

Vector p256_untagged_bound() {
    const std::string name = "p256_untagged_bound";
    return device_vector(name, "8 untagged p256 decoys, then C's untagged stanza (MAC valid): C tries the first 8 only",
                         with_decoys(name, device_c().public_key(), 8, false, false), p256_identity(device_c_p256),
                         "no_matching_key");
}

Vector p256_tagged_after_untagged_success() {
    const std::string name = "p256_tagged_after_untagged_success";
    return device_vector(name, "8 untagged p256 decoys, then C's tagged stanza: tagged stanzas are chosen first",
                         with_decoys(name, device_c().public_key(), 8, false, true), p256_identity(device_c_p256),
                         "success");
}

Vector x25519_tagged_bound() {
    const std::string name = "x25519_tagged_bound";
    return device_vector(name, "8 decoy stanzas tagged for A, then A's own (MAC valid): A tries the first 8 only",
                         with_decoys(name, device_a().public_key(), 8, true, true), device_identity(device_a_private),
                         "no_matching_key");
}

Vector x25519_untagged_unbounded_success() {
    const std::string name = "x25519_untagged_unbounded_success";
    return device_vector(name,
                         "20 untagged x25519 decoys, then A's untagged stanza: untagged x25519 ones are not "
                         "counted",
                         with_decoys(name, device_a().public_key(), 20, false, false),
                         device_identity(device_a_private), "success");
}

// A stanza tagged for another device is not chosen, so nothing in it is checked: an ephemeral key that is not on
// the curve there is no error for C.
Vector p256_other_tag_not_checked_success() {
    const std::string name = "p256_other_tag_not_checked_success";
    auto s = tagged_for(name, device_c().public_key());
    const auto genuine = stanzas_of(s.file).at(0);
    auto other = decoy(genuine, name + "/other");
    const auto tag_d = ovseal::keys::recipient_tag(ovseal::DeviceIdentity::from_p256_bytes(device_d_p256).public_key());
    other.args[0].assign(tag_d.begin(), tag_d.end());
    other.args[1][0] = 0x05;  // not a compressed point
    replace_stanzas(s, {other, genuine});
    return device_vector(name, "a p256-tagged stanza for device D with an ephemeral key off the curve, then C's own", s,
                         p256_identity(device_c_p256), "success");
}

Vector p256_tagged_bad_tag_length() {
    const std::string name = "p256_tagged_bad_tag_length";
    auto s = tagged_for(name, device_c().public_key());
    auto stanzas = stanzas_of(s.file);
    stanzas.at(0).args.at(0).pop_back();
    replace_stanzas(s, stanzas);
    return device_vector(name, "a p256-tagged stanza whose tag is 3 bytes", s, p256_identity(device_c_p256),
                         "malformed_header");
}

// ---- compiled-model cache entries (§16) ----

const std::string cache_openvino = "2026.4.1-vector";
const nlohmann::json cache_options_json = {{"PERFORMANCE_HINT", "LATENCY"},
                                           {"INFERENCE_PRECISION_HINT", "f32"},
                                           {"DEVICE_PROPERTIES", {{"CPU", {{"NUM_STREAMS", "1"}}}}}};

// JSON strings, booleans, integers and floating-point numbers stand for values of those types (§15, §16.2).
std::vector<ovseal::container::CacheOption> cache_options_from(const nlohmann::json& j) {
    std::vector<ovseal::container::CacheOption> out;
    for (const auto& [name, value] : j.items()) {
        ovseal::container::CacheOption o{name, {}, value.is_object(), {}};
        if (o.is_map)
            o.map = cache_options_from(value);
        else if (value.is_boolean())
            o.text = value.get<bool>() ? "YES" : "NO";
        else if (value.is_number_unsigned())
            o.text = ovseal::container::integer_text(value.get<std::uint64_t>());
        else if (value.is_number_integer())
            o.text = ovseal::container::integer_text(value.get<std::int64_t>());
        else if (value.is_number_float())
            o.text = ovseal::container::float_text(value.get<double>()).value();
        else
            o.text = value.get<std::string>();
        out.push_back(std::move(o));
    }
    return out;
}

// The model the cache vectors are bound to: the key_file_success vector, sealed again identically.
Sealed cache_model() {
    return seal("key_file_success", {small_xml(), two_chunk_bin()}, {ka()});
}
Sealed cache_other_model() {
    return seal("passphrase_success", {small_xml()}, {pw()});
}

Bytes binding_for(const Sealed& model, const std::string& device, const nlohmann::json& options) {
    const auto ref = ovseal::container::cache_model_ref(std::span(model.file).first(header_length(model.file)),
                                                        stanzas_length(model.file));
    return ovseal::container::cache_binding(cache_openvino, device,
                                            ovseal::container::canonical_options(cache_options_from(options)), ref);
}

Source compiled_blob() {
    return {"compiled-model", 4, derived("compiled blob", 70000)};
}

Bytes cache_entry_bytes(const std::string& label, const Key& key, const Bytes& binding) {
    const fs::path dir = fs::temp_directory_path() / ("ovseal-vectors-cache-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    SeededRandom random(label);
    ovseal::container::write_cache_entry(dir / "entry", key, binding, cache_openvino, compiled_blob().content, random);
    std::ifstream in(dir / "entry", std::ios::binary);
    Bytes file((std::istreambuf_iterator<char>(in)), {});
    fs::remove_all(dir);
    return file;
}

// The reader's side: the model it holds and the binding it expects.
nlohmann::json cache_identity(const std::string& device, const nlohmann::json& options) {
    const Sealed model = cache_model();
    return {{"type", "cache"},
            {"model_file", "key_file_success.ovseal"},
            {"model_key_hex", hex(key_a)},
            {"openvino_version", cache_openvino},
            {"device", device},
            {"options", options},
            {"entry_name", ovseal::container::cache_entry_name(binding_for(model, device, options))}};
}

Vector cache_entry(const std::string& name, const std::string& description, const Sealed& model,
                   const std::string& device, const nlohmann::json& options, const std::string& reader_device,
                   const std::string& expect) {
    const Bytes binding = binding_for(model, device, options);
    const Key key = ovseal::container::cache_entry_key(model.file_key, binding);
    return {name,
            description,
            cache_entry_bytes(name, key, binding),
            cache_identity(reader_device, cache_options_json),
            expect,
            expect == "success" ? std::vector<Source>{compiled_blob()} : std::vector<Source>{}};
}

Vector cache_entry_success() {
    return cache_entry("cache_entry_success", "a compiled-model cache entry for the key_file_success model",
                       cache_model(), "CPU", cache_options_json, "CPU", "success");
}
Vector cache_entry_other_device() {
    return cache_entry("cache_entry_other_device", "a cache entry made for device GPU, read for CPU", cache_model(),
                       "GPU", cache_options_json, "CPU", "no_matching_key");
}
Vector cache_entry_other_options() {
    nlohmann::json other = cache_options_json;
    other["DEVICE_PROPERTIES"]["CPU"]["NUM_STREAMS"] = "2";
    return cache_entry("cache_entry_other_options", "a cache entry made with other compile options (a nested one)",
                       cache_model(), "CPU", other, "CPU", "no_matching_key");
}
Vector cache_entry_other_model() {
    return cache_entry("cache_entry_other_model", "a cache entry made for another model (passphrase_success)",
                       cache_other_model(), "CPU", cache_options_json, "CPU", "no_matching_key");
}
Vector cache_entry_binding_record_mismatch() {
    const Sealed model = cache_model();
    const Bytes binding = binding_for(model, "CPU", cache_options_json);
    const Key key = ovseal::container::cache_entry_key(model.file_key, binding);
    const Bytes stated = binding_for(model, "GPU", cache_options_json);
    return {"cache_entry_binding_record_mismatch",
            "keyed for the reader's binding, but the CACHE_BINDING record states another",
            cache_entry_bytes("cache_entry_binding_record_mismatch", key, stated),
            cache_identity("CPU", cache_options_json),
            "header_auth_failed",
            {}};
}
Vector cache_entry_payload_modified() {
    Vector v = cache_entry_success();
    v.name = "cache_entry_payload_modified";
    v.description = "a cache entry with one payload byte flipped";
    v.file[header_length(v.file) + 5] ^= 0x20;
    v.expect = "payload_auth_failed";
    v.entries.clear();
    return v;
}

// ---- revision 5: cache entries bound to the reader's device identity (§16.4) ----

nlohmann::json with_device(nlohmann::json identity, const nlohmann::json& device) {
    identity["device_identity"] = device;
    return identity;
}

Key device_cache_key(const Sealed& model, const Bytes& binding, const ovseal::DeviceIdentity& device) {
    const auto secret = ovseal::keys::cache_device_secret(device);
    return ovseal::container::cache_entry_key(model.file_key, secret.secret(), binding);
}

// An entry made by `maker` (a device, or nobody: the file key alone), read by the holder of `reader`.
Vector device_cache_entry(const std::string& name, const std::string& description,
                          const std::optional<ovseal::DeviceIdentity>& maker, const nlohmann::json& reader,
                          const std::string& expect) {
    const Sealed model = cache_model();
    const Bytes binding = binding_for(model, "CPU", cache_options_json);
    const Key key =
        maker ? device_cache_key(model, binding, *maker) : ovseal::container::cache_entry_key(model.file_key, binding);
    auto identity = cache_identity("CPU", cache_options_json);
    if (!reader.is_null()) identity = with_device(identity, reader);
    return {name,     description, cache_entry_bytes(name, key, binding),
            identity, expect,      expect == "success" ? std::vector<Source>{compiled_blob()} : std::vector<Source>{}};
}
Vector cache_entry_device_bound_success() {
    return device_cache_entry("cache_entry_device_bound_success", "an entry bound to X25519 device A, read by A",
                              device_a(), device_identity(device_a_private), "success");
}
Vector cache_entry_device_bound_p256_success() {
    return device_cache_entry("cache_entry_device_bound_p256_success", "an entry bound to P-256 device C, read by C",
                              device_c(), p256_identity(device_c_p256), "success");
}
Vector cache_entry_file_key_only_for_device() {
    return device_cache_entry("cache_entry_file_key_only_for_device",
                              "an entry made with the model's file key alone, read by device A", std::nullopt,
                              device_identity(device_a_private), "no_matching_key");
}
Vector cache_entry_other_device_identity() {
    return device_cache_entry("cache_entry_other_device_identity", "an entry bound to device B, read by device A",
                              ovseal::DeviceIdentity::from_bytes(device_b_private), device_identity(device_a_private),
                              "no_matching_key");
}
Vector cache_entry_device_bound_read_without_device() {
    return device_cache_entry("cache_entry_device_bound_read_without_device",
                              "an entry bound to device A, read with the model's file key alone", device_a(), nullptr,
                              "no_matching_key");
}

// ---- revision 5: option values of other types than strings (§16.2) ----

Vector cache_entry_typed_options_success() {
    const nlohmann::json options = {
        {"PERFORMANCE_HINT", "LATENCY"},
        {"NUM_STREAMS", 4},
        {"ENABLE_CPU_PINNING", true},
        {"ENABLE_HYPER_THREADING", false},
        {"SPARSE_WEIGHTS_DECOMPRESSION_RATE", 0.1},
        {"INFERENCE_PRECISION_HINT", "bf16"},
        {"LOG_OFFSET", -3},
        {"LIMIT", std::uint64_t{18446744073709551615ULL}},
        {"DEVICE_PROPERTIES", {{"CPU", {{"SCALE", -1.5e-300}, {"TINY", 5e-324}, {"ZERO", 0.0}}}}}};
    const Sealed model = cache_model();
    const Bytes binding = binding_for(model, "CPU", options);
    const Key key = ovseal::container::cache_entry_key(model.file_key, binding);
    return {"cache_entry_typed_options_success",
            "options of every type the manifest can carry: strings, booleans, integers, binary64 numbers",
            cache_entry_bytes("cache_entry_typed_options_success", key, binding),
            cache_identity("CPU", options),
            "success",
            {compiled_blob()}};
}

const std::vector<std::function<Vector()>> generators = {

    key_file_success,
    passphrase_success,
    two_stanzas_success,
    empty_entry_success,
    unknown_stanza_and_record_success,
    wrong_key,
    wrong_passphrase_vector,
    header_body_modified,
    header_mac_modified,
    wrapped_key_modified,
    commitment_mismatch,
    payload_modified,
    chunks_swapped,
    chunk_from_other_file,
    last_chunk_flag_missing,
    truncated_payload,
    truncated_header,
    trailing_data,
    not_ovseal,
    empty_file,
    version_2,
    unknown_critical_record,
    scrypt_work_factor_too_high,
    two_scrypt_stanzas,
    chunk_size_out_of_range,
    entry_name_not_utf8,
    first_body_violation_wins,
    damaged_matching_stanza_stops,
    file_length_overflows,
    nonzero_padding_success,
    trailer_noncritical_success,
    trailer_critical_record,
    short_key,
    device_signed_success,
    device_wrong_device,
    device_unsigned_allowed_success,
    unsigned_under_trust,
    untrusted_signer,
    signature_modified,
    model_id_claim_modified,
    payload_forged_by_key_holder,
    signed_key_file_without_trust_success,
    license_success,
    license_wrong_device,
    license_wrong_model,
    license_expired,
    license_not_yet_valid,
    license_modified,
    license_untrusted_signer,
    p256_signed_success,
    p256_wrong_device,
    p256_stanza_x25519_device,
    p256_ephemeral_off_curve,
    license_p256_success,
    license_p256_wrong_device,
    cache_entry_success,
    cache_entry_other_device,
    cache_entry_other_options,
    cache_entry_other_model,
    cache_entry_binding_record_mismatch,
    cache_entry_payload_modified,
    license_only_license_success,
    license_only_license_other_signer,
    license_only_key_under_trust,
    license_only_key_without_trust_success,
    license_only_device_stanza_added,
    license_only_twice,
    license_only_not_empty,
    cache_entry_device_bound_success,
    cache_entry_device_bound_p256_success,
    cache_entry_file_key_only_for_device,
    cache_entry_other_device_identity,
    cache_entry_device_bound_read_without_device,
    cache_entry_typed_options_success,
    x25519_tagged_success,
    p256_tagged_success,
    p256_tagged_wrong_tag,
    p256_tagged_bound,
    p256_untagged_bound,
    p256_tagged_after_untagged_success,
    x25519_tagged_bound,
    x25519_untagged_unbounded_success,
    p256_other_tag_not_checked_success,
    p256_tagged_bad_tag_length,
};

std::map<std::string, Bytes> generate_all() {
    std::map<std::string, Bytes> files;
    nlohmann::json manifest = {{"format_version", 1}, {"vectors", nlohmann::json::array()}};
    for (const auto& gen : generators) {
        Vector v = gen();
        nlohmann::json j = {{"name", v.name},
                            {"description", v.description},
                            {"file", v.name + ".ovseal"},
                            {"identity", v.identity},
                            {"expect", v.expect}};
        if (v.expect == "success") {
            j["entries"] = nlohmann::json::array();
            for (const auto& e : v.entries) {
                j["entries"].push_back({{"name", e.name},
                                        {"kind", e.kind},
                                        {"size", e.content.size()},
                                        {"sha256", hex(ovseal::crypto::sha256(e.content))}});
            }
        }
        for (const auto& [key, value] : v.policy.items()) j[key] = value;
        manifest["vectors"].push_back(j);
        files[v.name + ".ovseal"] = std::move(v.file);
        for (auto& [name, bytes] : v.side_files) files[name] = std::move(bytes);
    }
    const std::string text = manifest.dump(2) + "\n";
    files["manifest.json"] = Bytes(text.begin(), text.end());
    return files;
}

// A cache vector (§16.6): open the model for its file key, derive the binding and key, open the entry.
std::string check_cache_vector(const fs::path& dir, const nlohmann::json& v) {
    const auto& id = v["identity"];
    try {
        const std::string h = id["model_key_hex"];
        Bytes raw(h.size() / 2);
        for (std::size_t i = 0; i < raw.size(); ++i)
            raw[i] = static_cast<std::uint8_t>(std::stoi(h.substr(2 * i, 2), nullptr, 16));
        const Key model_key = Key::from_bytes(raw);
        const auto model = ovseal::container::OpenedContainer::open(dir / id["model_file"].get<std::string>(),
                                                                    std::span(&model_key, 1));
        const auto binding = ovseal::container::cache_binding(
            id["openvino_version"].get<std::string>(), id["device"].get<std::string>(),
            ovseal::container::canonical_options(cache_options_from(id["options"])),
            ovseal::container::cache_model_ref(model.raw_header(), model.preamble().stanzas_length));
        if (ovseal::container::cache_entry_name(binding) != id["entry_name"]) return "wrong entry name";
        std::optional<Key> key;
        if (id.contains("device_identity")) {
            const auto& d = id["device_identity"];
            const std::string dh = d["private_key_hex"];
            Bytes draw(dh.size() / 2);
            for (std::size_t i = 0; i < draw.size(); ++i)
                draw[i] = static_cast<std::uint8_t>(std::stoi(dh.substr(2 * i, 2), nullptr, 16));
            const auto device = d["type"] == "device" ? ovseal::DeviceIdentity::from_bytes(draw)
                                                      : ovseal::DeviceIdentity::from_p256_bytes(draw);
            key = ovseal::container::cache_entry_key(model.file_key(ovseal::secret_access()),
                                                     ovseal::keys::cache_device_secret(device).secret(), binding);
        } else {
            key = ovseal::container::cache_entry_key(model.file_key(ovseal::secret_access()), binding);
        }
        const auto entry = ovseal::container::open_cache_entry(dir / v["file"].get<std::string>(), *key, binding);
        Bytes content(entry.entries()[0].size);
        entry.decrypt_entry(0, content);
        if (!v.contains("entries")) return "success";  // a failure vector that opens: the caller reports it
        const auto& want = v["entries"][0];
        if (want["name"] != entry.entries()[0].name || want["kind"] != entry.entries()[0].kind ||
            want["sha256"] != hex(ovseal::crypto::sha256(content))) {
            return "wrong content";
        }
        return "success";
    } catch (const ovseal::Error& e) {
        return std::string(ovseal::error_name(e.code()));
    }
}

// Opens every committed vector with this implementation's opener and compares with its expected outcome.
int check_outcomes(const fs::path& dir) {
    std::ifstream in(dir / "manifest.json");
    const auto manifest = nlohmann::json::parse(in);
    int failures = 0;
    for (const auto& v : manifest["vectors"]) {
        const auto& id = v["identity"];
        std::string outcome = "success";
        try {
            if (id["type"] == "cache") {
                outcome = check_cache_vector(dir, v);
                if (outcome != v["expect"]) {
                    std::cerr << "vector " << v["name"] << ": expected " << v["expect"] << ", got " << outcome << "\n";
                    ++failures;
                }
                continue;
            }
            ovseal::KeyRing ring;
            if (id["type"] == "key" || id["type"] == "device" || id["type"] == "device_p256") {
                const std::string h = id["type"] == "key" ? id["key_hex"] : id["private_key_hex"];
                Bytes raw(h.size() / 2);
                for (std::size_t i = 0; i < raw.size(); ++i)
                    raw[i] = static_cast<std::uint8_t>(std::stoi(h.substr(2 * i, 2), nullptr, 16));
                if (id["type"] == "key")
                    ring.keys.push_back(Key::from_bytes(raw));
                else if (id["type"] == "device")
                    ring.identities.push_back(ovseal::DeviceIdentity::from_bytes(raw));
                else
                    ring.identities.push_back(ovseal::DeviceIdentity::from_p256_bytes(raw));
            } else {
                ring.keys.push_back(Key::from_passphrase(id["passphrase"].get<std::string>()));
            }
            for (const auto& t : v.value("trust", nlohmann::json::array())) {
                ring.trusted.push_back(ovseal::PublisherPublicKey::parse(t.get<std::string>()));
            }
            for (const auto& l : v.value("licenses", nlohmann::json::array()))
                ring.licenses.push_back(dir / l.get<std::string>());
            if (v.contains("now")) ring.now = v["now"].get<std::uint64_t>();
            ring.allow_unsigned_device_files = v.value("allow_unsigned", false);
            const auto file = ovseal::container::OpenedContainer::open(dir / v["file"].get<std::string>(), ring);
            file.verify_payload();
            // A failure vector that opens has no entries to compare: its outcome, "success", is reported below.
            const auto& want_entries = v.value("entries", nlohmann::json::array());
            if (want_entries.size() != file.entries().size() && v["expect"] == "success") outcome = "wrong entries";
            for (std::size_t i = 0; i < want_entries.size() && i < file.entries().size(); ++i) {
                Bytes content(file.entries()[i].size);
                file.decrypt_entry(i, content);
                const auto& want = want_entries[i];
                if (want["name"] != file.entries()[i].name || want["kind"] != file.entries()[i].kind ||
                    want["sha256"] != hex(ovseal::crypto::sha256(content))) {
                    outcome = "wrong content";
                }
            }
        } catch (const ovseal::Error& e) {
            outcome = std::string(ovseal::error_name(e.code()));
        }
        if (outcome != v["expect"]) {
            std::cerr << "vector " << v["name"] << ": expected " << v["expect"] << ", got " << outcome << "\n";
            ++failures;
        }
    }
    return failures;
}

Bytes read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return Bytes((std::istreambuf_iterator<char>(in)), {});
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3 || (std::strcmp(argv[1], "--write") != 0 && std::strcmp(argv[1], "--check") != 0)) {
        std::cerr << "usage: generate_vectors (--write|--check) DIR\n";
        return 2;
    }
    const fs::path dir = argv[2];
    const bool write = std::strcmp(argv[1], "--write") == 0;
    try {
        const auto files = generate_all();
        int mismatches = 0;
        for (const auto& [name, bytes] : files) {
            if (write) {
                std::ofstream(dir / name, std::ios::binary)
                    .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
            } else if (!fs::exists(dir / name) || read_file(dir / name) != bytes) {
                std::cerr << "vector differs from its generator: " << name << "\n";
                ++mismatches;
            }
        }
        if (!write) {
            for (const auto& entry : fs::directory_iterator(dir)) {
                const auto name = entry.path().filename().string();
                if ((entry.path().extension() == ".ovseal" || entry.path().extension() == ".lic") &&
                    !files.contains(name)) {
                    std::cerr << "vector without a generator: " << name << "\n";
                    ++mismatches;
                }
            }
            if (mismatches != 0) {
                std::cerr << mismatches << " vector file(s) differ: a format change must update docs/FORMAT.md "
                          << "and the vectors (generate_vectors --write) in the same commit\n";
                return 1;
            }
            std::cout << files.size() << " vector files reproduced exactly\n";
            if (check_outcomes(dir) != 0) {
                return 1;
            }
            std::cout << "every vector opens with its expected outcome\n";
        }
    } catch (const std::exception& e) {
        std::cerr << "generate_vectors: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
