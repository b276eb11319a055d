// SPDX-License-Identifier: Apache-2.0
// Tamper sweeps at scale (docs/FORMAT.md §8, §9, §10.1, §12.3, §13.3).
//
// One signed file of four 64 KiB chunks with a `key` stanza, an `x25519-tagged` and a `p256-tagged` device
// stanza, damaged in every way the hardening issue lists: every bit of the header, every bit of the trailer,
// sampled bits of every chunk and every bit of every tag, every truncation length, chunks duplicated, dropped,
// reordered and spliced from another sealing, stanzas removed, duplicated, reordered and taken from another file,
// and a signature or a license from another file. Five readers open every damaged file: the key without a trust
// list, and under a trust list the key, the x25519 device, the p256 device and a license.
//
// The error each reader must give is derived from the spec for the damaged field (the oracle below, written from
// FORMAT.md, not from src/). No damaged file may open, except where the spec says the change is not detected: the
// trailer, for a reader without a trust list (§8, last row but one of §10.1). Nothing but ovseal::Error may
// escape, and no locked memory may be left behind. Every test prints its counts per region and outcome.
//
// The files are opened with ovseal::verify (header and every chunk, no OpenVINO): about 300,000 opens, most of
// them cheap truncations; about 10 s of CPU in all.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <variant>

#include "crypto/crypto.hpp"
#include "crypto/p256.hpp"
#include "memory/locked_region.hpp"
#include "test_support.hpp"

namespace {

using namespace ovseal_test;
using ovseal::ErrorCode;
using ovseal::KeyRing;
using Bytes = std::vector<std::uint8_t>;
using Codes = std::set<ErrorCode>;

constexpr std::uint64_t chunk_size = 64 * 1024;
constexpr std::uint64_t stored_chunk = chunk_size + 16;
constexpr std::uint64_t not_before = 1'800'000'000;
constexpr std::uint64_t expires = 1'900'000'000;
constexpr std::uint64_t inside = 1'850'000'000;

// Key material, by seed (key_bytes of test_support).
constexpr unsigned key_seed = 401;
constexpr unsigned x25519_seed = 402;
constexpr unsigned p256_seed = 403;
constexpr unsigned licensed_seed = 404;
constexpr unsigned publisher_seed = 405;
constexpr unsigned stranger_seed = 406;

std::uint16_t u16_at(const Bytes& b, std::uint64_t at) {
    return static_cast<std::uint16_t>(b[at] | (b[at + 1] << 8));
}
std::uint32_t u32_at(const Bytes& b, std::uint64_t at) {
    return std::uint32_t{b[at]} | (std::uint32_t{b[at + 1]} << 8) | (std::uint32_t{b[at + 2]} << 16) |
           (std::uint32_t{b[at + 3]} << 24);
}
std::uint64_t u64_at(const Bytes& b, std::uint64_t at) {
    return std::uint64_t{u32_at(b, at)} | (std::uint64_t{u32_at(b, at + 4)} << 32);
}
void put_u16(Bytes& b, std::uint64_t at, std::uint16_t v) {
    b[at] = v & 0xFF;
    b[at + 1] = v >> 8;
}
void put_u32(Bytes& b, std::uint64_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::string hex16(std::uint16_t v) {
    std::ostringstream s;
    s << "0x" << std::hex << std::setw(4) << std::setfill('0') << v;
    return s.str();
}

// ---------------------------------------------------------------------------------------------------------------
// The spec, as an oracle

// §5.2 entry names: 1–255 bytes of valid UTF-8, nothing below 0x20, no 0x7F, no '/' or '\', not '.' or '..'.
bool valid_utf8(const std::string& s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1, cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2, cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3, cp = c & 0x07;
        } else {
            return false;
        }
        if (i + n >= s.size()) return false;  // the sequence runs past the end
        for (std::size_t k = 1; k <= n; ++k) {
            const auto d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (d & 0x3F);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += n + 1;
    }
    return true;
}

bool valid_entry_name(const std::string& name) {
    if (name.empty() || name.size() > 255 || name == "." || name == "..") return false;
    for (char ch : name) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F || c == '/' || c == '\\') return false;
    }
    return valid_utf8(name);
}

bool valid_stanza_type(const std::string& type) {
    return !type.empty() && type.size() <= 32 && std::all_of(type.begin(), type.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

// What a body (file bytes 20 + S to H − 32) holds that the length check of §9 step 6 needs.
struct BodyFacts {
    std::uint64_t chunk_size;
    std::uint64_t trailer_length;
    std::vector<std::uint64_t> entry_sizes;
};

// §5, §5.1, §5.2 and the order of §9 step 5 ("fixed fields and then records are checked in file order and the
// first violation is reported; 'at least one ENTRY' is checked after the last record"). Written from the spec.
std::variant<ErrorCode, BodyFacts> spec_parse_body(std::span<const std::uint8_t> b) {
    constexpr auto malformed = ErrorCode::malformed_header;
    if (b.size() < 72) return malformed;
    const unsigned log2 = b[32];
    if (log2 < 16 || log2 > 22) return malformed;
    if (b[33] != 0 || b[34] != 0 || b[35] != 0) return malformed;
    const Bytes fixed(b.begin(), b.begin() + 72);
    BodyFacts facts{std::uint64_t{1} << log2, u32_at(fixed, 36), {}};
    if (facts.trailer_length > (1u << 20)) return malformed;
    std::set<std::string> names;
    std::set<std::uint16_t> metadata;
    std::size_t records = 0;
    std::size_t at = 72;
    while (at < b.size()) {
        if (++records > 4096) return malformed;
        if (b.size() - at < 6) return malformed;
        const Bytes head(b.begin() + at, b.begin() + at + 6);
        const std::uint16_t type = u16_at(head, 0);
        const std::uint32_t length = u32_at(head, 2);
        at += 6;
        if (length > 65536 || length > b.size() - at) return malformed;
        const Bytes value(b.begin() + at, b.begin() + at + length);
        at += length;
        if (type == 0x8001) {
            if (facts.entry_sizes.size() == 256 || value.size() < 12) return malformed;
            const std::uint16_t name_length = u16_at(value, 2);
            const std::uint64_t size = u64_at(value, 4);
            if (value[0] == 0 || value[1] != 0 || value.size() != 12u + name_length) return malformed;
            if (size > (std::uint64_t{1} << 60)) return malformed;
            const std::string name(value.begin() + 12, value.end());
            if (!valid_entry_name(name) || !names.insert(name).second) return malformed;
            facts.entry_sizes.push_back(size);
        } else if (type >= 1 && type <= 6) {
            if (!metadata.insert(type).second) return malformed;  // at most once
            const std::size_t limit = type == 3 ? 65536 : 1024;
            if (type == 4 ? value.size() != 8 : value.size() > limit) return malformed;
        } else if (type == 0x8003) {  // LICENSE_ONLY (revision 5): empty, at most once
            if (!value.empty() || !metadata.insert(type).second) return malformed;
        } else if (type & 0x8000) {
            return ErrorCode::unsupported_version;
        }
    }
    if (facts.entry_sizes.empty()) return malformed;
    return facts;
}

// §6.2: L = H + N × (CS + 16) + T, or nothing if it does not fit in 64 bits.
std::optional<std::uint64_t> spec_file_length(std::uint64_t h, const BodyFacts& f) {
    std::uint64_t length = h;
    for (const auto size : f.entry_sizes) {
        const std::uint64_t chunks = std::max<std::uint64_t>(1, size / f.chunk_size + (size % f.chunk_size != 0));
        std::uint64_t bytes = 0;
        if (__builtin_mul_overflow(chunks, f.chunk_size + 16, &bytes) ||
            __builtin_add_overflow(length, bytes, &length)) {
            return std::nullopt;
        }
    }
    if (__builtin_add_overflow(length, f.trailer_length, &length)) return std::nullopt;
    return length;
}

// ---------------------------------------------------------------------------------------------------------------
// The sealed files and the readers

std::vector<std::uint8_t> p256_scalar() {
    auto bytes = key_bytes(p256_seed);
    EXPECT_TRUE(ovseal::crypto::p256_scalar_in_range(ovseal::crypto::KeyView(bytes)));
    return bytes;
}

enum class Via { key, x25519, p256, license };

struct Reader {
    std::string name;
    Via via;
    bool trust;
    KeyRing ring;
    // The stanza type this reader opens with; none for the license reader, whose license yields the file key
    // before any stanza is tried (§13.3).
    std::optional<std::string> stanza_type() const {
        switch (via) {
            case Via::key:
                return "key";
            case Via::x25519:
                return "x25519-tagged";
            case Via::p256:
                return "p256-tagged";
            case Via::license:
                return std::nullopt;
        }
        return std::nullopt;
    }
};

struct SweepFiles {
    SweepFiles()
        : key(ovseal::Key::from_bytes(key_bytes(key_seed))),
          x25519(device_identity(x25519_seed)),
          p256(ovseal::DeviceIdentity::from_p256_bytes(p256_scalar())),
          licensed(device_identity(licensed_seed)),
          publisher(signing_key(publisher_seed)),
          stranger(signing_key(stranger_seed)) {
        // 64×512 + 512 + 512×10 floats = 150 KiB of weights: three chunks, and the .xml one more.
        xml = write_model(make_mlp(512, 9), dir.path(), "sweep");
        ovseal::SealOptions o;
        o.chunk_size = chunk_size;
        o.devices = {x25519.public_key(), p256.public_key()};
        o.sign = publisher;
        a = dir / "a.ovseal";
        b = dir / "b.ovseal";
        c = dir / "c.ovseal";
        ovseal::seal_model(xml, a, {key}, o);
        ovseal::seal_model(xml, b, {key}, o);  // another sealing: same layout, another file key
        o.sign = stranger;
        ovseal::seal_model(xml, c, {key}, o);  // the same, signed by a publisher nobody trusts
        bytes_a = read_bytes(a);
        bytes_b = read_bytes(b);
        bytes_c = read_bytes(c);
        const ovseal::LicenseTerms terms{not_before, expires, "tamper sweep"};
        license_a = dir / "a.lic";
        license_b = dir / "b.lic";
        write_bytes(license_a,
                    ovseal::issue_licenses(a, KeyRing({key}), {licensed.public_key()}, terms, publisher).at(0));
        write_bytes(license_b,
                    ovseal::issue_licenses(b, KeyRing({key}), {licensed.public_key()}, terms, publisher).at(0));

        const std::vector<ovseal::PublisherPublicKey> trusted = {publisher.public_key()};
        readers.push_back({"key", Via::key, false, KeyRing({key})});
        KeyRing k({key});
        k.trusted = trusted;
        readers.push_back({"key+trust", Via::key, true, k});
        KeyRing x;
        x.identities = {x25519};
        x.trusted = trusted;
        readers.push_back({"x25519+trust", Via::x25519, true, x});
        KeyRing p;
        p.identities = {p256};
        p.trusted = trusted;
        readers.push_back({"p256+trust", Via::p256, true, p});
        KeyRing l;
        l.identities = {licensed};  // a device with no stanza in the file: only its license opens it
        l.licenses = {license_a};
        l.trusted = trusted;
        l.now = inside;
        readers.push_back({"license+trust", Via::license, true, l});
    }

    TempDir dir;
    ovseal::Key key;
    ovseal::DeviceIdentity x25519, p256, licensed;
    ovseal::SigningKey publisher, stranger;
    fs::path xml, a, b, c, license_a, license_b;
    Bytes bytes_a, bytes_b, bytes_c;
    std::vector<Reader> readers;
};

// ---------------------------------------------------------------------------------------------------------------
// The file's regions, found by walking its bytes as FORMAT.md §3–§5 and §8 lay them out

enum class Field {
    magic,
    version,
    stanza_count,
    header_length,
    stanzas_length,
    type_length,
    type,
    arg_count,
    arg_length,
    arg,
    tag,
    body_length,
    commitment,
    wrapped_key,
    body,  // anything from 20 + S to H − 32: the oracle re-parses it
    header_mac,
    trailer_type,
    trailer_length_field,
    algorithm,
    claimed_model_id,
    signer,
    signature,
};

struct Region {
    std::uint64_t begin, end;
    Field field;
    std::string name;  // for the report
    int stanza = -1;   // the stanza it is part of
};

struct FileMap {
    std::uint64_t size = 0, h = 0, s = 0, n = 0, t = 0;
    std::vector<Region> regions;  // header, then trailer; the chunks are in between
    std::vector<std::string> stanza_types;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> stanza_spans;
    std::uint64_t chunk_offset(std::uint64_t i) const { return h + i * stored_chunk; }
    std::uint64_t trailer_offset() const { return h + n * stored_chunk; }
    int stanza_of_type(const std::string& type) const {
        for (std::size_t i = 0; i < stanza_types.size(); ++i) {
            if (stanza_types[i] == type) return static_cast<int>(i);
        }
        return -1;
    }
};

FileMap map_file(const Bytes& file) {
    FileMap m;
    m.size = file.size();
    m.h = u32_at(file, 12);
    m.s = u32_at(file, 16);
    auto& r = m.regions;
    r = {{0, 8, Field::magic, "preamble: magic"},
         {8, 10, Field::version, "preamble: version"},
         {10, 12, Field::stanza_count, "preamble: stanza_count"},
         {12, 16, Field::header_length, "preamble: header_length"},
         {16, 20, Field::stanzas_length, "preamble: stanzas_length"}};
    std::uint64_t at = 20;
    for (int i = 0; at < 20 + m.s; ++i) {
        const std::uint64_t begin = at;
        const std::uint64_t type_length = file[at];
        const std::string type(file.begin() + at + 1, file.begin() + at + 1 + type_length);
        const std::string who = type + " stanza: ";
        r.push_back({at, at + 1, Field::type_length, who + "structure", i});
        r.push_back({at + 1, at + 1 + type_length, Field::type, who + "type", i});
        at += 1 + type_length;
        const std::uint64_t arg_count = file[at];
        r.push_back({at, at + 1, Field::arg_count, who + "structure", i});
        ++at;
        for (std::uint64_t a = 0; a < arg_count; ++a) {
            const std::uint64_t length = u16_at(file, at);
            r.push_back({at, at + 2, Field::arg_length, who + "structure", i});
            // A tagged device stanza's first argument is its recipient tag (§7.3).
            const bool tag = a == 0 && type.ends_with("-tagged");
            r.push_back({at + 2, at + 2 + length, tag ? Field::tag : Field::arg,
                         who + (tag             ? "tag"
                                : type == "key" ? "salt"
                                                : "ephemeral"),
                         i});
            at += 2 + length;
        }
        const std::uint64_t body_length = u16_at(file, at);
        r.push_back({at, at + 2, Field::body_length, who + "structure", i});
        r.push_back({at + 2, at + 2 + 32, Field::commitment, who + "commitment", i});
        r.push_back({at + 2 + 32, at + 2 + body_length, Field::wrapped_key, who + "wrapped key", i});
        at += 2 + body_length;
        m.stanza_types.push_back(type);
        m.stanza_spans.emplace_back(begin, at);
    }
    EXPECT_EQ(at, 20 + m.s);
    // The body, named field by field for the report; the oracle treats all of it alike (it re-parses).
    const std::uint64_t body = at;
    r.push_back({body, body + 32, Field::body, "body: payload_salt"});
    r.push_back({body + 32, body + 33, Field::body, "body: chunk_size_log2"});
    r.push_back({body + 33, body + 36, Field::body, "body: reserved"});
    r.push_back({body + 36, body + 40, Field::body, "body: trailer_length"});
    r.push_back({body + 40, body + 72, Field::body, "body: file_key_commitment"});
    m.t = u32_at(file, body + 36);
    at = body + 72;
    std::uint64_t chunks = 0;
    std::uint64_t entries = 0;
    while (at < m.h - 32) {
        const std::uint16_t type = u16_at(file, at);
        const std::uint32_t length = u32_at(file, at + 2);
        const std::string who = type == 0x8001 ? "ENTRY"
                                : type == 1    ? "MODEL_NAME"
                                : type == 2    ? "MODEL_VERSION"
                                : type == 3    ? "DESCRIPTION"
                                : type == 4    ? "CREATED"
                                : type == 5    ? "OPENVINO_VERSION"
                                : type == 6    ? "SEALED_BY"
                                               : hex16(type);
        r.push_back({at, at + 2, Field::body, "record " + who + ": type"});
        r.push_back({at + 2, at + 6, Field::body, "record " + who + ": length"});
        const std::uint64_t v = at + 6;
        if (type == 0x8001) {
            r.push_back({v, v + 1, Field::body, "record ENTRY: kind"});
            r.push_back({v + 1, v + 2, Field::body, "record ENTRY: reserved"});
            r.push_back({v + 2, v + 4, Field::body, "record ENTRY: name_length"});
            r.push_back({v + 4, v + 12, Field::body, "record ENTRY: size"});
            r.push_back({v + 12, v + length, Field::body, "record ENTRY: name"});
            const std::uint64_t size = u64_at(file, v + 4);
            chunks += std::max<std::uint64_t>(1, (size + chunk_size - 1) / chunk_size);
            ++entries;
        } else {
            r.push_back({v, v + length, Field::body, "record " + who + ": value"});
        }
        at = v + length;
    }
    EXPECT_EQ(at, m.h - 32);
    EXPECT_GT(entries, 0u);
    m.n = chunks;
    r.push_back({m.h - 32, m.h, Field::header_mac, "header MAC"});
    // The trailer: one SIGNATURE record (§8.1).
    const std::uint64_t t = m.trailer_offset();
    EXPECT_EQ(t + m.t, m.size);
    EXPECT_EQ(m.t, 135u);
    r.push_back({t, t + 2, Field::trailer_type, "trailer: record type"});
    r.push_back({t + 2, t + 6, Field::trailer_length_field, "trailer: record length"});
    r.push_back({t + 6, t + 7, Field::algorithm, "trailer: algorithm"});
    r.push_back({t + 7, t + 39, Field::claimed_model_id, "trailer: model id"});
    r.push_back({t + 39, t + 71, Field::signer, "trailer: signer key"});
    r.push_back({t + 71, t + 135, Field::signature, "trailer: signature"});
    return m;
}

// What a reader may get: one of `codes`, or the file opens if `may_open` (an undetected change, §8).
struct Expected {
    Codes codes;
    bool may_open = false;
};

// For a trust-list reader, step 2a parses the body and the trailer before any key (§9): the body outcome of a
// damaged header (the preamble already passed step 1, and the stanzas step 2).
Expected trusted_body_outcome(const Bytes& damaged, const FileMap& m) {
    const std::uint64_t h = u32_at(damaged, 12);
    const std::uint64_t s = u32_at(damaged, 16);
    const auto parsed = spec_parse_body(std::span(damaged).subspan(20 + s, h - 32 - 20 - s));
    if (const auto* code = std::get_if<ErrorCode>(&parsed)) return {{*code}};
    const auto& facts = std::get<BodyFacts>(parsed);
    const auto length = spec_file_length(h, facts);
    if (!length) return {{ErrorCode::malformed_header}};
    if (*length > m.size) return {{ErrorCode::truncated}};
    if (*length < m.size) return {{ErrorCode::trailing_data}};
    if (h == m.h && facts.trailer_length == m.t) {
        // The structure is intact and the trailer where it was: step 2a passes; the header MAC (step 4) or the
        // file key commitment (step 5) fails.
        return {{ErrorCode::header_auth_failed}};
    }
    // The layout moved but still adds up to the file's length: the trailer is read elsewhere.
    return {{ErrorCode::header_auth_failed, ErrorCode::malformed_header, ErrorCode::unsupported_version,
             ErrorCode::signature_required, ErrorCode::untrusted_signer}};
}

// The expected outcome of reader `r` on the file with region `g` damaged (`damaged` is the whole damaged file).
Expected expected_for(const Region& g, const Reader& r, const Bytes& damaged, const FileMap& m) {
    const bool opening = g.stanza >= 0 && r.stanza_type() && m.stanza_of_type(*r.stanza_type()) == g.stanza;
    switch (g.field) {
        case Field::magic:
            return {{ErrorCode::not_ovseal_file}};
        case Field::version:
            return {{ErrorCode::unsupported_version}};
        case Field::stanza_count:
        case Field::stanzas_length:
        case Field::type_length:
        case Field::arg_count:
        case Field::arg_length:
        case Field::body_length:
            // The stanzas no longer fill exactly S bytes, or break a bound, or a known type gets the wrong shape.
            return {{ErrorCode::malformed_header}};
        case Field::header_length: {
            const std::uint64_t h = u32_at(damaged, 12);
            if (h < 124 || h > (16u << 20) || m.s > h - 124) return {{ErrorCode::malformed_header}};
            if (h > m.size) return {{ErrorCode::truncated}};
            if (r.trust) return trusted_body_outcome(damaged, m);
            return {{ErrorCode::header_auth_failed}};  // the MAC is read from elsewhere
        }
        case Field::type: {
            const auto [begin, end] = m.stanza_spans[g.stanza];
            const std::string type(damaged.begin() + begin + 1, damaged.begin() + begin + 1 + damaged[begin]);
            if (!valid_stanza_type(type)) return {{ErrorCode::malformed_header}};
            if (type == "key" || type == "x25519" || type == "p256" || type == "scrypt" || type == "x25519-tagged" ||
                type == "p256-tagged") {
                ADD_FAILURE() << "a one-bit flip made the stanza type '" << type << "': the oracle does not cover it";
                return {};
            }
            // Now of an unknown type: "not mine" for everyone (§4).
            return {{opening ? ErrorCode::no_matching_key : ErrorCode::header_auth_failed}};
        }
        case Field::arg: {
            if (!opening) return {{ErrorCode::header_auth_failed}};
            const Bytes arg(damaged.begin() + g.begin, damaged.begin() + g.end);
            if (r.via == Via::p256 && !ovseal::crypto::p256_decompress(arg)) return {{ErrorCode::malformed_header}};
            if (r.via == Via::x25519) {
                const auto shared = ovseal::crypto::x25519_shared(ovseal::crypto::KeyView(key_bytes(x25519_seed)), arg);
                const auto s = shared.secret();
                if (std::all_of(s.begin(), s.end(), [](std::uint8_t v) { return v == 0; })) {
                    return {{ErrorCode::malformed_header}};  // a low-order point (§7.3)
                }
            }
            return {{ErrorCode::no_matching_key}};  // another salt or ephemeral key: another okm, "not mine"
        }
        case Field::tag:  // the device no longer chooses its stanza (§7.4); for the others, the MAC
        case Field::commitment:
            return {{opening ? ErrorCode::no_matching_key : ErrorCode::header_auth_failed}};
        case Field::wrapped_key:
            return {{ErrorCode::header_auth_failed}};  // §7.4, or the MAC
        case Field::body:
            if (r.trust) return trusted_body_outcome(damaged, m);
            return {{ErrorCode::header_auth_failed}};  // the MAC is checked before the body is read (§9 step 4)
        case Field::header_mac:
            return {{ErrorCode::header_auth_failed}};
        case Field::trailer_type: {
            const std::uint16_t type = u16_at(damaged, g.begin);
            if (type & 0x8000) return {{ErrorCode::unsupported_version}};  // an unknown critical record
            // An unknown non-critical record, ignored: no signature any more.
            if (r.trust) return {{ErrorCode::signature_required}};
            return {{}, true};
        }
        case Field::trailer_length_field:
        case Field::algorithm:
            return {{ErrorCode::malformed_header}};
        case Field::claimed_model_id:
            if (!r.trust) return {{}, true};
            // §13.3 step 2: the license is checked against the claim; otherwise step 7a.
            return {{r.via == Via::license ? ErrorCode::license_wrong_model : ErrorCode::bad_signature}};
        case Field::signer:
            if (!r.trust) return {{}, true};
            return {{ErrorCode::untrusted_signer}};
        case Field::signature:
            if (!r.trust) return {{}, true};
            return {{ErrorCode::bad_signature}};
    }
    return {};
}

// ---------------------------------------------------------------------------------------------------------------
// Opening, checking and counting

class Tally {
public:
    // Opens `path` with `reader`; checks the outcome against `expected`; counts it under `region`.
    void open(const fs::path& path, const Reader& reader, const Expected& expected, const std::string& region,
              const std::function<std::string()>& where) {
        const auto before = ovseal::memory::region_stats().live_bytes;
        std::string outcome;
        std::string problem;
        try {
            const auto info = ovseal::verify(path, reader.ring);
            outcome = "OPENED";
            if (!expected.may_open)
                problem = "the damaged file opened";
            else if (!info.verified)
                problem = "verify returned without verifying";
        } catch (const ovseal::Error& e) {
            outcome = code_name(e.code());
            if (!expected.codes.count(e.code())) problem = std::string("got ") + outcome + " (" + e.what() + ")";
            if (m_messages_checked.insert(region + outcome).second) {
                expect_clean_message(e, key_bytes(key_seed));  // once per region and error: no key bytes quoted
            }
        } catch (const std::exception& e) {
            outcome = "std::exception";
            problem = std::string("a std::exception escaped: ") + e.what();
        } catch (...) {
            outcome = "unknown exception";
            problem = "something other than a std::exception escaped";
        }
        if (ovseal::memory::region_stats().live_bytes != before) {
            problem += (problem.empty() ? "" : "; ") + std::string("locked memory was left behind");
        }
        ++m_counts[region][outcome];
        ++m_by_reader[reader.name][outcome];
        ++m_opens;
        if (!problem.empty()) {
            ++m_failures;
            if (m_failures <= 30) {
                std::string allowed;
                for (auto c : expected.codes) allowed += (allowed.empty() ? "" : "|") + code_name(c);
                if (expected.may_open) allowed += (allowed.empty() ? "" : "|") + std::string("opening");
                ADD_FAILURE() << region << ", " << where() << ", reader " << reader.name << ": " << problem
                              << "; expected " << (allowed.empty() ? "nothing" : allowed);
            }
        }
    }

    std::size_t opens() const { return m_opens; }
    std::size_t failures() const { return m_failures; }

    // Prints the counts per region and outcome, and per reader; records them as test properties.
    void report(const std::string& title, double seconds) const {
        std::ostringstream out;
        out << "\n"
            << title << ": " << m_opens << " opens in " << std::fixed << std::setprecision(1) << seconds << " s, "
            << m_failures << " unexpected\n";
        for (const auto& [region, outcomes] : m_counts) {
            std::size_t total = 0;
            std::string line;
            for (const auto& [outcome, n] : outcomes) {
                total += n;
                line += " " + outcome + "=" + std::to_string(n);
            }
            out << "  " << std::left << std::setw(44) << region << std::right << std::setw(7) << total << " " << line
                << "\n";
            ::testing::Test::RecordProperty(region, line);
        }
        out << "  per reader:\n";
        for (const auto& [reader, outcomes] : m_by_reader) {
            std::string line;
            for (const auto& [outcome, n] : outcomes) line += " " + outcome + "=" + std::to_string(n);
            out << "    " << std::left << std::setw(16) << reader << line << "\n";
        }
        std::cout << out.str() << std::flush;
    }

private:
    std::map<std::string, std::map<std::string, std::size_t>> m_counts;
    std::map<std::string, std::map<std::string, std::size_t>> m_by_reader;
    std::set<std::string> m_messages_checked;
    std::size_t m_opens = 0;
    std::size_t m_failures = 0;
};

class TamperSweep : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        files = std::make_unique<SweepFiles>();
        map = std::make_unique<FileMap>(map_file(files->bytes_a));
    }
    static void TearDownTestSuite() {
        map.reset();
        files.reset();
    }
    static inline std::unique_ptr<SweepFiles> files;
    static inline std::unique_ptr<FileMap> map;
    static const SweepFiles& f() { return *files; }
    static const FileMap& m() { return *map; }

    void SetUp() override { start = std::chrono::steady_clock::now(); }
    double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); }
    void finish(const std::string& title) {
        tally.report(title, seconds());
        EXPECT_EQ(tally.failures(), 0u) << "unexpected outcomes (the first 30 are listed above)";
        // The untouched file still opens for every reader: the sweep damaged nothing but its copies.
        for (const auto& r : f().readers) {
            EXPECT_TRUE(ovseal::verify(f().a, r.ring).verified) << r.name;
        }
    }

    // Opens `bytes` (written to a work file) with every reader, each expecting `expected(reader)`.
    void open_all(const Bytes& bytes, const std::string& region, const std::string& where,
                  const std::function<Expected(const Reader&)>& expected) {
        write_bytes(path, bytes);
        for (const auto& r : f().readers) {
            tally.open(path, r, expected(r), region, [&] { return where; });
        }
    }

    TempDir work;
    fs::path path = work / "damaged.ovseal";
    Tally tally;
    std::chrono::steady_clock::time_point start;
};

// ---------------------------------------------------------------------------------------------------------------

TEST_F(TamperSweep, TheFileIsAsDescribed) {
    // Four chunks (the .xml, then three of .bin), three stanzas in the order sealed, a 135-byte trailer.
    EXPECT_EQ(m().n, 4u);
    EXPECT_EQ(m().size, m().h + 4 * stored_chunk + 135);
    EXPECT_EQ(m().stanza_types, (std::vector<std::string>{"key", "x25519-tagged", "p256-tagged"}));
    // Every reader opens the intact file, through the way it is meant to, and the regions tile the header.
    for (const auto& r : f().readers) {
        const auto info = ovseal::verify(f().a, r.ring);
        EXPECT_TRUE(info.verified) << r.name;
        EXPECT_EQ(info.signature_verified, r.trust) << r.name;
        EXPECT_EQ(info.chunk_count, 4u);
    }
    std::uint64_t at = 0;
    for (const auto& g : m().regions) {
        if (g.begin == m().trailer_offset()) at = g.begin;
        EXPECT_EQ(g.begin, at) << g.name;
        EXPECT_LT(g.begin, g.end) << g.name;
        at = g.end;
    }
    EXPECT_EQ(at, m().size);
    // The oracle's body parser agrees with the intact file.
    const auto parsed = spec_parse_body(std::span(f().bytes_a).subspan(20 + m().s, m().h - 52 - m().s));
    ASSERT_TRUE(std::holds_alternative<BodyFacts>(parsed));
    EXPECT_EQ(spec_file_length(m().h, std::get<BodyFacts>(parsed)), m().size);
}

// Every bit of the header and of the trailer, one at a time, with every reader.
TEST_F(TamperSweep, EveryHeaderAndTrailerBit) {
    Bytes work_bytes = f().bytes_a;
    write_bytes(path, work_bytes);
    for (const auto& g : m().regions) {
        for (std::uint64_t offset = g.begin; offset < g.end; ++offset) {
            for (int bit = 0; bit < 8; ++bit) {
                const std::uint8_t original = work_bytes[offset];
                work_bytes[offset] ^= static_cast<std::uint8_t>(1u << bit);
                patch_byte(path, offset, work_bytes[offset]);
                for (const auto& r : f().readers) {
                    tally.open(path, r, expected_for(g, r, work_bytes, m()), g.name, [&] {
                        return "offset " + std::to_string(offset) + " (+" + std::to_string(offset - g.begin) +
                               " in the field) bit " + std::to_string(bit);
                    });
                }
                work_bytes[offset] = original;
                patch_byte(path, offset, original);
            }
        }
    }
    EXPECT_EQ(tally.opens(), (m().h + m().t) * 8 * f().readers.size());
    finish("every header and trailer bit");
}

// Sampled bits of every chunk's ciphertext and every bit of every tag (§6.2, §9 step 7).
TEST_F(TamperSweep, ChunkAndTagBits) {
    std::mt19937_64 rng(2027);
    Bytes work_bytes = f().bytes_a;
    write_bytes(path, work_bytes);
    // Under a trust list every chunk is digested, but a chunk that fails to decrypt fails step 7 before the
    // signature is checked after the last chunk (7a): payload_auth_failed for every reader.
    const Expected expected{{ErrorCode::payload_auth_failed}};
    for (std::uint64_t i = 0; i < m().n; ++i) {
        std::vector<std::pair<std::uint64_t, int>> flips = {{0, 0}, {1, 3}, {chunk_size - 1, 7}};
        for (int k = 0; k < 29; ++k) {
            flips.emplace_back(rng() % chunk_size, static_cast<int>(rng() % 8));
        }
        for (std::uint64_t t = chunk_size; t < stored_chunk; ++t) {
            for (int bit = 0; bit < 8; ++bit) flips.emplace_back(t, bit);
        }
        for (const auto& [within, bit] : flips) {
            const std::uint64_t offset = m().chunk_offset(i) + within;
            const std::string region = "chunk " + std::to_string(i) + (within < chunk_size ? ": ciphertext" : ": tag");
            const std::uint8_t original = work_bytes[offset];
            patch_byte(path, offset, static_cast<std::uint8_t>(original ^ (1u << bit)));
            for (const auto& r : f().readers) {
                tally.open(path, r, expected, region, [&] {
                    return "offset " + std::to_string(offset) + " (+" + std::to_string(within) + " in chunk " +
                           std::to_string(i) + ") bit " + std::to_string(bit);
                });
            }
            patch_byte(path, offset, original);
        }
    }
    EXPECT_EQ(tally.opens(), m().n * (32 + 128) * f().readers.size());
    finish("chunk and tag bits");
}

// The file cut to every length from its size − 1 down to 0 (§9 steps 1 and 6, §10.1 "file cut short anywhere").
TEST_F(TamperSweep, EveryTruncationLength) {
    write_bytes(path, f().bytes_a);
    const auto near = [&](std::uint64_t n, std::uint64_t mark) { return n + 64 >= mark && n <= mark + 64; };
    std::size_t lengths = 0;
    for (std::uint64_t n = m().size; n-- > 0;) {
        fs::resize_file(path, n);
        ++lengths;
        const std::uint64_t trailer = m().trailer_offset();
        const std::string region = n == 0           ? "cut: empty"
                                   : n < 20         ? "cut: in the preamble"
                                   : n < 20 + m().s ? "cut: in the stanzas"
                                   : n < m().h      ? "cut: in the body or MAC"
                                   : n < trailer    ? "cut: in the payload"
                                                    : "cut: in the trailer";
        // §9 step 1: empty is not_ovseal_file; a prefix of the magic, or anything longer, is truncated.
        const Expected expected{{n == 0 ? ErrorCode::not_ovseal_file : ErrorCode::truncated}};
        bool all = n < m().h + 64 || n + 64 >= trailer;
        for (std::uint64_t i = 1; i < m().n && !all; ++i) all = near(n, m().chunk_offset(i));
        for (std::size_t k = 0; k < f().readers.size(); ++k) {
            // Every length with every reader around the header, the chunk boundaries and the trailer; elsewhere in
            // the payload, every length with one reader in turn (the same check: the length of §9 step 6).
            if (!all && k != n % f().readers.size()) continue;
            tally.open(path, f().readers[k], expected, region,
                       [&] { return "cut to " + std::to_string(n) + " bytes"; });
        }
    }
    EXPECT_EQ(lengths, m().size);
    finish("every truncation length");
}

// ---------------------------------------------------------------------------------------------------------------
// Moving whole pieces: chunks, stanzas, signatures and licenses

Bytes stored(const Bytes& file, const FileMap& m, std::uint64_t i) {
    return Bytes(file.begin() + m.chunk_offset(i), file.begin() + m.chunk_offset(i + 1));
}

// Calls f(reordered, how) with `items` reversed, then rotated by one.
template <typename F>
void for_each_reordering(const std::vector<Bytes>& items, F f) {
    auto r = items;
    std::reverse(r.begin(), r.end());
    f(r, "reversed");
    r = items;
    std::rotate(r.begin(), r.begin() + 1, r.end());
    f(r, "rotated by one");
}

// `file` with its payload replaced by `chunks` (stored chunks, any number) and its trailer kept.
Bytes with_chunks(const Bytes& file, const FileMap& m, const std::vector<Bytes>& chunks) {
    Bytes out(file.begin(), file.begin() + m.h);
    for (const auto& c : chunks) out.insert(out.end(), c.begin(), c.end());
    out.insert(out.end(), file.begin() + m.trailer_offset(), file.end());
    return out;
}

std::vector<Bytes> chunks_of(const Bytes& file, const FileMap& m) {
    std::vector<Bytes> out;
    for (std::uint64_t i = 0; i < m.n; ++i) out.push_back(stored(file, m, i));
    return out;
}

Bytes stanza(const Bytes& file, const FileMap& m, std::size_t i) {
    const auto [begin, end] = m.stanza_spans.at(i);
    return Bytes(file.begin() + begin, file.begin() + end);
}

// `file` with its stanza section replaced by `stanzas`, and the preamble's stanza_count, H and S made to match
// (what anyone can do; only the header MAC cannot be made to match).
Bytes with_stanzas(const Bytes& file, const FileMap& m, const std::vector<Bytes>& stanzas) {
    Bytes section;
    for (const auto& s : stanzas) section.insert(section.end(), s.begin(), s.end());
    Bytes out = file;
    out.erase(out.begin() + 20, out.begin() + 20 + static_cast<std::ptrdiff_t>(m.s));
    out.insert(out.begin() + 20, section.begin(), section.end());
    put_u16(out, 10, static_cast<std::uint16_t>(stanzas.size()));
    put_u32(out, 12, static_cast<std::uint32_t>(m.h - m.s + section.size()));
    put_u32(out, 16, static_cast<std::uint32_t>(section.size()));
    return out;
}

Bytes with_trailer(const Bytes& file, const FileMap& m, const Bytes& trailer_source) {
    Bytes out(file.begin(), file.begin() + m.trailer_offset());
    out.insert(out.end(), trailer_source.end() - m.t, trailer_source.end());
    return out;
}

Expected all(ErrorCode code) {
    return {{code}};
}

TEST_F(TamperSweep, ChunksDuplicatedDroppedReorderedAndSpliced) {
    const Bytes& a = f().bytes_a;
    const Bytes& b = f().bytes_b;
    const auto n = m().n;
    const auto chunks = chunks_of(a, m());
    const auto other = chunks_of(b, map_file(b));
    ASSERT_EQ(map_file(b).h, m().h) << "the other sealing must have the same layout";
    const auto auth = [](const Reader&) { return all(ErrorCode::payload_auth_failed); };
    for (std::uint64_t i = 0; i < n; ++i) {
        for (std::uint64_t j = 0; j < n; ++j) {
            if (i == j) continue;
            auto c = chunks;
            c[j] = chunks[i];
            open_all(with_chunks(a, m(), c), "chunks: one copied over another",
                     "chunk " + std::to_string(i) + " over chunk " + std::to_string(j), auth);
            if (i < j) {
                c = chunks;
                std::swap(c[i], c[j]);
                open_all(with_chunks(a, m(), c), "chunks: two swapped",
                         "chunks " + std::to_string(i) + " and " + std::to_string(j) + " swapped", auth);
            }
            // Chunk i's ciphertext with chunk j's tag.
            c = chunks;
            std::copy(chunks[j].end() - 16, chunks[j].end(), c[i].end() - 16);
            open_all(with_chunks(a, m(), c), "chunks: a tag from another chunk",
                     "chunk " + std::to_string(i) + " with the tag of chunk " + std::to_string(j), auth);
        }
        auto c = chunks;
        c.insert(c.begin() + static_cast<std::ptrdiff_t>(i), chunks[i]);
        open_all(with_chunks(a, m(), c), "chunks: one duplicated (inserted)", "chunk " + std::to_string(i) + " twice",
                 [](const Reader&) { return all(ErrorCode::trailing_data); });
        c = chunks;
        c.erase(c.begin() + static_cast<std::ptrdiff_t>(i));
        open_all(with_chunks(a, m(), c), "chunks: one dropped", "chunk " + std::to_string(i) + " dropped",
                 [](const Reader&) { return all(ErrorCode::truncated); });
        c = chunks;
        c[i] = other[i];
        open_all(with_chunks(a, m(), c), "chunks: one from another sealing", "chunk " + std::to_string(i), auth);
        if (i > 0) {
            c = chunks;
            std::copy(other.begin() + static_cast<std::ptrdiff_t>(i), other.end(),
                      c.begin() + static_cast<std::ptrdiff_t>(i));
            open_all(with_chunks(a, m(), c), "chunks: the rest from another sealing",
                     "chunks " + std::to_string(i) + ".. from the other sealing", auth);
        }
    }
    for_each_reordering(chunks, [&](const std::vector<Bytes>& c, const std::string& how) {
        open_all(with_chunks(a, m(), c), "chunks: reordered", how, auth);
    });
    open_all(with_chunks(a, m(), other), "chunks: the whole payload of another sealing", "all chunks", auth);
    // The other sealing's header (its stanzas open it and its MAC verifies) over this payload, with this trailer:
    // the chunks fail under the other file key; the license (for this file) gives this file's key, which the other
    // header's MAC refuses.
    Bytes spliced(b.begin(), b.begin() + m().h);
    spliced.insert(spliced.end(), a.begin() + m().h, a.end());
    open_all(spliced, "splice: another sealing's header", "header of b, payload and trailer of a", [](const Reader& r) {
        return all(r.via == Via::license ? ErrorCode::header_auth_failed : ErrorCode::payload_auth_failed);
    });
    // ... and with the other sealing's trailer too: the license is for another model id than the one claimed.
    open_all(with_trailer(spliced, m(), b), "splice: another sealing's header and trailer",
             "header and trailer of b, payload of a", [](const Reader& r) {
                 return all(r.via == Via::license ? ErrorCode::license_wrong_model : ErrorCode::payload_auth_failed);
             });
    // Bytes appended after the trailer.
    Bytes longer = a;
    longer.push_back(0);
    open_all(longer, "appended", "one zero byte", [](const Reader&) { return all(ErrorCode::trailing_data); });
    longer = a;
    longer.insert(longer.end(), chunks.back().begin(), chunks.back().end());
    open_all(longer, "appended", "the last chunk again", [](const Reader&) { return all(ErrorCode::trailing_data); });
    longer = a;
    longer.insert(longer.end(), a.end() - m().t, a.end());
    open_all(longer, "appended", "the trailer again", [](const Reader&) { return all(ErrorCode::trailing_data); });
    finish("chunks duplicated, dropped, reordered and spliced");
}

TEST_F(TamperSweep, StanzasRemovedDuplicatedReorderedAndTransplanted) {
    const Bytes& a = f().bytes_a;
    const Bytes& b = f().bytes_b;
    const auto bm = map_file(b);
    const std::size_t count = m().stanza_types.size();
    std::vector<Bytes> stanzas;
    for (std::size_t i = 0; i < count; ++i) stanzas.push_back(stanza(a, m(), i));
    const auto mac = [](const Reader&) { return all(ErrorCode::header_auth_failed); };
    // Sanity: rebuilding with the same stanzas gives the file back.
    ASSERT_EQ(with_stanzas(a, m(), stanzas), a);
    for (std::size_t i = 0; i < count; ++i) {
        const std::string type = m().stanza_types[i];
        auto s = stanzas;
        s.erase(s.begin() + static_cast<std::ptrdiff_t>(i));
        // Its reader has no stanza left (§7.4); the others open theirs and the MAC refuses the change.
        open_all(with_stanzas(a, m(), s), "stanzas: one removed", "the " + type + " stanza removed",
                 [&](const Reader& r) {
                     return all(r.stanza_type() == type ? ErrorCode::no_matching_key : ErrorCode::header_auth_failed);
                 });
        s = stanzas;
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(i), stanzas[i]);
        open_all(with_stanzas(a, m(), s), "stanzas: one duplicated", "the " + type + " stanza twice", mac);
        // The same stanza of the other sealing (same key, same devices): it opens, to the other file key.
        s = stanzas;
        s[i] = stanza(b, bm, i);
        open_all(with_stanzas(a, m(), s), "stanzas: one from another sealing", "the " + type + " stanza of b", mac);
        s = stanzas;
        s.push_back(stanza(b, bm, i));
        open_all(with_stanzas(a, m(), s), "stanzas: one from another sealing added",
                 "the " + type + " stanza of b appended", mac);
        s = stanzas;
        s.insert(s.begin(), stanza(b, bm, i));
        open_all(with_stanzas(a, m(), s), "stanzas: one from another sealing added",
                 "the " + type + " stanza of b first", mac);
    }
    for_each_reordering(stanzas, [&](const std::vector<Bytes>& s, const std::string& how) {
        open_all(with_stanzas(a, m(), s), "stanzas: reordered", how, mac);
    });
    std::vector<Bytes> theirs;
    for (std::size_t i = 0; i < count; ++i) theirs.push_back(stanza(b, bm, i));
    open_all(with_stanzas(a, m(), theirs), "stanzas: all from another sealing", "the stanzas of b", mac);
    // A stanza of a type nobody knows is skipped (§4), but the MAC covers it.
    const std::string future = "future-kind";
    Bytes unknown = {static_cast<std::uint8_t>(future.size())};
    unknown.insert(unknown.end(), future.begin(), future.end());
    unknown.insert(unknown.end(), {1, 4, 0, 1, 2, 3, 4, 3, 0, 9, 9, 9});
    auto s = stanzas;
    s.push_back(unknown);
    open_all(with_stanzas(a, m(), s), "stanzas: an unknown one added", "a 'future-kind' stanza", mac);
    // One stanza left alone: its reader (and the license) get past step 3 and the MAC refuses the change; the
    // other readers have nothing to open.
    for (std::size_t i = 0; i < count; ++i) {
        const std::string type = m().stanza_types[i];
        open_all(with_stanzas(a, m(), {stanzas[i]}), "stanzas: one left alone", "only the " + type + " stanza",
                 [&](const Reader& r) {
                     if (r.via == Via::license || r.stanza_type() == type) return all(ErrorCode::header_auth_failed);
                     return all(ErrorCode::no_matching_key);
                 });
    }
    finish("stanzas removed, duplicated, reordered and transplanted");
}

TEST_F(TamperSweep, SignaturesAndLicensesFromAnotherFile) {
    const Bytes& a = f().bytes_a;
    // §8: without a trust list the signature is not verified, so another file's trailer is not detected; under a
    // trust list it is bad_signature (same publisher), untrusted_signer (another), and a license bound to this
    // model no longer matches the claim (§13.3 step 2).
    open_all(with_trailer(a, m(), f().bytes_b), "trailer: another sealing's (same publisher)", "trailer of b",
             [](const Reader& r) -> Expected {
                 if (!r.trust) return {{}, true};
                 return all(r.via == Via::license ? ErrorCode::license_wrong_model : ErrorCode::bad_signature);
             });
    open_all(with_trailer(a, m(), f().bytes_c), "trailer: another publisher's", "trailer of c (untrusted signer)",
             [](const Reader& r) -> Expected {
                 if (!r.trust) return {{}, true};
                 return all(ErrorCode::untrusted_signer);
             });
    Bytes cut(a.begin(), a.end() - m().t);
    open_all(cut, "trailer: removed", "no trailer (T still 135)",
             [](const Reader&) { return all(ErrorCode::truncated); });

    // The other publisher trusted too: its signature is checked, and fails.
    write_bytes(path, with_trailer(a, m(), f().bytes_c));
    for (auto r : f().readers) {
        if (!r.trust) continue;
        r.ring.trusted.push_back(f().stranger.public_key());
        r.name += "+stranger";
        tally.open(path, r, all(r.via == Via::license ? ErrorCode::license_wrong_model : ErrorCode::bad_signature),
                   "trailer: another publisher's, trusted too", [] { return "trailer of c"; });
    }

    // Licenses: for the other sealing; for this one but on the other sealing; and a license moved together with
    // the trailer it matches (it then yields the other file key, which this header's MAC refuses).
    KeyRing ring = f().readers.back().ring;
    ASSERT_EQ(ring.licenses, std::vector<fs::path>{f().license_a});
    Reader with_b{"license-b+trust", Via::license, true, ring};
    with_b.ring.licenses = {f().license_b};
    write_bytes(path, a);
    tally.open(path, with_b, all(ErrorCode::license_wrong_model), "license: another model's",
               [] { return "license of b on a"; });
    tally.open(f().b, f().readers.back(), all(ErrorCode::license_wrong_model), "license: another model's",
               [] { return "license of a on b"; });
    write_bytes(path, with_trailer(a, m(), f().bytes_b));
    tally.open(path, with_b, all(ErrorCode::header_auth_failed), "license and trailer: another model's",
               [] { return "license and trailer of b on a"; });
    Bytes spliced(f().bytes_b.begin(), f().bytes_b.begin() + m().h);
    spliced.insert(spliced.end(), a.begin() + m().h, a.begin() + m().trailer_offset());
    spliced.insert(spliced.end(), f().bytes_b.end() - m().t, f().bytes_b.end());
    write_bytes(path, spliced);
    tally.open(path, with_b, all(ErrorCode::payload_auth_failed), "license, header and trailer: another model's",
               [] { return "header, trailer and license of b, payload of a"; });
    finish("signatures and licenses from another file");
}

}  // namespace
