// SPDX-License-Identifier: Apache-2.0
// Files written here from docs/FORMAT.md with the raw primitives (HKDF, HMAC, AES-GCM), not with the sealer:
// the parts of the format the sealer never writes (trailers, unknown stanzas and records, opaque and empty
// entries) and header values that only a key holder could produce with a valid MAC.

#include <gtest/gtest.h>

#include <random>

#include "crypto/crypto.hpp"
#include "format/byte_io.hpp"
#include "test_support.hpp"

namespace {

using namespace ovseal_test;
using ovseal::ErrorCode;
using Bytes = std::vector<std::uint8_t>;

Bytes random_bytes(std::mt19937& rng, std::size_t n) {
    Bytes b(n);
    for (auto& v : b) {
        v = static_cast<std::uint8_t>(rng());
    }
    return b;
}

Bytes hkdf(std::span<const std::uint8_t> ikm, std::span<const std::uint8_t> salt, std::string_view info,
           std::size_t n) {
    Bytes out(n);
    ovseal::crypto::hkdf_sha256(ovseal::crypto::KeyView(ikm), salt, info, out);
    return out;
}

struct SpecEntry {
    std::uint8_t kind;
    std::string name;
    Bytes content;
};

// Every field of a v1 file, with switches for the damage that needs a key holder.
struct SpecFile {
    std::mt19937 rng{77};
    Bytes secret = random_bytes(rng, 32);  // the key file's key
    Bytes file_key = random_bytes(rng, 32);
    Bytes payload_salt = random_bytes(rng, 32);
    std::vector<SpecEntry> entries;
    std::vector<Bytes> stanzas_before;  // raw stanzas written before the key stanza
    std::vector<Bytes> extra_records;   // raw records after the entries
    std::uint8_t chunk_log2 = 16;
    std::uint8_t reserved = 0;
    Bytes trailer;
    std::int64_t trailer_length_delta = 0;  // header says T + delta
    bool wrong_commitment = false;
    bool no_last_flag = false;        // the final chunk sealed with flag 0
    bool last_flag_on_first = false;  // chunk 0 sealed with flag 1

    static Bytes record(std::uint16_t type, const Bytes& value) {
        ovseal::format::ByteWriter w;
        w.u16(type);
        w.u32(static_cast<std::uint32_t>(value.size()));
        w.bytes(value);
        return w.buffer();
    }
    static Bytes stanza(const std::string& type, const std::vector<Bytes>& args, const Bytes& body) {
        ovseal::format::ByteWriter w;
        w.u8(static_cast<std::uint8_t>(type.size()));
        w.text(type);
        w.u8(static_cast<std::uint8_t>(args.size()));
        for (const auto& a : args) {
            w.u16(static_cast<std::uint16_t>(a.size()));
            w.bytes(a);
        }
        w.u16(static_cast<std::uint16_t>(body.size()));
        w.bytes(body);
        return w.buffer();
    }

    Bytes key_stanza() {
        const Bytes salt = random_bytes(rng, 32);
        const Bytes okm = hkdf(secret, salt, "ovseal-v1 key stanza", 64);
        Bytes body(okm.begin() + 32, okm.end());
        Bytes wrapped(32), tag(16);
        const std::uint8_t zero_nonce[12] = {};
        ovseal::crypto::Aes256Gcm gcm{ovseal::crypto::KeyView(std::span<const std::uint8_t>(okm).first(32))};
        gcm.seal(zero_nonce, {}, file_key, wrapped, std::span<std::uint8_t, 16>(tag));
        body.insert(body.end(), wrapped.begin(), wrapped.end());
        body.insert(body.end(), tag.begin(), tag.end());
        return stanza("key", {salt}, body);
    }

    Bytes build() {
        Bytes section;
        for (const auto& s : stanzas_before) {
            section.insert(section.end(), s.begin(), s.end());
        }
        const Bytes key = key_stanza();
        section.insert(section.end(), key.begin(), key.end());

        ovseal::format::ByteWriter body;
        body.bytes(payload_salt);
        body.u8(chunk_log2);
        body.u8(reserved), body.u8(0), body.u8(0);
        body.u32(static_cast<std::uint32_t>(static_cast<std::int64_t>(trailer.size()) + trailer_length_delta));
        Bytes commitment = hkdf(file_key, {}, "ovseal-v1 file key commitment", 32);
        if (wrong_commitment) {
            commitment[0] ^= 1;
        }
        body.bytes(commitment);
        for (const auto& e : entries) {
            ovseal::format::ByteWriter v;
            v.u8(e.kind);
            v.u8(0);
            v.u16(static_cast<std::uint16_t>(e.name.size()));
            v.u64(e.content.size());
            v.text(e.name);
            const Bytes r = record(0x8001, v.buffer());
            body.bytes(r);
        }
        for (const auto& r : extra_records) {
            body.bytes(r);
        }

        ovseal::format::ByteWriter w;
        const std::uint32_t h = static_cast<std::uint32_t>(20 + section.size() + body.size() + 32);
        w.bytes(std::vector<std::uint8_t>{0x89, 'O', 'V', 'S', 'E', 'A', 'L', '\n'});
        w.u16(1);
        w.u16(static_cast<std::uint16_t>(stanzas_before.size() + 1));
        w.u32(h);
        w.u32(static_cast<std::uint32_t>(section.size()));
        w.bytes(section);
        w.bytes(body.buffer());
        const Bytes mac_key = hkdf(file_key, {}, "ovseal-v1 header mac", 32);
        const auto mac = ovseal::crypto::hmac_sha256(ovseal::crypto::KeyView(mac_key), w.buffer());
        w.bytes(mac);

        // Payload: every entry padded to whole chunks, one counter across entries.
        const std::size_t cs = std::size_t{1} << chunk_log2;
        std::vector<Bytes> plain_chunks;
        for (const auto& e : entries) {
            const std::size_t n = e.content.empty() ? 1 : (e.content.size() + cs - 1) / cs;
            for (std::size_t i = 0; i < n; ++i) {
                Bytes chunk(cs, 0);
                const std::size_t start = i * cs;
                const std::size_t len = std::min(cs, e.content.size() - std::min(start, e.content.size()));
                std::copy_n(e.content.begin() + static_cast<std::ptrdiff_t>(start), len, chunk.begin());
                plain_chunks.push_back(std::move(chunk));
            }
        }
        const Bytes payload_key = hkdf(file_key, payload_salt, "ovseal-v1 payload", 32);
        ovseal::crypto::Aes256Gcm gcm{ovseal::crypto::KeyView(payload_key)};
        for (std::size_t i = 0; i < plain_chunks.size(); ++i) {
            std::uint8_t nonce[12] = {};
            for (int b = 0; b < 8; ++b) {
                nonce[10 - b] = static_cast<std::uint8_t>(std::uint64_t{i} >> (8 * b));
            }
            bool last = i + 1 == plain_chunks.size();
            if (no_last_flag && last) last = false;
            if (last_flag_on_first && i == 0) last = true;
            nonce[11] = last ? 1 : 0;
            Bytes ct(cs), tag(16);
            gcm.seal(nonce, {}, plain_chunks[i], ct, std::span<std::uint8_t, 16>(tag));
            w.bytes(ct);
            w.bytes(tag);
        }
        w.bytes(trailer);
        return w.buffer();
    }
};

class SpecFiles : public ::testing::Test {
protected:
    SpecFiles() {
        xml = write_model(make_mlp(128, 4), dir.path(), "m");
        auto bin = xml;
        bin.replace_extension(".bin");
        spec.entries = {{1, "m.xml", read_bytes(xml)}, {2, "m.bin", read_bytes(bin)}};
        expected = infer(core.compile_model(xml.string(), "CPU"));
    }

    fs::path build() {
        const auto path = dir / "spec.ovseal";
        write_bytes(path, spec.build());
        return path;
    }

    ovseal::Key key() const { return ovseal::Key::from_bytes(spec.secret); }

    void expect_opens() {
        const auto path = build();
        auto compiled = ovseal::compile_model(core, path, key(), "CPU");
        expect_same_outputs(expected, infer(compiled));
    }

    void expect_code(ErrorCode code, const std::string& context) {
        const auto path = build();
        const auto k = key();
        expect_failure([&] { ovseal::read_model(core, path, k); }, {code}, spec.secret, context + " (read_model)");
        expect_failure([&] { ovseal::verify(path, {k}); }, {code}, spec.secret, context + " (verify)");
    }

    TempDir dir;
    ov::Core core;
    SpecFile spec;
    fs::path xml;
    Outputs expected;
};

TEST_F(SpecFiles, PlainFileOpens) {
    expect_opens();
    const auto info = ovseal::verify(dir / "spec.ovseal", {key()});
    EXPECT_EQ(info.chunk_count, 2u);
}

TEST_F(SpecFiles, UnknownStanzasAndRecordsAreSkipped) {
    spec.stanzas_before = {SpecFile::stanza("future-kind", {Bytes(5, 1), {}}, Bytes(300, 2)),
                           SpecFile::stanza("x", {}, {})};
    spec.extra_records = {SpecFile::record(0x0042, Bytes{1, 2, 3}), SpecFile::record(0x7FFF, {})};
    expect_opens();
    const auto info = ovseal::verify(dir / "spec.ovseal", {key()});
    EXPECT_EQ(info.stanza_types, (std::vector<std::string>{"future-kind", "x", "key"}));
    EXPECT_EQ(info.unknown_records, (std::vector<int>{0x0042, 0x7FFF}));
}

TEST_F(SpecFiles, OpaqueAndEmptyEntriesAreCarried) {
    spec.entries.insert(spec.entries.begin() + 1, SpecEntry{9, "empty.dat", {}});
    spec.entries.push_back({200, "notes.txt", Bytes(70000, 'n')});
    expect_opens();
    const auto info = ovseal::verify(dir / "spec.ovseal", {key()});
    ASSERT_EQ(info.entries.size(), 4u);
    EXPECT_EQ(info.entries[1].size, 0u);
    EXPECT_EQ(info.chunk_count, 1u + 1 + 1 + 2);
}

TEST_F(SpecFiles, TrailerWithNonCriticalRecordsOpens) {
    spec.trailer = SpecFile::record(0x0007, Bytes(40, 7));
    const Bytes second = SpecFile::record(0x0100, {});
    spec.trailer.insert(spec.trailer.end(), second.begin(), second.end());
    expect_opens();
}

TEST_F(SpecFiles, TrailerWithCriticalRecordIsUnsupported) {
    spec.trailer = SpecFile::record(0x8007, Bytes(40, 7));
    expect_code(ErrorCode::unsupported_version, "critical trailer record");
}

TEST_F(SpecFiles, StructurallyInvalidTrailerIsMalformed) {
    spec.trailer = SpecFile::record(0x0007, Bytes(40, 7));
    spec.trailer.resize(spec.trailer.size() - 1);
    spec.trailer.push_back(0);
    spec.trailer[2] = 41;  // the record claims one byte more than the trailer holds
    expect_code(ErrorCode::malformed_header, "trailer record overruns");
}

TEST_F(SpecFiles, TrailerLengthCountsInTheFileLength) {
    spec.trailer = SpecFile::record(0x0007, Bytes(10, 7));
    spec.trailer_length_delta = 1;
    expect_code(ErrorCode::truncated, "trailer one byte short");
    spec.trailer_length_delta = -1;
    expect_code(ErrorCode::trailing_data, "trailer one byte long");
}

TEST_F(SpecFiles, AuthenticatedButInvalidBody) {
    spec.extra_records = {SpecFile::record(0x8042, {})};
    expect_code(ErrorCode::unsupported_version, "unknown critical record");
    spec.extra_records = {SpecFile::record(0x0001, {'a'}), SpecFile::record(0x0001, {'b'})};
    expect_code(ErrorCode::malformed_header, "model name twice");
    spec.extra_records = {};
    spec.reserved = 1;
    expect_code(ErrorCode::malformed_header, "reserved byte");
    spec.reserved = 0;
    spec.chunk_log2 = 15;
    expect_code(ErrorCode::malformed_header, "chunk log2 15");
    spec.chunk_log2 = 16;
    spec.entries.push_back({4, "m.xml", {}});
    expect_code(ErrorCode::malformed_header, "duplicate entry name");
    spec.entries.pop_back();
    spec.entries.push_back({0, "zero", {}});
    expect_code(ErrorCode::malformed_header, "entry kind 0");
}

TEST_F(SpecFiles, CommitmentMismatchIsHeaderAuthFailure) {
    spec.wrong_commitment = true;
    expect_code(ErrorCode::header_auth_failed, "file key commitment");
}

TEST_F(SpecFiles, LastChunkFlag) {
    spec.no_last_flag = true;
    expect_code(ErrorCode::payload_auth_failed, "final chunk without the last flag");
    spec.no_last_flag = false;
    spec.last_flag_on_first = true;
    expect_code(ErrorCode::payload_auth_failed, "first chunk with the last flag");
}

TEST_F(SpecFiles, TwoScryptStanzasAreMalformed) {
    const Bytes params = {16, 8, 1};
    spec.stanzas_before = {SpecFile::stanza("scrypt", {Bytes(32, 1), params}, Bytes(80, 2)),
                           SpecFile::stanza("scrypt", {Bytes(32, 3), params}, Bytes(80, 4))};
    expect_code(ErrorCode::malformed_header, "two scrypt stanzas");
}

TEST_F(SpecFiles, PackagesThatAreNotModels) {
    const std::vector<std::pair<std::vector<SpecEntry>, std::string>> packages = {
        {{{2, "m.bin", Bytes(100, 1)}}, "weights without topology"},
        {{{1, "a.xml", Bytes(10, 'a')}, {1, "b.xml", Bytes(10, 'b')}}, "two topologies"},
        {{{1, "a.xml", Bytes(10, 'a')}, {3, "b.onnx", Bytes(10, 'b')}}, "IR and ONNX"},
        {{{9, "data", Bytes(10, 'd')}}, "only opaque data"},
    };
    for (const auto& [entries, what] : packages) {
        spec.entries = entries;
        const auto path = build();
        const auto k = key();
        expect_failure([&] { ovseal::read_model(core, path, k); }, {ErrorCode::unsupported_model}, spec.secret, what);
        // verify() authenticates the container only, so it accepts what the loader refuses.
        EXPECT_TRUE(ovseal::verify(path, {k}).verified) << what;
    }
}

}  // namespace
