// SPDX-License-Identifier: Apache-2.0
// Pure parser tests for src/format/header.hpp (docs/FORMAT.md §3–§5, §8): no files, no keys.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "format/byte_io.hpp"
#include "format/header.hpp"
#include "format/limits.hpp"
#include "keys/stanzas.hpp"
#include "ovseal/error.hpp"

namespace {

using namespace ovseal;
using Bytes = std::vector<std::uint8_t>;

ErrorCode code_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()), "");
        return e.code();
    }
    return ErrorCode::ok;
}

Bytes pattern(std::size_t n, std::uint8_t start) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) {
        b[i] = static_cast<std::uint8_t>(start + i);
    }
    return b;
}

Bytes preamble(std::uint16_t version, std::uint16_t count, std::uint32_t h, std::uint32_t s) {
    format::ByteWriter w;
    w.bytes(format::magic);
    w.u16(version);
    w.u16(count);
    w.u32(h);
    w.u32(s);
    return w.buffer();
}

// A body written by hand, so that the parser sees values the writer refuses to produce.
struct BodyBuilder {
    std::uint8_t chunk_log2 = 16;
    std::uint8_t reserved[3] = {0, 0, 0};
    std::uint32_t trailer = 0;
    format::ByteWriter records;

    BodyBuilder& record(std::uint16_t type, const Bytes& value) {
        records.u16(type);
        records.u32(static_cast<std::uint32_t>(value.size()));
        records.bytes(value);
        return *this;
    }
    BodyBuilder& text(std::uint16_t type, const std::string& value) {
        return record(type, Bytes(value.begin(), value.end()));
    }
    BodyBuilder& entry(std::uint8_t kind, const std::string& name, std::uint64_t size, std::uint8_t reserved_byte = 0,
                       int length_delta = 0) {
        format::ByteWriter v;
        v.u8(kind);
        v.u8(reserved_byte);
        v.u16(static_cast<std::uint16_t>(name.size()));
        v.u64(size);
        v.text(name);
        Bytes value = v.buffer();
        if (length_delta > 0) {
            value.push_back(0);
        } else if (length_delta < 0) {
            value.pop_back();
        }
        return record(format::record::entry, value);
    }
    Bytes bytes() {
        format::ByteWriter w;
        w.bytes(pattern(32, 0x10));
        w.u8(chunk_log2);
        w.u8(reserved[0]), w.u8(reserved[1]), w.u8(reserved[2]);
        w.u32(trailer);
        w.bytes(pattern(32, 0x40));
        w.bytes(records.buffer());
        return w.buffer();
    }
};

ErrorCode body_code(BodyBuilder& b) {
    const Bytes bytes = b.bytes();
    return code_of([&] { format::parse_body(bytes); });
}

ErrorCode entry_name_code(const std::string& name) {
    BodyBuilder b;
    b.entry(1, name, 10);
    return body_code(b);
}

format::Body full_body() {
    format::Body body;
    for (std::size_t i = 0; i < 32; ++i) {
        body.payload_salt[i] = static_cast<std::uint8_t>(i * 7);
        body.file_key_commitment[i] = static_cast<std::uint8_t>(255 - i);
    }
    body.chunk_size_log2 = 17;
    body.trailer_length = 0;
    body.entries = {{1, "model.xml", 1234}, {2, "model.bin", 0}, {200, "mod\xC3\xA8le extra", std::uint64_t{1} << 40}};
    auto& m = body.metadata;
    m.model_name = "resnet";
    m.model_version = "1.2.3";
    m.description = std::string("multi\nline \x01 control and \xFF invalid UTF-8 kept as is");
    m.created = 1764028800;
    m.openvino_version = "2026.4.1";
    m.sealed_by = "ovseal 0.1.0";
    return body;
}

std::vector<format::Stanza> some_stanzas() {
    return {
        {"key", {pattern(32, 1)}, pattern(80, 2)},
        {"scrypt", {pattern(32, 3), {16, 8, 1}}, pattern(80, 4)},
        {"future-type-9", {{}, {1, 2, 3}}, {}},
    };
}

TEST(FormatHeader, SerializeParseRoundTrip) {
    const auto stanzas = some_stanzas();
    const auto body = full_body();
    Bytes file = format::header_without_mac(stanzas, body);
    file.resize(file.size() + format::header_mac_size, 0xAA);

    const auto p = format::parse_preamble(std::span(file).first(format::preamble_size), file.size());
    EXPECT_EQ(p.version, 1);
    EXPECT_EQ(p.stanza_count, 3);
    EXPECT_EQ(p.header_length, file.size());
    std::size_t stanza_total = 0;
    for (const auto& s : stanzas) {
        stanza_total += format::stanza_bytes(s).size();
    }
    EXPECT_EQ(p.stanzas_length, stanza_total);

    const auto parsed_stanzas =
        format::parse_stanzas(std::span(file).subspan(format::preamble_size, p.stanzas_length), p.stanza_count);
    ASSERT_EQ(parsed_stanzas.size(), stanzas.size());
    for (std::size_t i = 0; i < stanzas.size(); ++i) {
        EXPECT_EQ(parsed_stanzas[i].type, stanzas[i].type);
        EXPECT_EQ(parsed_stanzas[i].args, stanzas[i].args);
        EXPECT_EQ(parsed_stanzas[i].body, stanzas[i].body);
    }

    const auto parsed = format::parse_body(format::header_body(file, p.stanzas_length));
    EXPECT_EQ(parsed.payload_salt, body.payload_salt);
    EXPECT_EQ(parsed.file_key_commitment, body.file_key_commitment);
    EXPECT_EQ(parsed.chunk_size_log2, 17);
    EXPECT_EQ(parsed.trailer_length, 0u);
    ASSERT_EQ(parsed.entries.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(parsed.entries[i].kind, body.entries[i].kind);
        EXPECT_EQ(parsed.entries[i].name, body.entries[i].name);
        EXPECT_EQ(parsed.entries[i].size, body.entries[i].size);
    }
    const auto& m = parsed.metadata;
    EXPECT_EQ(m.model_name, body.metadata.model_name);
    EXPECT_EQ(m.model_version, body.metadata.model_version);
    EXPECT_EQ(m.description, body.metadata.description);
    EXPECT_EQ(m.created, body.metadata.created);
    EXPECT_EQ(m.openvino_version, body.metadata.openvino_version);
    EXPECT_EQ(m.sealed_by, body.metadata.sealed_by);
    EXPECT_TRUE(m.unknown_records.empty());
}

// The header's regions (§3–§5), computed once for every reader and writer: the body as body_bytes wrote it, what
// the MAC covers (everything before it) and the MAC.
TEST(FormatHeader, RegionsOfAHeader) {
    const auto stanzas = some_stanzas();
    const auto body = full_body();
    const Bytes without_mac = format::header_without_mac(stanzas, body);
    Bytes file = without_mac;
    file.resize(file.size() + format::header_mac_size, 0xAA);
    const auto p = format::parse_preamble(std::span(file).first(format::preamble_size), file.size());

    EXPECT_EQ(
        Bytes(format::header_body(file, p.stanzas_length).begin(), format::header_body(file, p.stanzas_length).end()),
        format::body_bytes(body));
    EXPECT_EQ(Bytes(format::mac_covered_part(file).begin(), format::mac_covered_part(file).end()), without_mac);
    EXPECT_EQ(Bytes(format::stored_header_mac(file).begin(), format::stored_header_mac(file).end()),
              Bytes(format::header_mac_size, 0xAA));
    // A stanza section or a header too long for the bounds parse_preamble checks is malformed, never a bad slice.
    EXPECT_EQ(code_of([&] { format::header_body(file, static_cast<std::uint32_t>(file.size())); }),
              ErrorCode::malformed_header);
    EXPECT_EQ(code_of([&] { format::mac_covered_part(std::span(file).first(format::min_header_size - 1)); }),
              ErrorCode::malformed_header);
    EXPECT_EQ(code_of([&] { format::stored_header_mac(std::span(file).first(10)); }), ErrorCode::malformed_header);
}

TEST(FormatHeader, MinimalBodyRoundTrip) {
    format::Body body;
    body.entries = {{3, "m.onnx", 5}};
    const auto bytes = format::body_bytes(body);
    EXPECT_EQ(bytes.size(), format::body_fixed_size + 6 + 12 + 6);
    const auto parsed = format::parse_body(bytes);
    ASSERT_EQ(parsed.entries.size(), 1u);
    EXPECT_EQ(parsed.entries[0].name, "m.onnx");
    EXPECT_FALSE(parsed.metadata.model_name.has_value());
    EXPECT_FALSE(parsed.metadata.created.has_value());
}

TEST(FormatHeader, PreambleLayoutIsLittleEndian) {
    const auto h = format::header_without_mac({{"key", {pattern(32, 1)}, pattern(80, 2)}}, full_body());
    ASSERT_GE(h.size(), 20u);
    EXPECT_TRUE(std::equal(format::magic.begin(), format::magic.end(), h.begin()));
    EXPECT_EQ(h[8], 1);
    EXPECT_EQ(h[9], 0);
    EXPECT_EQ(format::load_u16(&h[10]), 1);
    EXPECT_EQ(format::load_u32(&h[12]), h.size() + 32);
    EXPECT_EQ(format::load_u32(&h[16]), 1u + 3 + 1 + 2 + 32 + 2 + 80);
}

TEST(FormatPreamble, MagicVersionAndTruncation) {
    const auto good = preamble(1, 1, 200, 50);
    EXPECT_EQ(code_of([] { format::parse_preamble({}, 0); }), ErrorCode::not_ovseal_file);
    Bytes wrong = good;
    wrong[0] = 0x88;
    EXPECT_EQ(code_of([&] { format::parse_preamble(wrong, 1000); }), ErrorCode::not_ovseal_file);
    wrong = good;
    wrong[7] = '\r';
    EXPECT_EQ(code_of([&] { format::parse_preamble(wrong, 1000); }), ErrorCode::not_ovseal_file);
    Bytes text = {'<', '?', 'x', 'm', 'l'};
    EXPECT_EQ(code_of([&] { format::parse_preamble(text, text.size()); }), ErrorCode::not_ovseal_file);
    for (std::size_t n = 1; n < 20; ++n) {
        const auto prefix = std::span(good).first(n);
        EXPECT_EQ(code_of([&] { format::parse_preamble(prefix, n); }), ErrorCode::truncated) << n;
    }
    const auto v2 = preamble(2, 1, 200, 50);
    EXPECT_EQ(code_of([&] { format::parse_preamble(std::span(v2).first(10), 10); }), ErrorCode::unsupported_version);
    EXPECT_EQ(code_of([&] { format::parse_preamble(v2, 1000); }), ErrorCode::unsupported_version);
    const auto v0 = preamble(0, 1, 200, 50);
    EXPECT_EQ(code_of([&] { format::parse_preamble(v0, 1000); }), ErrorCode::unsupported_version);
    const auto p = format::parse_preamble(good, 200);
    EXPECT_EQ(p.stanza_count, 1);
    EXPECT_EQ(p.header_length, 200u);
    EXPECT_EQ(p.stanzas_length, 50u);
}

TEST(FormatPreamble, Bounds) {
    auto code = [&](std::uint16_t count, std::uint32_t h, std::uint32_t s,
                    std::uint64_t file = std::uint64_t{1} << 30) {
        const auto p = preamble(1, count, h, s);
        return code_of([&] { format::parse_preamble(p, file); });
    };
    EXPECT_EQ(code(0, 1000, 10), ErrorCode::malformed_header);
    EXPECT_EQ(code(1025, 1000, 10), ErrorCode::malformed_header);
    EXPECT_EQ(code(0xFFFF, 1000, 10), ErrorCode::malformed_header);
    EXPECT_EQ(code(1, 1000, 10), ErrorCode::ok);
    EXPECT_EQ(code(1024, 1000, 10), ErrorCode::ok);
    // 20 + S + 72 + 32 <= H <= 16 MiB
    EXPECT_EQ(code(1, 123, 0), ErrorCode::malformed_header);
    EXPECT_EQ(code(1, 124, 0), ErrorCode::ok);
    EXPECT_EQ(code(1, 124, 1), ErrorCode::malformed_header);
    EXPECT_EQ(code(1, 0, 0), ErrorCode::malformed_header);
    EXPECT_EQ(code(1, 1000, 1000 - 124), ErrorCode::ok);
    EXPECT_EQ(code(1, 1000, 1000 - 123), ErrorCode::malformed_header);
    EXPECT_EQ(code(1, 1000, 0xFFFFFFFF), ErrorCode::malformed_header);
    EXPECT_EQ(code(1, 16u << 20, 10), ErrorCode::ok);
    EXPECT_EQ(code(1, (16u << 20) + 1, 10), ErrorCode::malformed_header);
    EXPECT_EQ(code(1, 0xFFFFFFFF, 10), ErrorCode::malformed_header);
    // H beyond the file: truncated, but bounds are checked first.
    EXPECT_EQ(code(1, 1000, 10, 999), ErrorCode::truncated);
    EXPECT_EQ(code(1, 1000, 10, 1000), ErrorCode::ok);
    EXPECT_EQ(code(0, 1000, 10, 500), ErrorCode::malformed_header);
    EXPECT_EQ(code(1, (16u << 20) + 1, 10, 500), ErrorCode::malformed_header);
}

TEST(FormatStanzas, ParseBounds) {
    auto parse = [](const Bytes& b, std::uint16_t count) { return code_of([&] { format::parse_stanzas(b, count); }); };
    auto stanza = [](std::uint8_t type_length, const std::string& type, std::uint8_t arg_count,
                     const std::vector<std::uint16_t>& arg_lengths, std::uint16_t body_length) {
        format::ByteWriter w;
        w.u8(type_length);
        w.text(type);
        w.u8(arg_count);
        for (auto len : arg_lengths) {
            w.u16(len);
            w.bytes(Bytes(len, 0x33));
        }
        w.u16(body_length);
        w.bytes(Bytes(body_length, 0x44));
        return w.buffer();
    };
    EXPECT_EQ(parse(stanza(3, "key", 1, {32}, 80), 1), ErrorCode::ok);
    EXPECT_EQ(parse(stanza(0, "", 0, {}, 0), 1), ErrorCode::malformed_header);
    EXPECT_EQ(parse(stanza(33, std::string(33, 'a'), 0, {}, 0), 1), ErrorCode::malformed_header);
    EXPECT_EQ(parse(stanza(32, std::string(32, 'a'), 0, {}, 0), 1), ErrorCode::ok);
    EXPECT_EQ(parse(stanza(3, "Key", 1, {32}, 80), 1), ErrorCode::malformed_header);
    EXPECT_EQ(parse(stanza(3, "k_y", 1, {32}, 80), 1), ErrorCode::malformed_header);
    EXPECT_EQ(parse(stanza(3, "k y", 1, {32}, 80), 1), ErrorCode::malformed_header);
    EXPECT_EQ(parse(stanza(5, "a-0-z", 0, {}, 0), 1), ErrorCode::ok);
    EXPECT_EQ(parse(stanza(1, "x", 16, std::vector<std::uint16_t>(16, 1), 0), 1), ErrorCode::ok);
    EXPECT_EQ(parse(stanza(1, "x", 17, std::vector<std::uint16_t>(17, 1), 0), 1), ErrorCode::malformed_header);
    EXPECT_EQ(parse(stanza(1, "x", 1, {4096}, 0), 1), ErrorCode::ok);
    EXPECT_EQ(parse(stanza(1, "x", 1, {4097}, 0), 1), ErrorCode::malformed_header);
    EXPECT_EQ(parse(stanza(1, "x", 0, {}, 16384), 1), ErrorCode::ok);
    EXPECT_EQ(parse(stanza(1, "x", 0, {}, 16385), 1), ErrorCode::malformed_header);

    // Exactly `count` stanzas in exactly S bytes.
    Bytes two = stanza(3, "key", 1, {32}, 80);
    const Bytes other = stanza(6, "scrypt", 2, {32, 3}, 80);
    two.insert(two.end(), other.begin(), other.end());
    EXPECT_EQ(parse(two, 2), ErrorCode::ok);
    EXPECT_EQ(parse(two, 1), ErrorCode::malformed_header);  // bytes left over
    EXPECT_EQ(parse(two, 3), ErrorCode::malformed_header);  // runs past the section
    Bytes cut = two;
    cut.pop_back();
    EXPECT_EQ(parse(cut, 2), ErrorCode::malformed_header);
    EXPECT_EQ(parse({}, 1), ErrorCode::malformed_header);
}

TEST(FormatStanzas, KnownTypesShapeAndScryptRules) {
    using format::Stanza;
    auto check = [](const std::vector<Stanza>& s) { return code_of([&] { keys::check_known_stanzas(s); }); };
    const Stanza key{"key", {pattern(32, 1)}, pattern(80, 2)};
    const Stanza pass{"scrypt", {pattern(32, 3), {16, 8, 1}}, pattern(80, 4)};
    EXPECT_EQ(check({key, pass, {"unknown", {}, {}}}), ErrorCode::ok);
    EXPECT_EQ(check({pass, pass}), ErrorCode::malformed_header);
    EXPECT_EQ(check({{"key", {}, pattern(80, 2)}}), ErrorCode::malformed_header);
    EXPECT_EQ(check({{"key", {pattern(31, 1)}, pattern(80, 2)}}), ErrorCode::malformed_header);
    EXPECT_EQ(check({{"key", {pattern(32, 1), {}}, pattern(80, 2)}}), ErrorCode::malformed_header);
    EXPECT_EQ(check({{"key", {pattern(32, 1)}, pattern(79, 2)}}), ErrorCode::malformed_header);
    for (Bytes params : std::vector<Bytes>{{15, 8, 1}, {21, 8, 1}, {16, 7, 1}, {16, 8, 2}, {16, 8}}) {
        EXPECT_EQ(check({{"scrypt", {pattern(32, 3), params}, pattern(80, 4)}}), ErrorCode::malformed_header);
    }
    EXPECT_EQ(check({{"scrypt", {pattern(32, 3), {20, 8, 1}}, pattern(80, 4)}}), ErrorCode::ok);
    EXPECT_EQ(check({{"scrypt", {pattern(32, 3)}, pattern(80, 4)}}), ErrorCode::malformed_header);
}

TEST(FormatBody, ChunkSizeReservedAndTrailerBounds) {
    BodyBuilder b;
    b.entry(1, "m.xml", 10);
    for (std::uint8_t log2 : {0, 15, 23, 255}) {
        b.chunk_log2 = log2;
        EXPECT_EQ(body_code(b), ErrorCode::malformed_header) << int(log2);
    }
    for (std::uint8_t log2 : {16, 20, 22}) {
        b.chunk_log2 = log2;
        EXPECT_EQ(body_code(b), ErrorCode::ok) << int(log2);
    }
    b.chunk_log2 = 16;
    for (int i = 0; i < 3; ++i) {
        BodyBuilder r;
        r.entry(1, "m.xml", 10);
        r.reserved[i] = 1;
        EXPECT_EQ(body_code(r), ErrorCode::malformed_header) << i;
    }
    b.trailer = 1u << 20;
    EXPECT_EQ(body_code(b), ErrorCode::ok);
    b.trailer = (1u << 20) + 1;
    EXPECT_EQ(body_code(b), ErrorCode::malformed_header);
    b.trailer = 0xFFFFFFFF;
    EXPECT_EQ(body_code(b), ErrorCode::malformed_header);

    // Shorter than the fixed part.
    Bytes fixed = BodyBuilder().bytes();
    fixed.pop_back();
    EXPECT_EQ(code_of([&] { format::parse_body(fixed); }), ErrorCode::malformed_header);
}

TEST(FormatBody, EntryNameRules) {
    EXPECT_EQ(entry_name_code("model.xml"), ErrorCode::ok);
    EXPECT_EQ(entry_name_code("a b.bin"), ErrorCode::ok);
    EXPECT_EQ(entry_name_code("mod\xC3\xA8le-\xE2\x82\xAC-\xF0\x9F\x98\x80"), ErrorCode::ok);
    EXPECT_EQ(entry_name_code(std::string(255, 'n')), ErrorCode::ok);
    EXPECT_EQ(entry_name_code("..."), ErrorCode::ok);
    for (const std::string& bad :
         std::vector<std::string>{std::string(""), std::string("."), std::string(".."), std::string(256, 'n'),
                                  std::string("a/b"), std::string("/etc"), std::string("a\\b"),
                                  std::string("a\x01"
                                              "b"),
                                  std::string("a\tb"), std::string("a\nb"), std::string("a\x7F"),
                                  std::string("a\0b", 3), std::string("\x1F")}) {
        EXPECT_EQ(entry_name_code(bad), ErrorCode::malformed_header) << "name of " << bad.size() << " bytes";
    }
    // Invalid UTF-8: stray continuation, lone lead byte, truncated sequence, overlong, surrogate, > U+10FFFF,
    // 0xFF / 0xFE.
    for (const std::string& bad :
         std::vector<std::string>{"\x80", "a\xC3", "\xE2\x82", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80",
                                  "\xF4\x90\x80\x80", "\xFF", "\xFE", "\xF8\x88\x80\x80\x80"}) {
        EXPECT_EQ(entry_name_code(bad), ErrorCode::malformed_header) << "invalid UTF-8 accepted";
    }
}

TEST(FormatBody, EntryRecordRules) {
    {
        BodyBuilder b;
        b.entry(1, "a", 1).entry(2, "a", 2);
        EXPECT_EQ(body_code(b), ErrorCode::malformed_header) << "duplicate names";
    }
    {
        BodyBuilder b;
        b.entry(1, "a", 1).entry(2, "A", 2);
        EXPECT_EQ(body_code(b), ErrorCode::ok) << "names compare as bytes";
    }
    {
        BodyBuilder b;
        b.entry(0, "a", 1);
        EXPECT_EQ(body_code(b), ErrorCode::malformed_header) << "kind 0";
    }
    {
        BodyBuilder b;
        b.entry(255, "opaque", 1);
        EXPECT_EQ(body_code(b), ErrorCode::ok) << "reserved kinds are opaque data";
    }
    {
        BodyBuilder b;
        b.entry(1, "a", 1, 1);
        EXPECT_EQ(body_code(b), ErrorCode::malformed_header) << "reserved byte";
    }
    {
        BodyBuilder b;
        b.entry(1, "abc", 1, 0, +1);
        EXPECT_EQ(body_code(b), ErrorCode::malformed_header) << "record longer than 12 + name";
    }
    {
        BodyBuilder b;
        b.entry(1, "abc", 1, 0, -1);
        EXPECT_EQ(body_code(b), ErrorCode::malformed_header) << "record shorter than 12 + name";
    }
    {
        BodyBuilder b;
        b.entry(1, "a", std::uint64_t{1} << 60);
        EXPECT_EQ(body_code(b), ErrorCode::ok);
    }
    {
        BodyBuilder b;
        b.entry(1, "a", (std::uint64_t{1} << 60) + 1);
        EXPECT_EQ(body_code(b), ErrorCode::malformed_header) << "size over 2^60";
    }
    {
        BodyBuilder b;
        EXPECT_EQ(body_code(b), ErrorCode::malformed_header) << "no entries";
        b.text(format::record::model_name, "x");
        EXPECT_EQ(body_code(b), ErrorCode::malformed_header) << "metadata but no entries";
    }
    {
        BodyBuilder b;
        for (int i = 0; i < 256; ++i) {
            b.entry(4, "e" + std::to_string(i), 0);
        }
        EXPECT_EQ(body_code(b), ErrorCode::ok) << "256 entries";
        b.entry(4, "e256", 0);
        EXPECT_EQ(body_code(b), ErrorCode::malformed_header) << "257 entries";
    }
}

TEST(FormatBody, RecordRules) {
    auto with = [](std::function<void(BodyBuilder&)> f) {
        BodyBuilder b;
        b.entry(1, "m.xml", 10);
        f(b);
        return body_code(b);
    };
    // Each metadata record at most once.
    for (std::uint16_t type : {format::record::model_name, format::record::model_version, format::record::description,
                               format::record::openvino_version, format::record::sealed_by}) {
        EXPECT_EQ(with([&](BodyBuilder& b) { b.text(type, "x"); }), ErrorCode::ok) << type;
        EXPECT_EQ(with([&](BodyBuilder& b) { b.text(type, "x").text(type, "y"); }), ErrorCode::malformed_header)
            << type;
    }
    EXPECT_EQ(with([](BodyBuilder& b) { b.record(format::record::created, Bytes(8, 1)); }), ErrorCode::ok);
    EXPECT_EQ(with([](BodyBuilder& b) { b.record(format::record::created, Bytes(8, 1)).record(4, Bytes(8, 2)); }),
              ErrorCode::malformed_header);
    EXPECT_EQ(with([](BodyBuilder& b) { b.record(format::record::created, Bytes(7, 1)); }),
              ErrorCode::malformed_header);
    EXPECT_EQ(with([](BodyBuilder& b) { b.record(format::record::created, Bytes(9, 1)); }),
              ErrorCode::malformed_header);
    // Lengths: short texts up to 1024 bytes, description up to 65536.
    EXPECT_EQ(with([](BodyBuilder& b) { b.text(format::record::model_name, std::string(1024, 'x')); }), ErrorCode::ok);
    EXPECT_EQ(with([](BodyBuilder& b) { b.text(format::record::model_name, std::string(1025, 'x')); }),
              ErrorCode::malformed_header);
    EXPECT_EQ(with([](BodyBuilder& b) { b.text(format::record::sealed_by, std::string(1025, 'x')); }),
              ErrorCode::malformed_header);
    EXPECT_EQ(with([](BodyBuilder& b) { b.text(format::record::description, std::string(65536, 'x')); }),
              ErrorCode::ok);
    // Invalid UTF-8 in metadata is not an error.
    EXPECT_EQ(with([](BodyBuilder& b) { b.text(format::record::model_name, "\xFF\xFE\x01"); }), ErrorCode::ok);
    // Any record over 65536 bytes.
    EXPECT_EQ(with([](BodyBuilder& b) { b.record(0x0042, Bytes(65537, 0)); }), ErrorCode::malformed_header);
    EXPECT_EQ(with([](BodyBuilder& b) { b.record(0x0042, Bytes(65536, 0)); }), ErrorCode::ok);
    // A record that overruns the body.
    {
        BodyBuilder b;
        b.entry(1, "m.xml", 10).text(format::record::model_name, "abcdef");
        Bytes bytes = b.bytes();
        bytes.pop_back();
        EXPECT_EQ(code_of([&] { format::parse_body(bytes); }), ErrorCode::malformed_header);
        bytes = b.bytes();
        bytes.push_back(0);  // half a record type
        EXPECT_EQ(code_of([&] { format::parse_body(bytes); }), ErrorCode::malformed_header);
    }
}

TEST(FormatBody, UnknownRecords) {
    BodyBuilder critical;
    critical.entry(1, "m.xml", 10).record(0x8123, Bytes{1, 2, 3});
    EXPECT_EQ(body_code(critical), ErrorCode::unsupported_version);
    BodyBuilder critical_empty;
    critical_empty.entry(1, "m.xml", 10).record(0x8000, Bytes{});
    EXPECT_EQ(body_code(critical_empty), ErrorCode::unsupported_version);

    BodyBuilder plain;
    plain.record(0x0042, Bytes{9, 9})
        .entry(1, "m.xml", 10)
        .record(0x7FFF, Bytes{})
        .text(format::record::model_name, "name")
        .record(0x0042, Bytes{1});
    const Bytes bytes = plain.bytes();
    const auto body = format::parse_body(bytes);
    ASSERT_EQ(body.entries.size(), 1u);
    EXPECT_EQ(body.metadata.model_name, "name");
    EXPECT_EQ(body.metadata.unknown_records, (std::vector<std::uint16_t>{0x0042, 0x7FFF, 0x0042}));
}

TEST(FormatTrailer, Records) {
    auto trailer = [](std::uint16_t type, std::uint32_t length, std::size_t actual) {
        format::ByteWriter w;
        w.u16(type);
        w.u32(length);
        w.bytes(Bytes(actual, 0));
        return w.buffer();
    };
    auto code = [](const Bytes& b) { return code_of([&] { format::parse_trailer(b); }); };
    EXPECT_EQ(code({}), ErrorCode::ok);
    EXPECT_EQ(code(trailer(0x0042, 4, 4)), ErrorCode::ok);
    EXPECT_EQ(code(trailer(0x8001, 4, 4)), ErrorCode::unsupported_version);
    EXPECT_EQ(code(trailer(0x0042, 5, 4)), ErrorCode::malformed_header);
    EXPECT_EQ(code(trailer(0x0042, 65537, 65537)), ErrorCode::malformed_header);
    // The signature record (type 1): exactly 129 bytes, algorithm 1, at most once.
    EXPECT_EQ(code(trailer(0x0001, 4, 4)), ErrorCode::malformed_header);
    Bytes signature = trailer(0x0001, 129, 129);
    EXPECT_EQ(code(signature), ErrorCode::malformed_header);  // algorithm 0
    signature[6] = 1;
    EXPECT_EQ(code(signature), ErrorCode::ok);
    Bytes twice = signature;
    twice.insert(twice.end(), signature.begin(), signature.end());
    EXPECT_EQ(code(twice), ErrorCode::malformed_header);
    EXPECT_EQ(code(Bytes{1, 0, 0}), ErrorCode::malformed_header);
}

TEST(FormatWriter, RefusesOutOfBoundsHeaders) {
    format::Body body;
    body.entries = {{1, "m.xml", 1}};
    EXPECT_EQ(code_of([&] { format::header_without_mac({}, body); }), ErrorCode::usage);
    format::Body empty;
    EXPECT_EQ(code_of([&] { format::body_bytes(empty); }), ErrorCode::usage);
    format::Body bad_name;
    bad_name.entries = {{1, "../m.xml", 1}};
    EXPECT_NE(code_of([&] { format::body_bytes(bad_name); }), ErrorCode::ok);
    format::Body long_name = body;
    long_name.metadata.model_name = std::string(1025, 'x');
    EXPECT_EQ(code_of([&] { format::body_bytes(long_name); }), ErrorCode::usage);
    EXPECT_EQ(code_of([] { format::stanza_bytes({"Bad Type", {}, {}}); }), ErrorCode::internal);
    EXPECT_EQ(code_of([] { format::stanza_bytes({"key", std::vector<Bytes>(17), {}}); }), ErrorCode::internal);
    EXPECT_EQ(code_of([] { format::stanza_bytes({"key", {Bytes(4097)}, {}}); }), ErrorCode::internal);
    EXPECT_EQ(code_of([] { format::stanza_bytes({"key", {}, Bytes(16385)}); }), ErrorCode::internal);
}

}  // namespace
