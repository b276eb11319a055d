// SPDX-License-Identifier: Apache-2.0
// Key rotation through the public API: ovseal::rewrap (new stanzas, same file key, chunks, signature and licenses:
// docs/FORMAT.md §12.1) and ovseal::reseal (a new file key, salt and chunks), with real inference.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "container/opened_container.hpp"
#include "memory/locked_region.hpp"
#include "shared_suite.hpp"

namespace {

// For each chunk index, whether the two files store the same bytes for it.
std::vector<bool> same_stored_chunks(const ovseal::container::OpenedContainer& a,
                                     const ovseal::container::OpenedContainer& b) {
    EXPECT_EQ(a.layout().chunk_count, b.layout().chunk_count);
    const std::size_t stored = static_cast<std::size_t>(a.layout().stored_chunk_size());
    std::vector<std::uint8_t> x(stored), y(stored);
    std::vector<bool> same;
    for (std::uint64_t i = 0; i < std::min(a.layout().chunk_count, b.layout().chunk_count); ++i) {
        a.read_stored(a.layout().chunk_offset(i), x);
        b.read_stored(b.layout().chunk_offset(i), y);
        same.push_back(x == y);
    }
    return same;
}

using namespace ovseal_test;
using ovseal::ErrorCode;
using ovseal::Key;
using ovseal::KeyRing;

constexpr unsigned fast_scrypt = 16;

/// The header length H: the u32 (little-endian) at offset 12 of the preamble.
std::uint32_t header_length(const std::vector<std::uint8_t>& bytes) {
    EXPECT_GE(bytes.size(), 16u);
    return static_cast<std::uint32_t>(bytes[12]) | static_cast<std::uint32_t>(bytes[13]) << 8 |
           static_cast<std::uint32_t>(bytes[14]) << 16 | static_cast<std::uint32_t>(bytes[15]) << 24;
}

/// Every stored chunk and the trailer: the bytes after the header.
std::vector<std::uint8_t> after_header(const fs::path& path) {
    const auto bytes = read_bytes(path);
    const auto h = header_length(bytes);
    return {bytes.begin() + h, bytes.end()};
}

std::vector<std::uint8_t> file_key_of(const fs::path& path, const Key& key) {
    const auto file = ovseal::container::OpenedContainer::open(path, std::vector<Key>{key});
    const auto k = file.file_key(ovseal::secret_access());
    return {k.begin(), k.end()};
}

// One signed model with metadata, a license for it, and the same model rewrapped for every kind of reader.
struct RotationModels {
    RotationModels()
        : key1(Key::from_bytes(key_bytes(301))),
          key2(Key::from_bytes(key_bytes(302))),
          pass1(Key::from_passphrase("rotation passphrase one")),
          pass2(Key::from_passphrase("rotation passphrase two")),
          device_a(device_identity(303)),
          device_b(device_identity(304)),
          device_c(device_identity(305)),
          publisher(signing_key(306)) {
        mlp_xml = write_model(make_mlp(256, 9), dir.path(), "mlp");  // .xml chunk + two .bin chunks
        auto o = signed_options(publisher);
        o.chunk_size = chunk_64k;
        o.name = "rotor";
        o.version = "3.1.4";
        o.description = "rotation test model";
        signed_file = dir / "signed.ovseal";
        ovseal::seal_model(mlp_xml, signed_file, {key1}, o);

        license_c = write_issued_license(dir / "c.lic", signed_file, key1, device_c.public_key(), publisher);

        // full: [0] key1, [1] key2, [2] pass1, [3] device A, [4] device B.
        full = dir / "full.ovseal";
        ovseal::RewrapChanges c;
        c.add_keys = {key2, pass1};
        c.add_devices = {device_a.public_key(), device_b.public_key()};
        c.scrypt_log2_n = fast_scrypt;
        ovseal::rewrap(signed_file, full, KeyRing({key1}), c);

        plain = plain_outputs(mlp_xml);
    }

    TempDir dir;
    Key key1, key2, pass1, pass2;
    ovseal::DeviceIdentity device_a, device_b, device_c;
    ovseal::SigningKey publisher;
    fs::path mlp_xml, signed_file, full, license_c;
    Outputs plain;
};

class Rotation : public SharedSuite<RotationModels> {
protected:
    ov::Core core;
    TempDir work;

    static KeyRing keys(std::vector<Key> k) { return KeyRing(std::move(k)); }
    static KeyRing device_ring(const ovseal::DeviceIdentity& d) { return trusting_ring(m().publisher, {d}); }
    static KeyRing license_ring() {
        auto r = device_ring(m().device_c);
        r.licenses = {m().license_c};
        return r;
    }
    /// name -> ring, for every way `full` opens.
    static std::vector<std::pair<std::string, KeyRing>> ways() {
        return {{"key1", keys({m().key1})},
                {"key2", keys({m().key2})},
                {"pass1", keys({m().pass1})},
                {"device A", device_ring(m().device_a)},
                {"device B", device_ring(m().device_b)}};
    }

    void expect_opens(const fs::path& sealed, const KeyRing& ring, const std::string& context) {
        SCOPED_TRACE(context);
        ov::CompiledModel compiled;
        ASSERT_NO_THROW(compiled = ovseal::compile_model(core, sealed, ring)) << context;
        expect_same_outputs(m().plain, infer(compiled));
    }
    void expect_refused(const fs::path& sealed, const KeyRing& ring, ErrorCode code, const std::string& context) {
        std::shared_ptr<ov::Model> model;
        EXPECT_EQ(expect_failure([&] { model = ovseal::read_model(core, sealed, ring); }, {code}, {}, context), code);
        EXPECT_EQ(model, nullptr) << context;
    }
    fs::path copy(const fs::path& from, const std::string& name) {
        const auto to = work / name;
        fs::copy_file(from, to);
        return to;
    }
    /// The files in the work folder (no output, no partial file left behind by a failure).
    std::set<std::string> work_files() const {
        std::set<std::string> names;
        for (const auto& e : fs::directory_iterator(work.path())) names.insert(e.path().filename().string());
        return names;
    }
};

// ---------------------------------------------------------------------------------------------------------
// rewrap

TEST_F(Rotation, RewrapAddsEveryWay) {
    EXPECT_EQ(ovseal::inspect(m().full).stanza_types,
              (std::vector<std::string>{"key", "key", "scrypt", "x25519-tagged", "x25519-tagged"}));
    for (const auto& [name, ring] : ways()) {
        expect_opens(m().full, ring, name);
    }
    auto trusted = keys({m().key2});
    trusted.trusted = {m().publisher.public_key()};
    const auto info = ovseal::verify(m().full, trusted);
    EXPECT_TRUE(info.verified);
    EXPECT_TRUE(info.signature_verified);
}

TEST_F(Rotation, RewrapKeepsModelIdChunksAndTrailer) {
    const auto before = ovseal::inspect(m().signed_file);
    const auto after = ovseal::inspect(m().full);
    ASSERT_TRUE(before.model_id.has_value());
    EXPECT_EQ(after.model_id, before.model_id);
    EXPECT_EQ(ovseal::model_id(m().full), ovseal::model_id(m().signed_file));
    EXPECT_EQ(ovseal::model_id(m().full), *before.model_id);
    EXPECT_GT(after.header_size, before.header_size);
    EXPECT_EQ(header_length(read_bytes(m().full)), after.header_size);
    // Chunks and trailer byte for byte: nothing was re-encrypted.
    EXPECT_TRUE(after_header(m().full) == after_header(m().signed_file));
    EXPECT_EQ(after.chunk_count, before.chunk_count);
    EXPECT_GE(after.chunk_count, 3u);
    EXPECT_EQ(after.model_name, before.model_name);
    EXPECT_EQ(after.created, before.created);
}

// No (key, nonce) reuse: the rewrapped file has the same file key, salt and stored chunks, so every nonce is used
// with the same key for the very same ciphertext, never for another plaintext.
TEST_F(Rotation, RewrapKeepsFileKeySaltAndStoredChunks) {
    const auto a = ovseal::container::OpenedContainer::open(m().signed_file, std::vector<Key>{m().key1});
    const auto b = ovseal::container::OpenedContainer::open(m().full, std::vector<Key>{m().key2});
    const auto key_a = a.file_key(ovseal::secret_access());
    const auto key_b = b.file_key(ovseal::secret_access());
    ASSERT_EQ(key_a.size(), key_b.size());
    EXPECT_TRUE(std::equal(key_a.begin(), key_a.end(), key_b.begin()));
    EXPECT_EQ(a.body().payload_salt, b.body().payload_salt);
    EXPECT_EQ(a.body().file_key_commitment, b.body().file_key_commitment);
    const auto same = same_stored_chunks(a, b);
    for (std::size_t i = 0; i < same.size(); ++i) EXPECT_TRUE(same[i]) << "chunk " << i << " differs";
    EXPECT_EQ(a.file_size() - a.layout().header_length, b.file_size() - b.layout().header_length);
}

TEST_F(Rotation, RewrapKeepsLicenses) {
    expect_opens(m().signed_file, license_ring(), "license on the input");
    expect_opens(m().full, license_ring(), "license on the rewrapped file");
    const auto info = ovseal::verify(m().full, license_ring());
    EXPECT_TRUE(info.signature_verified);
}

TEST_F(Rotation, RewrapRemovesAStanza) {
    struct Case {
        std::string name;
        ovseal::RewrapChanges changes;
        std::string removed;
        std::vector<std::string> types;
    };
    std::vector<Case> cases(4);
    cases[0] = {"by index (key2)", {}, "key2", {"key", "scrypt", "x25519-tagged", "x25519-tagged"}};
    cases[0].changes.remove_stanzas = {1};
    cases[1] = {"by index (device A)", {}, "device A", {"key", "key", "scrypt", "x25519-tagged"}};
    cases[1].changes.remove_stanzas = {3};
    cases[2] = {"by key", {}, "key2", {"key", "scrypt", "x25519-tagged", "x25519-tagged"}};
    cases[2].changes.remove_opened_by = {m().key2};
    cases[3] = {"the passphrase", {}, "pass1", {"key", "key", "x25519-tagged", "x25519-tagged"}};
    cases[3].changes.remove_passphrase = true;

    int n = 0;
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        const auto out = work / ("less" + std::to_string(n++) + ".ovseal");
        ovseal::rewrap(m().full, out, keys({m().key1}), c.changes);
        EXPECT_EQ(ovseal::inspect(out).stanza_types, c.types);
        EXPECT_EQ(ovseal::model_id(out), ovseal::model_id(m().full));
        EXPECT_TRUE(after_header(out) == after_header(m().full));
        for (const auto& [name, ring] : ways()) {
            if (name == c.removed) {
                expect_refused(out, ring, ErrorCode::no_matching_key, c.name + ": " + name);
            } else if (name == "key1" || name == "device B") {
                expect_opens(out, ring, c.name + ": " + name);
            } else {
                EXPECT_NO_THROW(ovseal::verify(out, ring)) << c.name << ": " << name;
            }
        }
        expect_opens(out, license_ring(), c.name + ": license");
    }
}

TEST_F(Rotation, RewrapChangesPassphrase) {
    const auto out = work / "changed.ovseal";
    ovseal::RewrapChanges c;
    c.remove_passphrase = true;
    c.add_keys = {m().pass2};
    c.scrypt_log2_n = fast_scrypt;
    ovseal::rewrap(m().full, out, keys({m().pass1}), c);
    const auto types = ovseal::inspect(out).stanza_types;
    EXPECT_EQ(std::count(types.begin(), types.end(), "scrypt"), 1);
    EXPECT_EQ(types.size(), 5u);
    EXPECT_EQ(ovseal::model_id(out), ovseal::model_id(m().full));
    EXPECT_TRUE(after_header(out) == after_header(m().full));
    expect_refused(out, keys({m().pass1}), ErrorCode::no_matching_key, "old passphrase");
    expect_opens(out, keys({m().pass2}), "new passphrase");
    expect_opens(out, keys({m().key1}), "key1");
}

TEST_F(Rotation, RewrapRefusalsWriteNothing) {
    const auto out = work / "out.ovseal";
    const auto refuse = [&](const fs::path& in, const KeyRing& ring, const ovseal::RewrapChanges& c, ErrorCode code,
                            const std::string& context) {
        EXPECT_EQ(expect_failure([&] { ovseal::rewrap(in, out, ring, c); }, {code}, key_bytes(301), context), code);
        EXPECT_FALSE(fs::exists(out)) << context;
    };
    {
        ovseal::RewrapChanges c;
        c.remove_stanzas = {0};
        refuse(m().signed_file, keys({m().key1}), c, ErrorCode::usage, "the only stanza removed");
    }
    {
        ovseal::RewrapChanges c;
        c.remove_stanzas = {0, 1, 2, 3, 4};
        refuse(m().full, keys({m().key1}), c, ErrorCode::usage, "every stanza removed by index");
    }
    {
        ovseal::RewrapChanges c;
        c.remove_opened_by = {m().key1};
        refuse(m().signed_file, keys({m().key1}), c, ErrorCode::usage, "the only stanza removed by key");
    }
    {
        ovseal::RewrapChanges c;
        c.add_keys = {m().pass2};
        c.scrypt_log2_n = fast_scrypt;
        refuse(m().full, keys({m().key1}), c, ErrorCode::usage, "a second passphrase");
    }
    {
        ovseal::RewrapChanges c;
        c.add_keys = {m().pass1, m().pass2};
        c.scrypt_log2_n = fast_scrypt;
        refuse(m().signed_file, keys({m().key1}), c, ErrorCode::usage, "two passphrases added at once");
    }
    {
        ovseal::RewrapChanges c;
        c.add_keys = {m().key2};
        c.remove_stanzas = {5};
        refuse(m().signed_file, keys({m().key1}), c, ErrorCode::usage, "no such stanza");
    }
    {
        ovseal::RewrapChanges c;
        c.add_keys = {m().key2};
        refuse(m().signed_file, keys({m().key2}), c, ErrorCode::no_matching_key, "wrong opening key");
        refuse(m().full, keys({m().pass2}), c, ErrorCode::no_matching_key, "wrong opening passphrase");
    }
    EXPECT_TRUE(work_files().empty());
}

// A licensee must not turn a license (or a device identity) into a key file that never expires.
TEST_F(Rotation, LicenseOrDeviceIdentityCannotRepublish) {
    const auto out = work / "out.ovseal";
    ovseal::RewrapChanges c;
    c.add_keys = {m().key2};
    ovseal::SealOptions o;
    o.sign = m().publisher;
    auto with_key = license_ring();
    with_key.keys = {m().key1};  // even beside the publisher's key
    const std::vector<std::pair<std::string, KeyRing>> rings = {
        {"license", license_ring()}, {"device identity", device_ring(m().device_a)}, {"license and key", with_key}};
    for (const auto& [name, ring] : rings) {
        for (const bool reseal : {false, true}) {
            const auto e = error_of([&] {
                reseal ? ovseal::reseal(m().full, out, ring, {m().key2}, o) : ovseal::rewrap(m().full, out, ring, c);
            });
            ASSERT_TRUE(e) << name;
            EXPECT_EQ(e->code(), ErrorCode::usage) << name;
            EXPECT_NE(std::string(e->what()).find("not with a license or a device identity"), std::string::npos)
                << e->what();
            EXPECT_FALSE(fs::exists(out)) << name;
        }
    }
    EXPECT_TRUE(work_files().empty());
}

TEST_F(Rotation, RewrapWrongKeyInPlaceLeavesTheInput) {
    const auto path = copy(m().signed_file, "m.ovseal");
    const auto bytes = read_bytes(path);
    ovseal::RewrapChanges c;
    c.add_keys = {m().key2};
    expect_failure([&] { ovseal::rewrap(path, path, keys({m().key2}), c); }, {ErrorCode::no_matching_key}, {},
                   "in place, wrong key");
    EXPECT_TRUE(read_bytes(path) == bytes);
    EXPECT_EQ(work_files(), (std::set<std::string>{"m.ovseal"}));
}

TEST_F(Rotation, RewrapInPlace) {
    const auto path = copy(m().signed_file, "m.ovseal");
    ovseal::RewrapChanges c;
    c.add_keys = {m().key2};
    c.remove_opened_by = {m().key1};
    ovseal::rewrap(path, path, keys({m().key1}), c);
    EXPECT_EQ(ovseal::inspect(path).stanza_types, (std::vector<std::string>{"key"}));
    EXPECT_EQ(ovseal::model_id(path), ovseal::model_id(m().signed_file));
    EXPECT_TRUE(after_header(path) == after_header(m().signed_file));
    expect_refused(path, keys({m().key1}), ErrorCode::no_matching_key, "removed key");
    auto trusted = keys({m().key2});
    trusted.trusted = {m().publisher.public_key()};
    expect_opens(path, trusted, "added key, under trust");
    EXPECT_EQ(work_files(), (std::set<std::string>{"m.ovseal"}));
}

TEST_F(Rotation, RewrapOfDamagedChunkWritesNothing) {
    auto bytes = read_bytes(m().signed_file);
    const auto h = header_length(bytes);
    bytes[h + chunk_64k + 16 + 100] ^= 0x01;  // inside the second chunk
    const auto path = work / "d.ovseal";
    write_bytes(path, bytes);
    ovseal::RewrapChanges c;
    c.add_keys = {m().key2};
    const auto out = work / "out.ovseal";
    EXPECT_EQ(expect_failure([&] { ovseal::rewrap(path, out, keys({m().key1}), c); }, {ErrorCode::payload_auth_failed},
                             key_bytes(301), "damaged chunk"),
              ErrorCode::payload_auth_failed);
    EXPECT_EQ(expect_failure([&] { ovseal::rewrap(path, path, keys({m().key1}), c); }, {ErrorCode::payload_auth_failed},
                             key_bytes(301), "damaged chunk, in place"),
              ErrorCode::payload_auth_failed);
    EXPECT_TRUE(read_bytes(path) == bytes);
    EXPECT_EQ(work_files(), (std::set<std::string>{"d.ovseal"}));
}

// ---------------------------------------------------------------------------------------------------------
// reseal

TEST_F(Rotation, ResealForNewRecipientsOnly) {
    const auto out = work / "resealed.ovseal";
    ovseal::SealOptions o;
    o.devices = {m().device_a.public_key()};
    o.sign = m().publisher;
    o.scrypt_log2_n = fast_scrypt;
    ovseal::reseal(m().signed_file, out, keys({m().key1}), {m().key2, m().pass1}, o);

    const auto before = ovseal::inspect(m().signed_file);
    const auto after = ovseal::inspect(out);
    EXPECT_EQ(after.stanza_types, (std::vector<std::string>{"key", "scrypt", "x25519-tagged"}));
    expect_opens(out, keys({m().key2}), "key2");
    expect_opens(out, keys({m().pass1}), "pass1");
    expect_opens(out, device_ring(m().device_a), "device A");
    expect_refused(out, keys({m().key1}), ErrorCode::no_matching_key, "old key");
    expect_refused(out, device_ring(m().device_b), ErrorCode::no_matching_key, "device B, never a recipient");

    // A new model id; the old license is for another model.
    ASSERT_TRUE(after.model_id.has_value());
    EXPECT_NE(after.model_id, before.model_id);
    EXPECT_EQ(ovseal::model_id(out), *after.model_id);
    expect_refused(out, license_ring(), ErrorCode::license_wrong_model, "old license");

    // Signed by the publisher: verifies under the trust list.
    auto trusted = keys({m().key2});
    trusted.trusted = {m().publisher.public_key()};
    const auto info = ovseal::verify(out, trusted);
    EXPECT_TRUE(info.signature_verified);
    EXPECT_EQ(info.model_id, after.model_id);

    // Metadata kept.
    EXPECT_EQ(after.model_name, std::optional<std::string>("rotor"));
    EXPECT_EQ(after.model_version, std::optional<std::string>("3.1.4"));
    EXPECT_EQ(after.description, std::optional<std::string>("rotation test model"));
    EXPECT_EQ(after.model_name, before.model_name);
    EXPECT_EQ(after.model_version, before.model_version);
    EXPECT_EQ(after.description, before.description);
    ASSERT_EQ(after.entries.size(), before.entries.size());
    for (std::size_t i = 0; i < after.entries.size(); ++i) {
        EXPECT_EQ(after.entries[i].name, before.entries[i].name);
        EXPECT_EQ(after.entries[i].kind, before.entries[i].kind);
        EXPECT_EQ(after.entries[i].size, before.entries[i].size);
    }
    EXPECT_EQ(after.chunk_size, before.chunk_size);
}

TEST_F(Rotation, ResealDrawsNewFileKeyAndPayload) {
    const auto out = work / "resealed.ovseal";
    ovseal::reseal(m().signed_file, out, keys({m().key1}), {m().key1});  // even for the same key
    EXPECT_NE(file_key_of(out, m().key1), file_key_of(m().signed_file, m().key1));
    const auto a = ovseal::container::OpenedContainer::open(m().signed_file, std::vector<Key>{m().key1});
    const auto b = ovseal::container::OpenedContainer::open(out, std::vector<Key>{m().key1});
    EXPECT_NE(a.body().payload_salt, b.body().payload_salt);
    EXPECT_NE(a.body().file_key_commitment, b.body().file_key_commitment);
    const auto same = same_stored_chunks(a, b);
    for (std::size_t i = 0; i < same.size(); ++i) EXPECT_FALSE(same[i]) << "chunk " << i << " was not re-encrypted";
    EXPECT_FALSE(after_header(out) == after_header(m().signed_file));
    expect_opens(out, keys({m().key1}), "resealed for the same key");
}

TEST_F(Rotation, ResealWithoutSignIsUnsigned) {
    const auto out = work / "unsigned.ovseal";
    ovseal::reseal(m().signed_file, out, keys({m().key1}), {m().key2});
    const auto info = ovseal::inspect(out);
    EXPECT_FALSE(info.model_id.has_value());
    EXPECT_FALSE(info.signer_key_id.has_value());
    EXPECT_EQ(info.model_name, std::optional<std::string>("rotor"));
    expect_opens(out, keys({m().key2}), "key2");
    auto trusted = keys({m().key2});
    trusted.trusted = {m().publisher.public_key()};
    expect_refused(out, trusted, ErrorCode::signature_required, "unsigned under trust");
}

TEST_F(Rotation, ResealWithoutRecipientsIsUsage) {
    const auto out = work / "none.ovseal";
    ovseal::SealOptions o;
    o.sign = m().publisher;
    EXPECT_EQ(expect_failure([&] { ovseal::reseal(m().signed_file, out, keys({m().key1}), {}, o); }, {ErrorCode::usage},
                             key_bytes(301), "no recipient"),
              ErrorCode::usage);
    EXPECT_TRUE(work_files().empty());
}

TEST_F(Rotation, ResealRefusalsWriteNothing) {
    const auto out = work / "out.ovseal";
    EXPECT_EQ(expect_failure([&] { ovseal::reseal(m().signed_file, out, keys({m().key2}), {m().key2}); },
                             {ErrorCode::no_matching_key}, key_bytes(302), "wrong key"),
              ErrorCode::no_matching_key);
    auto bytes = read_bytes(m().signed_file);
    bytes[header_length(bytes) + 100] ^= 0x01;
    const auto bad = work / "bad.ovseal";
    write_bytes(bad, bytes);
    EXPECT_EQ(expect_failure([&] { ovseal::reseal(bad, out, keys({m().key1}), {m().key2}); },
                             {ErrorCode::payload_auth_failed}, key_bytes(301), "damaged chunk"),
              ErrorCode::payload_auth_failed);
    EXPECT_EQ(work_files(), (std::set<std::string>{"bad.ovseal"}));
}

TEST_F(Rotation, ResealInPlace) {
    const auto path = copy(m().signed_file, "m.ovseal");
    ovseal::SealOptions o;
    o.sign = m().publisher;
    o.devices = {m().device_b.public_key()};
    ovseal::reseal(path, path, keys({m().key1}), {m().key2}, o);
    EXPECT_EQ(ovseal::inspect(path).stanza_types, (std::vector<std::string>{"key", "x25519-tagged"}));
    EXPECT_NE(ovseal::model_id(path), ovseal::model_id(m().signed_file));
    expect_refused(path, keys({m().key1}), ErrorCode::no_matching_key, "old key");
    expect_opens(path, device_ring(m().device_b), "device B");
    EXPECT_EQ(work_files(), (std::set<std::string>{"m.ovseal"}));
}

// ---------------------------------------------------------------------------------------------------------
// Locked memory

TEST_F(Rotation, NothingLockedLeftBehind) {
    // Keys and rings are made first: they hold locked memory of their own.
    const auto ring = keys({m().key1});
    ovseal::RewrapChanges c;
    c.add_keys = {m().key2, m().pass1};
    c.add_devices = {m().device_a.public_key()};
    c.scrypt_log2_n = fast_scrypt;
    ovseal::SealOptions o;
    o.sign = m().publisher;
    o.devices = {m().device_b.public_key()};
    o.scrypt_log2_n = fast_scrypt;
    const std::vector<Key> recipients{m().key2, m().pass1};
    const auto rewrapped = work / "rewrapped.ovseal";
    const auto resealed = work / "resealed.ovseal";

    const auto baseline = ovseal::memory::region_stats().live_bytes;
    ovseal::rewrap(m().signed_file, rewrapped, ring, c);
    EXPECT_EQ(ovseal::memory::region_stats().live_bytes, baseline) << "after rewrap";
    ovseal::reseal(m().signed_file, resealed, ring, recipients, o);
    EXPECT_EQ(ovseal::memory::region_stats().live_bytes, baseline) << "after reseal";
    ovseal::reseal(resealed, resealed, keys({m().key2}), {m().key1});
    EXPECT_EQ(ovseal::memory::region_stats().live_bytes, baseline) << "after reseal in place";
    EXPECT_NO_THROW(ovseal::verify(rewrapped, {m().key2}));
    EXPECT_NO_THROW(ovseal::verify(resealed, {m().key1}));
}

}  // namespace
