// SPDX-License-Identifier: Apache-2.0
// Parsing and writing the header's preamble, stanzas, body records and trailer, rejecting anything malformed.

#include "format/header.hpp"

#include <algorithm>
#include <cstring>
#include <set>
#include <string>

#include "format/byte_io.hpp"

namespace ovseal::format {
namespace {

[[noreturn]] void malformed(const std::string& what) {
    throw Error(ErrorCode::malformed_header, "header is malformed: " + what);
}

std::string number(std::uint64_t value) {
    return std::to_string(value);
}

// "64 KiB", "1 MiB", "16 MiB": a bound of the format as the messages name it (a whole number of KiB or MiB).
std::string binary_size(std::uint64_t bytes) {
    if (bytes % (1u << 20) == 0) return number(bytes >> 20) + " MiB";
    if (bytes % (1u << 10) == 0) return number(bytes >> 10) + " KiB";
    return number(bytes) + " bytes";
}

bool valid_stanza_type(std::string_view type) {
    return !type.empty() && type.size() <= max_stanza_type && std::all_of(type.begin(), type.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t extra = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            extra = 1, cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2, cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3, cp = c & 0x07;
        } else {
            return false;
        }
        if (i + extra >= s.size()) {
            return false;
        }
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (cc & 0x3F);
        }
        static constexpr std::uint32_t min_for_length[] = {0, 0x80, 0x800, 0x10000};
        if (cp < min_for_length[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += extra + 1;
    }
    return true;
}

void check_entry_name(const std::string& name) {
    if (name.empty() || name.size() > max_entry_name) {
        malformed("an entry name is empty or longer than " + number(max_entry_name) + " bytes");
    }
    if (name == "." || name == "..") {
        malformed("an entry is named '.' or '..'");
    }
    for (char ch : name) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F || c == '/' || c == '\\') {
            malformed("an entry name contains a control character or a path separator");
        }
    }
    if (!valid_utf8(name)) {
        malformed("an entry name is not valid UTF-8");
    }
}

std::string text_value(std::span<const std::uint8_t> value, std::size_t limit, const char* what) {
    if (value.size() > limit) {
        malformed(std::string(what) + " is longer than " + std::to_string(limit) + " bytes");
    }
    return as_string(value);
}

template <typename T>
void set_once(std::optional<T>& slot, T value, const char* what) {
    if (slot.has_value()) {
        malformed(std::string("the ") + what + " record appears twice");
    }
    slot = std::move(value);
}

Entry parse_entry(std::span<const std::uint8_t> value) {
    ByteReader r(value, ErrorCode::malformed_header);
    Entry e;
    e.kind = r.u8("entry kind");
    if (e.kind == 0) {
        malformed("an entry has kind 0");
    }
    if (r.u8("entry reserved byte") != 0) {
        malformed("an entry's reserved byte is not zero");
    }
    const std::uint16_t name_length = r.u16("entry name length");
    e.size = r.u64("entry size");
    if (value.size() != 12u + name_length) {
        malformed("an entry record's length does not match its name length");
    }
    e.name = as_string(r.take(name_length, "entry name"));
    if (e.size > max_entry_size) {
        malformed("an entry is larger than 2^" + number(max_entry_size_log2) + " bytes");
    }
    check_entry_name(e.name);
    return e;
}

struct Record {
    std::uint16_t type;
    std::span<const std::uint8_t> value;
};

// The next record of a body or trailer (§5.1), within the record count and value bounds.
Record next_record(ByteReader& r, std::size_t& count, const char* where) {
    if (++count > max_records) {
        malformed("more than " + number(max_records) + " records in the " + where);
    }
    const std::uint16_t type = r.u16("record type");
    const std::uint32_t length = r.u32("record length");
    if (length > max_record_value) {
        malformed("a record is longer than " + number(max_record_value) + " bytes");
    }
    return {type, r.take(length, "record value")};
}

}  // namespace

Preamble parse_preamble(std::span<const std::uint8_t> prefix, std::uint64_t file_size) {
    if (file_size == 0) {
        throw Error(ErrorCode::not_ovseal_file, "not an ovseal file: the file is empty");
    }
    const std::size_t magic_bytes = std::min<std::size_t>(magic.size(), prefix.size());
    if (std::memcmp(prefix.data(), magic.data(), magic_bytes) != 0) {
        throw Error(ErrorCode::not_ovseal_file, "not an ovseal file: it does not start with the ovseal magic");
    }
    if (file_size < 10 || prefix.size() < 10) {
        throw Error(ErrorCode::truncated, "file is truncated: it ends inside the preamble");
    }
    Preamble p;
    p.version = load_u16(prefix.data() + 8);
    if (p.version != version) {
        throw Error(ErrorCode::unsupported_version, "unsupported format version " + std::to_string(p.version) +
                                                        " (this ovseal reads version " + std::to_string(version) +
                                                        "); upgrade ovseal");
    }
    if (file_size < preamble_size || prefix.size() < preamble_size) {
        throw Error(ErrorCode::truncated, "file is truncated: it ends inside the preamble");
    }
    p.stanza_count = load_u16(prefix.data() + 10);
    p.header_length = load_u32(prefix.data() + 12);
    p.stanzas_length = load_u32(prefix.data() + 16);
    if (p.stanza_count == 0 || p.stanza_count > max_stanzas) {
        malformed("stanza count " + number(p.stanza_count) + " is outside 1.." + number(max_stanzas));
    }
    if (p.header_length < min_header_size || p.header_length > max_header_size) {
        malformed("header length " + std::to_string(p.header_length) + " is out of bounds");
    }
    if (p.stanzas_length > p.header_length - min_header_size) {
        malformed("stanza section length does not fit in the header");
    }
    if (p.header_length > file_size) {
        throw Error(ErrorCode::truncated, "file is truncated: it ends inside the header");
    }
    return p;
}

std::vector<Stanza> parse_stanzas(std::span<const std::uint8_t> section, std::uint16_t count) {
    ByteReader r(section, ErrorCode::malformed_header);
    std::vector<Stanza> stanzas;
    stanzas.reserve(count);  // count is bounded by max_stanzas
    for (std::uint16_t i = 0; i < count; ++i) {
        Stanza s;
        const std::uint8_t type_length = r.u8("stanza type length");
        if (type_length == 0 || type_length > max_stanza_type) {
            malformed("a stanza type length is outside 1.." + number(max_stanza_type));
        }
        s.type = as_string(r.take(type_length, "stanza type"));
        if (!valid_stanza_type(s.type)) {
            malformed("a stanza type has characters outside a-z, 0-9 and '-'");
        }
        const std::uint8_t arg_count = r.u8("stanza argument count");
        if (arg_count > max_stanza_args) {
            malformed("a stanza has more than " + number(max_stanza_args) + " arguments");
        }
        for (std::uint8_t a = 0; a < arg_count; ++a) {
            const std::uint16_t length = r.u16("stanza argument length");
            if (length > max_stanza_arg) {
                malformed("a stanza argument is longer than " + number(max_stanza_arg) + " bytes");
            }
            auto arg = r.take(length, "stanza argument");
            s.args.emplace_back(arg.begin(), arg.end());
        }
        const std::uint16_t body_length = r.u16("stanza body length");
        if (body_length > max_stanza_body) {
            malformed("a stanza body is longer than " + number(max_stanza_body) + " bytes");
        }
        auto body = r.take(body_length, "stanza body");
        s.body.assign(body.begin(), body.end());
        stanzas.push_back(std::move(s));
    }
    if (!r.at_end()) {
        malformed("the stanzas do not fill the stanza section exactly");
    }
    return stanzas;
}

Body parse_body(std::span<const std::uint8_t> bytes) {
    ByteReader r(bytes, ErrorCode::malformed_header);
    Body b;
    auto salt = r.take(32, "payload salt");
    std::copy(salt.begin(), salt.end(), b.payload_salt.begin());
    b.chunk_size_log2 = r.u8("chunk size");
    if (b.chunk_size_log2 < min_chunk_log2 || b.chunk_size_log2 > max_chunk_log2) {
        malformed("chunk size 2^" + number(b.chunk_size_log2) + " is outside " + binary_size(1u << min_chunk_log2) +
                  ".." + binary_size(1u << max_chunk_log2));
    }
    auto reserved = r.take(3, "reserved bytes");
    if (std::any_of(reserved.begin(), reserved.end(), [](std::uint8_t v) { return v != 0; })) {
        malformed("reserved bytes are not zero");
    }
    b.trailer_length = r.u32("trailer length");
    if (b.trailer_length > max_trailer) {
        malformed("trailer length is larger than " + binary_size(max_trailer));
    }
    auto commitment = r.take(32, "file key commitment");
    std::copy(commitment.begin(), commitment.end(), b.file_key_commitment.begin());

    std::set<std::string> names;
    std::size_t records = 0;
    Metadata& m = b.metadata;
    while (!r.at_end()) {
        const auto [type, value] = next_record(r, records, "header");
        switch (type) {
            case record::entry: {
                if (b.entries.size() == max_entries) {
                    malformed("more than " + number(max_entries) + " entries");
                }
                Entry e = parse_entry(value);
                if (!names.insert(e.name).second) {
                    malformed("two entries share a name");
                }
                b.entries.push_back(std::move(e));
                break;
            }
            case record::model_name:
                set_once(m.model_name, text_value(value, max_short_text, "model name"), "model name");
                break;
            case record::model_version:
                set_once(m.model_version, text_value(value, max_short_text, "model version"), "model version");
                break;
            case record::description:
                set_once(m.description, text_value(value, max_description, "description"), "description");
                break;
            case record::openvino_version:
                set_once(m.openvino_version, text_value(value, max_short_text, "OpenVINO version"), "OpenVINO version");
                break;
            case record::sealed_by:
                set_once(m.sealed_by, text_value(value, max_short_text, "sealing tool"), "sealing tool");
                break;
            case record::cache_binding:
                set_once(m.cache_binding, std::vector<std::uint8_t>(value.begin(), value.end()), "cache binding");
                break;
            case record::license_only:
                if (!value.empty()) {
                    malformed("the license-only record is not empty");
                }
                if (m.license_only) {
                    malformed("the license-only record appears twice");
                }
                m.license_only = true;
                break;
            case record::created: {
                if (value.size() != 8) {
                    malformed("the creation time record is not 8 bytes");
                }
                ByteReader v(value, ErrorCode::malformed_header);
                set_once(m.created, v.u64("creation time"), "creation time");
                break;
            }
            default:
                if (type & record_critical) {
                    throw Error(ErrorCode::unsupported_version,
                                "the file needs a newer ovseal: it has critical record type " + std::to_string(type));
                }
                m.unknown_records.push_back(type);
        }
    }
    if (b.entries.empty()) {
        malformed("the package has no entries");
    }
    return b;
}

std::span<const std::uint8_t> header_body(std::span<const std::uint8_t> header, std::uint32_t stanzas_length) {
    if (header.size() < min_header_size || stanzas_length > header.size() - min_header_size) {
        malformed("stanza section length does not fit in the header");
    }
    const std::size_t start = preamble_size + stanzas_length;
    return header.subspan(start, header.size() - header_mac_size - start);
}

std::span<const std::uint8_t> mac_covered_part(std::span<const std::uint8_t> header) {
    if (header.size() < min_header_size) malformed("header length " + number(header.size()) + " is out of bounds");
    return header.first(header.size() - header_mac_size);
}

std::span<const std::uint8_t> stored_header_mac(std::span<const std::uint8_t> header) {
    if (header.size() < min_header_size) malformed("header length " + number(header.size()) + " is out of bounds");
    return header.last(header_mac_size);
}

Trailer parse_trailer(std::span<const std::uint8_t> bytes) {
    ByteReader r(bytes, ErrorCode::malformed_header);
    Trailer trailer;
    std::size_t records = 0;
    while (!r.at_end()) {
        const auto [type, value] = next_record(r, records, "trailer");
        if (type == trailer_record::signature) {
            if (trailer.signature) malformed("the trailer has two signatures");
            if (value.size() != trailer_record::signature_size) malformed("the signature record has the wrong length");
            if (value[0] != trailer_record::ed25519) malformed("the signature algorithm is not Ed25519");
            SignatureRecord sig;
            std::copy_n(value.begin() + 1, 32, sig.model_id.begin());
            std::copy_n(value.begin() + 33, 32, sig.signer.begin());
            std::copy_n(value.begin() + 65, 64, sig.signature.begin());
            trailer.signature = sig;
        } else if (type & record_critical) {
            throw Error(ErrorCode::unsupported_version,
                        "the file needs a newer ovseal: it has critical trailer record type " + std::to_string(type));
        }
    }
    return trailer;
}

std::vector<std::uint8_t> trailer_bytes(const Trailer& trailer) {
    ByteWriter w;
    if (trailer.signature) {
        w.u16(trailer_record::signature);
        w.u32(trailer_record::signature_size);
        w.u8(trailer_record::ed25519);
        w.bytes(trailer.signature->model_id);
        w.bytes(trailer.signature->signer);
        w.bytes(trailer.signature->signature);
    }
    return std::move(w.buffer());
}

std::vector<std::uint8_t> stanza_bytes(const Stanza& s) {
    if (!valid_stanza_type(s.type) || s.args.size() > max_stanza_args || s.body.size() > max_stanza_body) {
        throw Error(ErrorCode::internal, "refusing to write a stanza outside the format's bounds");
    }
    ByteWriter w;
    w.u8(static_cast<std::uint8_t>(s.type.size()));
    w.text(s.type);
    w.u8(static_cast<std::uint8_t>(s.args.size()));
    for (const auto& arg : s.args) {
        if (arg.size() > max_stanza_arg) {
            throw Error(ErrorCode::internal,
                        "refusing to write a stanza argument over " + number(max_stanza_arg) + " bytes");
        }
        w.u16(static_cast<std::uint16_t>(arg.size()));
        w.bytes(arg);
    }
    w.u16(static_cast<std::uint16_t>(s.body.size()));
    w.bytes(s.body);
    return std::move(w.buffer());
}

namespace {

void text_record(ByteWriter& w, std::uint16_t type, const std::optional<std::string>& value, std::size_t limit,
                 const char* what) {
    if (!value) {
        return;
    }
    if (value->size() > limit) {
        throw Error(ErrorCode::usage,
                    std::string("the ") + what + " is longer than " + std::to_string(limit) + " bytes");
    }
    w.u16(type);
    w.u32(static_cast<std::uint32_t>(value->size()));
    w.text(*value);
}

}  // namespace

std::vector<std::uint8_t> body_bytes(const Body& b) {
    ByteWriter w;
    w.bytes(b.payload_salt);
    w.u8(b.chunk_size_log2);
    w.u8(0), w.u8(0), w.u8(0);
    w.u32(b.trailer_length);
    w.bytes(b.file_key_commitment);
    if (b.entries.empty() || b.entries.size() > max_entries) {
        throw Error(ErrorCode::usage, "a package holds 1 to " + number(max_entries) + " entries");
    }
    for (const Entry& e : b.entries) {
        check_entry_name(e.name);
        w.u16(record::entry);
        w.u32(static_cast<std::uint32_t>(12 + e.name.size()));
        w.u8(e.kind);
        w.u8(0);
        w.u16(static_cast<std::uint16_t>(e.name.size()));
        w.u64(e.size);
        w.text(e.name);
    }
    const Metadata& m = b.metadata;
    text_record(w, record::model_name, m.model_name, max_short_text, "model name");
    text_record(w, record::model_version, m.model_version, max_short_text, "model version");
    text_record(w, record::description, m.description, max_description, "description");
    if (m.created) {
        w.u16(record::created);
        w.u32(8);
        w.u64(*m.created);
    }
    text_record(w, record::openvino_version, m.openvino_version, max_short_text, "OpenVINO version");
    text_record(w, record::sealed_by, m.sealed_by, max_short_text, "sealing tool");
    if (m.license_only) {
        w.u16(record::license_only);
        w.u32(0);
    }
    if (m.cache_binding) {
        if (m.cache_binding->size() > max_record_value) {
            throw Error(ErrorCode::usage, "the cache binding is longer than a record holds");
        }
        w.u16(record::cache_binding);
        w.u32(static_cast<std::uint32_t>(m.cache_binding->size()));
        w.bytes(*m.cache_binding);
    }
    return std::move(w.buffer());
}

std::vector<std::uint8_t> header_without_mac(const std::vector<Stanza>& stanzas, const Body& body) {
    return header_with_body_bytes(stanzas, body_bytes(body));
}

std::vector<std::uint8_t> header_with_body_bytes(const std::vector<Stanza>& stanzas,
                                                 std::span<const std::uint8_t> body_part) {
    if (stanzas.empty() || stanzas.size() > max_stanzas) {
        throw Error(ErrorCode::usage, "a sealed file needs 1 to " + number(max_stanzas) + " stanzas");
    }
    std::vector<std::uint8_t> section;
    for (const Stanza& s : stanzas) {
        auto bytes = stanza_bytes(s);
        section.insert(section.end(), bytes.begin(), bytes.end());
    }
    const std::size_t total = preamble_size + section.size() + body_part.size() + header_mac_size;
    if (total > max_header_size) {
        throw Error(ErrorCode::usage, "the header would exceed " + binary_size(max_header_size) +
                                          " (too many stanzas or too much metadata)");
    }
    ByteWriter w;
    w.bytes(magic);
    w.u16(version);
    w.u16(static_cast<std::uint16_t>(stanzas.size()));
    w.u32(static_cast<std::uint32_t>(total));
    w.u32(static_cast<std::uint32_t>(section.size()));
    w.bytes(section);
    w.bytes(body_part);
    return std::move(w.buffer());
}

}  // namespace ovseal::format
