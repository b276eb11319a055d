// SPDX-License-Identifier: Apache-2.0
// Damaged, foreign and wrongly keyed files through read_model / compile_model / verify (docs/FORMAT.md §9, §10.1).
// Every failure must throw the documented error, leave no decrypted memory behind, and quote no key bytes.

#include <gtest/gtest.h>

#include <random>

#include "test_support.hpp"

namespace {

using namespace ovseal_test;
using ovseal::ErrorCode;
using Bytes = std::vector<std::uint8_t>;

class BadInput : public WithSealedSample<> {
protected:
    // The file at `path` fails with a code in `allowed` through every entry point.
    void expect_all(const fs::path& path, const std::set<ErrorCode>& allowed, const std::string& context,
                    const std::vector<ovseal::Key>& keys = {}, bool compile = true) {
        const auto k = keys.empty() ? std::vector<ovseal::Key>{sample->key()} : keys;
        expect_failure([&] { ovseal::read_model(core, path, k); }, allowed, sample->key_bytes,
                       context + " (read_model)");
        expect_failure([&] { ovseal::verify(path, k); }, allowed, sample->key_bytes, context + " (verify)");
        if (compile) {
            expect_failure([&] { ovseal::compile_model(core, path, k, "CPU"); }, allowed, sample->key_bytes,
                           context + " (compile_model)");
        }
    }

    std::uint64_t header_size() const { return sample->info.header_size; }
    std::uint64_t stored_chunk() const { return sample->info.chunk_size + 16; }
    std::uint64_t chunk_offset(std::uint64_t i) const { return header_size() + i * stored_chunk(); }

    ov::Core core;
};

TEST_F(BadInput, SampleIsAsExpected) {
    const auto& info = sample->info;
    EXPECT_TRUE(info.verified);
    EXPECT_EQ(info.chunk_size, 64u * 1024);
    EXPECT_EQ(info.chunk_count, 2u);
    EXPECT_EQ(info.file_size, sample->bytes.size());
    EXPECT_EQ(sample->bytes.size(), header_size() + 2 * stored_chunk());
    auto model = ovseal::read_model(core, sample->sealed, sample->key());
    EXPECT_NE(model, nullptr);
}

TEST_F(BadInput, WrongKey) {
    const auto wrong = ovseal::Key::from_bytes(key_bytes(12));
    expect_all(sample->sealed, {ErrorCode::no_matching_key}, "wrong key", {wrong});
    expect_all(sample->sealed, {ErrorCode::no_matching_key}, "several wrong keys",
               {wrong, ovseal::Key::generate(), ovseal::Key::from_bytes(key_bytes(13))});
    expect_all(sample->sealed, {ErrorCode::no_matching_key}, "a passphrase for a key file",
               {ovseal::Key::from_passphrase("not the key")});
    expect_all(sample->sealed, {ErrorCode::no_matching_key}, "a fresh random key", {ovseal::Key::generate()});
    // No key at all: nothing opens.
    expect_failure([&] { ovseal::verify(sample->sealed, std::vector<ovseal::Key>{}); }, {ErrorCode::no_matching_key},
                   {}, "empty key list");
    // The right key among wrong ones opens.
    EXPECT_TRUE(ovseal::verify(sample->sealed, {wrong, sample->key()}).verified);
}

TEST_F(BadInput, WrongPassphrase) {
    TempDir dir;
    const std::string right = "Zq8#vX!pL2-right";
    const std::string wrong = "Wk3&uY@mN7-wrong";
    ovseal::SealOptions options;
    options.scrypt_log2_n = 16;
    options.chunk_size = 64 * 1024;
    const auto sealed = dir / "p.ovseal";
    ovseal::seal_model(sample->xml, sealed, {ovseal::Key::from_passphrase(right)}, options);
    const Bytes secrets(right.begin(), right.end());
    for (const auto& [key, what] :
         std::vector<std::pair<ovseal::Key, std::string>>{{ovseal::Key::from_passphrase(wrong), "wrong passphrase"},
                                                          {sample->key(), "a key for a passphrase file"}}) {
        expect_failure([&] { ovseal::read_model(core, sealed, key); }, {ErrorCode::no_matching_key}, secrets, what);
        expect_failure([&] { ovseal::compile_model(core, sealed, key); }, {ErrorCode::no_matching_key}, secrets, what);
    }
    const Bytes wrong_bytes(wrong.begin(), wrong.end());
    expect_failure([&] { ovseal::verify(sealed, {ovseal::Key::from_passphrase(wrong)}); }, {ErrorCode::no_matching_key},
                   wrong_bytes, "wrong passphrase (verify)");
}

TEST_F(BadInput, ScryptParametersInTheStanza) {
    // log2 N is the byte after the salt argument of the scrypt stanza (offset 20 + 1 + 6 + 1 + 2 + 32 + 2).
    TempDir dir;
    ovseal::SealOptions options;
    options.scrypt_log2_n = 16;
    const auto sealed = dir / "p.ovseal";
    const auto pass = ovseal::Key::from_passphrase("pass");
    ovseal::seal_model(sample->xml, sealed, {pass}, options);
    const Bytes original = read_bytes(sealed);
    const std::size_t params = 20 + 1 + 6 + 1 + 2 + 32 + 2;
    ASSERT_EQ(original[params], 16);
    ASSERT_EQ(original[params + 1], 8);
    ASSERT_EQ(original[params + 2], 1);
    const std::vector<std::pair<std::size_t, std::uint8_t>> out_of_range = {
        {params, 15}, {params, 21}, {params, 0}, {params + 1, 9}, {params + 2, 2}};
    for (const auto& [offset, value] : out_of_range) {
        Bytes damaged = original;
        damaged[offset] = value;
        write_bytes(dir / "d.ovseal", damaged);
        expect_failure([&] { ovseal::verify(dir / "d.ovseal", {pass}); }, {ErrorCode::malformed_header}, {},
                       "scrypt params out of range at " + std::to_string(offset));
    }
    // In range but different: another scrypt result, so the commitment does not match.
    Bytes damaged = original;
    damaged[params] = 17;
    write_bytes(dir / "d.ovseal", damaged);
    expect_failure([&] { ovseal::verify(dir / "d.ovseal", {pass}); }, {ErrorCode::no_matching_key}, {},
                   "scrypt log2 N 17");
}

TEST_F(BadInput, TruncatedAnywhere) {
    const Bytes& full = sample->bytes;
    std::vector<std::uint64_t> lengths;
    for (std::uint64_t n = 0; n <= header_size(); ++n) {
        lengths.push_back(n);
    }
    for (std::uint64_t i = 1; i <= sample->info.chunk_count; ++i) {
        for (std::int64_t d : {-1, 0, 1}) {
            const std::uint64_t n = chunk_offset(i) + d;
            if (n < full.size()) {
                lengths.push_back(n);
            }
        }
    }
    lengths.push_back(full.size() - 1);
    lengths.push_back(full.size() - 16);
    for (const auto n : lengths) {
        const auto path = sample->write(std::span(full).first(n));
        const auto expected = n == 0 ? ErrorCode::not_ovseal_file : ErrorCode::truncated;
        // compile_model only for the longer cuts: it adds nothing but time before the header.
        expect_all(path, {expected}, "cut to " + std::to_string(n) + " bytes", {}, n > header_size());
    }
}

TEST_F(BadInput, SwappedChunks) {
    Bytes swapped = sample->bytes;
    std::swap_ranges(swapped.begin() + chunk_offset(0), swapped.begin() + chunk_offset(1),
                     swapped.begin() + chunk_offset(1));
    expect_all(sample->write(swapped), {ErrorCode::payload_auth_failed}, "chunks 0 and 1 swapped");

    Bytes duplicated = sample->bytes;
    std::copy(duplicated.begin() + chunk_offset(0), duplicated.begin() + chunk_offset(1),
              duplicated.begin() + chunk_offset(1));
    expect_all(sample->write(duplicated), {ErrorCode::payload_auth_failed}, "chunk 0 copied over chunk 1");
}

TEST_F(BadInput, ChunkFromAnotherSealing) {
    // Same model, same key, sealed again: same header size and layout, different file key.
    TempDir dir;
    ovseal::SealOptions options;
    options.chunk_size = 64 * 1024;
    ovseal::seal_model(sample->xml, dir / "again.ovseal", {sample->key()}, options);
    const Bytes other = read_bytes(dir / "again.ovseal");
    ASSERT_EQ(other.size(), sample->bytes.size());
    for (std::uint64_t i = 0; i < sample->info.chunk_count; ++i) {
        Bytes spliced = sample->bytes;
        std::copy(other.begin() + chunk_offset(i), other.begin() + chunk_offset(i + 1),
                  spliced.begin() + chunk_offset(i));
        expect_all(sample->write(spliced), {ErrorCode::payload_auth_failed},
                   "chunk " + std::to_string(i) + " from another sealing");
    }
    // The other header with this file's payload: every chunk fails.
    Bytes header_swapped = sample->bytes;
    std::copy(other.begin(), other.begin() + header_size(), header_swapped.begin());
    expect_all(sample->write(header_swapped), {ErrorCode::payload_auth_failed}, "header from another sealing");
}

TEST_F(BadInput, FlippedPayloadBytes) {
    const Bytes& full = sample->bytes;
    std::vector<std::uint64_t> offsets;
    for (std::uint64_t i = 0; i < sample->info.chunk_count; ++i) {
        offsets.push_back(chunk_offset(i));                                // first ciphertext byte
        offsets.push_back(chunk_offset(i) + 1000);                         // inside the chunk
        offsets.push_back(chunk_offset(i) + sample->info.chunk_size - 1);  // last padding byte
        offsets.push_back(chunk_offset(i + 1) - 16);                       // first tag byte
        offsets.push_back(chunk_offset(i + 1) - 1);                        // last tag byte
    }
    for (const auto offset : offsets) {
        Bytes damaged = full;
        damaged[offset] ^= 0x01;
        expect_all(sample->write(damaged), {ErrorCode::payload_auth_failed}, "payload byte " + std::to_string(offset),
                   {}, false);
    }
}

TEST_F(BadInput, AppendedBytes) {
    Bytes longer = sample->bytes;
    longer.push_back(0);
    expect_all(sample->write(longer), {ErrorCode::trailing_data}, "one byte appended");
    Bytes chunk_more = sample->bytes;
    chunk_more.insert(chunk_more.end(), sample->bytes.end() - stored_chunk(), sample->bytes.end());
    expect_all(sample->write(chunk_more), {ErrorCode::trailing_data}, "last chunk repeated");
}

TEST_F(BadInput, NotOvsealFiles) {
    expect_all(sample->write(Bytes{}), {ErrorCode::not_ovseal_file}, "empty file");
    std::mt19937 rng(2024);
    Bytes random(100000);
    for (auto& b : random) {
        b = static_cast<std::uint8_t>(rng());
    }
    random[0] = 0x42;  // not the magic's first byte, whatever the generator says
    expect_all(sample->write(random), {ErrorCode::not_ovseal_file}, "random bytes");
    expect_all(sample->xml, {ErrorCode::not_ovseal_file}, "the plain .xml");
    auto bin = sample->xml;
    bin.replace_extension(".bin");
    expect_all(bin, {ErrorCode::not_ovseal_file}, "the plain .bin");
    const std::string text = "\x89OVSEAL\r\n";  // a text-mode transfer
    Bytes mangled(text.begin(), text.end());
    mangled.insert(mangled.end(), sample->bytes.begin() + 8, sample->bytes.end());
    expect_all(sample->write(mangled), {ErrorCode::not_ovseal_file}, "CRLF-mangled magic");
}

TEST_F(BadInput, NewerVersion) {
    Bytes v2 = sample->bytes;
    v2[8] = 2;
    expect_all(sample->write(v2), {ErrorCode::unsupported_version}, "version 2");
    Bytes v256 = sample->bytes;
    v256[9] = 1;
    expect_all(sample->write(v256), {ErrorCode::unsupported_version}, "version 257");
    // The version is read before the length of the file matters.
    expect_all(sample->write(std::span(v2).first(10)), {ErrorCode::unsupported_version}, "version 2, 10 bytes");
}

TEST_F(BadInput, MissingPathAndFolder) {
    expect_all(sample->dir / "missing.ovseal", {ErrorCode::io}, "missing file");
    expect_all(sample->dir.path(), {ErrorCode::io}, "a folder");
}

}  // namespace
