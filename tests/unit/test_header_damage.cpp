// SPDX-License-Identifier: Apache-2.0
// Every byte of a sealed file's header, damaged in turn, gives the error of docs/FORMAT.md §10.1 for its region.

#include <gtest/gtest.h>

#include "format/byte_io.hpp"
#include "format/limits.hpp"
#include "test_support.hpp"

namespace {

using namespace ovseal_test;
using ovseal::ErrorCode;
using Bytes = std::vector<std::uint8_t>;

struct Region {
    std::uint64_t begin, end;
    std::string name;
};

// The regions of a header holding one `key` stanza, computed from its preamble and stanza fields.
std::vector<Region> header_regions(const Bytes& file) {
    using ovseal::format::load_u16;
    using ovseal::format::load_u32;
    const std::uint64_t h = load_u32(&file[12]);
    const std::uint64_t s = load_u32(&file[16]);
    std::vector<Region> r = {{0, 8, "magic"},
                             {8, 10, "version"},
                             {10, 12, "stanza_count"},
                             {12, 16, "header_length"},
                             {16, 20, "stanzas_length"}};
    std::uint64_t at = 20;
    const std::uint64_t type_length = file[at];
    r.push_back({at, at + 1, "type_length"});
    r.push_back({at + 1, at + 1 + type_length, "type"});
    at += 1 + type_length;
    const std::uint64_t arg_count = file[at];
    r.push_back({at, at + 1, "arg_count"});
    ++at;
    for (std::uint64_t a = 0; a < arg_count; ++a) {
        const std::uint64_t len = load_u16(&file[at]);
        r.push_back({at, at + 2, "arg_length"});
        r.push_back({at + 2, at + 2 + len, "salt"});
        at += 2 + len;
    }
    const std::uint64_t body_length = load_u16(&file[at]);
    r.push_back({at, at + 2, "body_length"});
    r.push_back({at + 2, at + 2 + 32, "commitment"});
    r.push_back({at + 2 + 32, at + 2 + body_length, "wrapped_key"});
    at += 2 + body_length;
    EXPECT_EQ(at, 20 + s) << "the stanza section is not one key stanza";
    r.push_back({at, h - 32, "body"});
    r.push_back({h - 32, h, "header_mac"});
    return r;
}

// §10.1, and for header_length the order of §9 step 1.
std::set<ErrorCode> expected_codes(const std::string& region, const Bytes& damaged, std::uint64_t file_size) {
    if (region == "magic") return {ErrorCode::not_ovseal_file};
    if (region == "version") return {ErrorCode::unsupported_version};
    if (region == "stanza_count" || region == "stanzas_length" || region == "type_length" || region == "arg_count" ||
        region == "arg_length" || region == "body_length") {
        return {ErrorCode::malformed_header};
    }
    if (region == "header_length") {
        const std::uint64_t h = ovseal::format::load_u32(&damaged[12]);
        const std::uint64_t s = ovseal::format::load_u32(&damaged[16]);
        if (h < ovseal::format::min_header_size || h > ovseal::format::max_header_size ||
            s > h - ovseal::format::min_header_size) {
            return {ErrorCode::malformed_header};
        }
        if (h > file_size) return {ErrorCode::truncated};
        return {ErrorCode::header_auth_failed};
    }
    if (region == "type") return {ErrorCode::no_matching_key, ErrorCode::malformed_header};
    if (region == "salt" || region == "commitment") return {ErrorCode::no_matching_key};
    if (region == "wrapped_key" || region == "body" || region == "header_mac") return {ErrorCode::header_auth_failed};
    ADD_FAILURE() << "unknown region " << region;
    return {};
}

class HeaderDamage : public WithSealedSample<::testing::TestWithParam<std::uint8_t>> {
protected:
    ov::Core core;
};

TEST_P(HeaderDamage, EveryHeaderByte) {
    const std::uint8_t mask = GetParam();
    const Bytes& original = sample->bytes;
    const auto regions = header_regions(original);
    const std::uint64_t h = sample->info.header_size;
    ASSERT_EQ(regions.back().end, h);
    const auto path = sample->write(original);
    const auto key = sample->key();

    std::map<std::string, std::map<ErrorCode, int>> seen;
    std::size_t region = 0;
    for (std::uint64_t offset = 0; offset < h; ++offset) {
        while (offset >= regions[region].end) {
            ++region;
        }
        const std::string& name = regions[region].name;
        Bytes damaged = original;
        damaged[offset] ^= mask;
        const auto allowed = expected_codes(name, damaged, original.size());
        patch_byte(path, offset, damaged[offset]);
        const std::string context = name + " byte " + std::to_string(offset) + " ^ " + std::to_string(mask);
        const auto code = expect_failure([&] { ovseal::read_model(core, path, key); }, allowed, sample->key_bytes,
                                         context + " (read_model)");
        expect_failure([&] { ovseal::verify(path, {key}); }, {code}, sample->key_bytes, context + " (verify)");
        ++seen[name][code];
        patch_byte(path, offset, original[offset]);
    }
    // Every region was exercised.
    for (const auto& r : regions) {
        EXPECT_TRUE(seen.count(r.name)) << r.name;
    }
    // The restored file opens again: the sweep changed nothing else.
    EXPECT_TRUE(ovseal::verify(path, {key}).verified);
    for (const auto& [name, codes] : seen) {
        std::string summary;
        for (const auto& [code, n] : codes) {
            summary += " " + code_name(code) + "=" + std::to_string(n);
        }
        RecordProperty(name, summary);
    }
}

INSTANTIATE_TEST_SUITE_P(Masks, HeaderDamage, ::testing::Values(std::uint8_t{0xFF}, std::uint8_t{0x01}),
                         [](const ::testing::TestParamInfo<std::uint8_t>& info) {
                             return info.param == 0xFF ? std::string("XorFF") : std::string("Xor01");
                         });

TEST(HeaderDamageRules, HeaderLengthExpectations) {
    // Sanity of the oracle itself, with a made-up preamble: H 300, S 121, file 1000 bytes.
    Bytes p(20, 0);
    auto set = [&](std::uint32_t h) {
        p[12] = h & 0xFF, p[13] = (h >> 8) & 0xFF, p[14] = (h >> 16) & 0xFF, p[15] = h >> 24;
        p[16] = 121;
    };
    set(300);
    EXPECT_EQ(expected_codes("header_length", p, 1000), std::set{ErrorCode::header_auth_failed});
    set(1001);
    EXPECT_EQ(expected_codes("header_length", p, 1000), std::set{ErrorCode::truncated});
    set(244);
    EXPECT_EQ(expected_codes("header_length", p, 1000), std::set{ErrorCode::malformed_header});
    set(245);
    EXPECT_EQ(expected_codes("header_length", p, 1000), std::set{ErrorCode::header_auth_failed});
    set((16u << 20) + 1);
    EXPECT_EQ(expected_codes("header_length", p, 1u << 30), std::set{ErrorCode::malformed_header});
}

}  // namespace
