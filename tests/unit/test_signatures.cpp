// SPDX-License-Identifier: Apache-2.0
// Publisher signatures, device stanzas and the trust list, through the public API with real inference
// (docs/FORMAT.md §7.3, §8.1, §9 steps 2a/7a, §12).

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "container/opened_container.hpp"
#include "crypto/crypto.hpp"
#include "memory/locked_region.hpp"
#include "shared_suite.hpp"

namespace {

using namespace ovseal_test;
using ovseal::ErrorCode;
using ovseal::KeyRing;

constexpr std::size_t signed_trailer = 135;  // §8.1: record type, length, 129-byte value

// Offsets of the SIGNATURE record's fields, from the end of a signed file (the record is the whole trailer).
constexpr std::uint64_t from_end_algorithm = 129;
constexpr std::uint64_t from_end_model_id = 128;
constexpr std::uint64_t from_end_signer = 96;
constexpr std::uint64_t from_end_signature = 64;

// Models sealed once for the whole suite: signed by P to a key and a device, and the same unsigned.
struct SignedModels {
    SignedModels()
        : key(ovseal::Key::from_bytes(key_bytes(101))),
          device(device_identity(102)),
          other_device(device_identity(103)),
          publisher(signing_key(104)),
          other_publisher(signing_key(105)) {
        mlp_xml = write_model(make_mlp(256, 5), dir.path(), "mlp");
        cnn_xml = write_model(make_cnn(6), dir.path(), "cnn");
        auto o = signed_options(publisher, {device.public_key()});
        o.chunk_size = chunk_64k;
        mlp_signed = dir / "mlp_signed.ovseal";
        cnn_signed = dir / "cnn_signed.ovseal";
        mlp_unsigned = dir / "mlp_unsigned.ovseal";
        ovseal::seal_model(mlp_xml, mlp_signed, {key}, o);
        ovseal::seal_model(cnn_xml, cnn_signed, {key}, o);
        o.sign.reset();
        ovseal::seal_model(mlp_xml, mlp_unsigned, {key}, o);
        mlp_plain = plain_outputs(mlp_xml);
        mlp_plain_99 = plain_outputs(mlp_xml, 99);
        cnn_plain = plain_outputs(cnn_xml);
    }

    TempDir dir;
    ovseal::Key key;
    ovseal::DeviceIdentity device;
    ovseal::DeviceIdentity other_device;
    ovseal::SigningKey publisher;
    ovseal::SigningKey other_publisher;
    fs::path mlp_xml, cnn_xml, mlp_signed, cnn_signed, mlp_unsigned;
    Outputs mlp_plain, mlp_plain_99, cnn_plain;
};

class Signatures : public SharedSuite<SignedModels> {
protected:
    ov::Core core;
    TempDir work;

    static KeyRing device_ring(bool trust = true) {
        KeyRing r;
        r.identities = {m().device};
        if (trust) r.trusted = {m().publisher.public_key()};
        return r;
    }
    static KeyRing key_ring(bool trust = true) {
        KeyRing r({m().key});
        if (trust) r.trusted = {m().publisher.public_key()};
        return r;
    }

    fs::path copy(const fs::path& from, const std::string& name) {
        const auto to = work / name;
        fs::copy_file(from, to);
        return to;
    }

    // Expects read_model (and verify) to fail with `code`, to produce no model, and to leave no locked memory.
    void expect_refused(const fs::path& path, const KeyRing& ring, ErrorCode code, const std::string& context) {
        std::shared_ptr<ov::Model> model;
        const auto got = expect_failure([&] { model = ovseal::read_model(core, path, ring); }, {code}, key_bytes(101),
                                        context + " (read_model)");
        EXPECT_EQ(got, code) << context;
        EXPECT_EQ(model, nullptr) << context << ": a model was produced";
        expect_failure([&] { ovseal::verify(path, ring); }, {code}, key_bytes(101), context + " (verify)");
    }
};

TEST_F(Signatures, DeviceUnderTrustRunsBitIdentical) {
    auto compiled = ovseal::compile_model(core, m().mlp_signed, device_ring());
    expect_same_outputs(m().mlp_plain, infer(compiled));
    expect_same_outputs(m().mlp_plain_99, infer(compiled, 99));
    auto cnn = ovseal::compile_model(core, m().cnn_signed, device_ring());
    expect_same_outputs(m().cnn_plain, infer(cnn));
}

TEST_F(Signatures, KeyUnderTrustRunsAndVerifies) {
    auto compiled = ovseal::compile_model(core, m().mlp_signed, key_ring());
    expect_same_outputs(m().mlp_plain, infer(compiled));

    const auto info = ovseal::verify(m().mlp_signed, key_ring());
    EXPECT_TRUE(info.verified);
    EXPECT_TRUE(info.signature_verified);
    ASSERT_TRUE(info.signer_key_id.has_value());
    EXPECT_EQ(*info.signer_key_id, m().publisher.public_key().key_id());
    ASSERT_TRUE(info.model_id.has_value());
    EXPECT_EQ(*info.model_id, ovseal::model_id(m().mlp_signed));
    EXPECT_EQ(info.stanza_types, (std::vector<std::string>{"key", "x25519-tagged"}));

    const auto by_device = ovseal::verify(m().mlp_signed, device_ring());
    EXPECT_TRUE(by_device.signature_verified);
    EXPECT_EQ(by_device.model_id, info.model_id);
}

TEST_F(Signatures, TrailerLayoutAndInspect) {
    const auto bytes = read_bytes(m().mlp_signed);
    const auto unsigned_size = fs::file_size(m().mlp_unsigned);
    EXPECT_EQ(bytes.size(), unsigned_size + signed_trailer);
    const std::size_t t = bytes.size() - signed_trailer;
    EXPECT_EQ(bytes[t], 0x01);  // SIGNATURE, not critical
    EXPECT_EQ(bytes[t + 1], 0x00);
    EXPECT_EQ(bytes[t + 2] | bytes[t + 3] << 8 | bytes[t + 4] << 16 | bytes[t + 5] << 24, 129);
    EXPECT_EQ(bytes[bytes.size() - from_end_algorithm], 1);  // Ed25519
    const auto& p = m().publisher.public_key().bytes();
    EXPECT_TRUE(std::equal(p.begin(), p.end(), bytes.end() - from_end_signer));

    const auto info = ovseal::inspect(m().mlp_signed);
    EXPECT_FALSE(info.verified);
    EXPECT_FALSE(info.signature_verified);
    EXPECT_EQ(info.signer_key_id, m().publisher.public_key().key_id());
    EXPECT_EQ(info.model_id, ovseal::model_id(m().mlp_signed));
    EXPECT_EQ(info.stanza_types, (std::vector<std::string>{"key", "x25519-tagged"}));

    const auto plain = ovseal::inspect(m().mlp_unsigned);
    EXPECT_FALSE(plain.signer_key_id.has_value());
    EXPECT_FALSE(plain.model_id.has_value());
}

TEST_F(Signatures, UnsignedUnderTrustIsSignatureRequired) {
    expect_refused(m().mlp_unsigned, key_ring(), ErrorCode::signature_required, "key ring");
    expect_refused(m().mlp_unsigned, device_ring(), ErrorCode::signature_required, "device ring");
    // Allowing unsigned device files does not lift a trust list.
    auto ring = device_ring();
    ring.allow_unsigned_device_files = true;
    expect_refused(m().mlp_unsigned, ring, ErrorCode::signature_required, "allow unsigned, with a trust list");
}

TEST_F(Signatures, OtherTrustedKeyIsUntrustedSigner) {
    for (auto ring : {key_ring(), device_ring()}) {
        ring.trusted = {m().other_publisher.public_key()};
        expect_refused(m().mlp_signed, ring, ErrorCode::untrusted_signer, "other publisher trusted");
    }
    // A list that holds the signer among others is enough.
    auto ring = device_ring();
    ring.trusted = {m().other_publisher.public_key(), m().publisher.public_key()};
    expect_same_outputs(m().mlp_plain, infer(ovseal::compile_model(core, m().mlp_signed, ring)));
}

TEST_F(Signatures, FlippedSignatureByteIsBadSignature) {
    for (const std::uint64_t back : {from_end_signature, std::uint64_t{33}, std::uint64_t{1}}) {
        const auto path = copy(m().mlp_signed, "sig" + std::to_string(back) + ".ovseal");
        flip_byte(path, fs::file_size(path) - back);
        expect_refused(path, device_ring(), ErrorCode::bad_signature, "signature byte -" + std::to_string(back));
        expect_refused(path, key_ring(), ErrorCode::bad_signature, "signature byte -" + std::to_string(back));
        // The signature is not part of the signed message: the model id stays.
        EXPECT_EQ(ovseal::model_id(path), ovseal::model_id(m().mlp_signed));
    }
}

TEST_F(Signatures, FlippedClaimedModelIdIsBadSignature) {
    for (const std::uint64_t back : {from_end_model_id, from_end_model_id - 31}) {
        const auto path = copy(m().cnn_signed, "id" + std::to_string(back) + ".ovseal");
        flip_byte(path, fs::file_size(path) - back, 0x80);
        expect_refused(path, device_ring(), ErrorCode::bad_signature, "model id byte -" + std::to_string(back));
        expect_refused(path, key_ring(), ErrorCode::bad_signature, "model id byte -" + std::to_string(back));
        EXPECT_NE(ovseal::inspect(path).model_id, ovseal::model_id(path));
    }
}

TEST_F(Signatures, OtherTrailerDamage) {
    // The signer key no longer matches the trust list (whole-key comparison).
    const auto signer = copy(m().mlp_signed, "signer.ovseal");
    flip_byte(signer, fs::file_size(signer) - from_end_signer + 31);
    expect_refused(signer, device_ring(), ErrorCode::untrusted_signer, "signer key");
    // Algorithm other than Ed25519.
    const auto algorithm = copy(m().mlp_signed, "alg.ovseal");
    flip_byte(algorithm, fs::file_size(algorithm) - from_end_algorithm, 0x02);
    expect_refused(algorithm, device_ring(), ErrorCode::malformed_header, "algorithm");
    // A damaged chunk fails authentication first.
    const auto chunk = copy(m().mlp_signed, "chunk.ovseal");
    const auto info = ovseal::inspect(chunk);
    flip_byte(chunk, info.header_size + 100);
    expect_refused(chunk, device_ring(), ErrorCode::payload_auth_failed, "chunk");
}

TEST_F(Signatures, IdentityWithoutTrustIsUsage) {
    for (const auto& path : {m().mlp_signed, m().mlp_unsigned}) {
        expect_refused(path, device_ring(false), ErrorCode::usage,
                       "identity without trust: " + path.filename().string());
    }
    // With a key as well: a device identity still needs a trust list.
    auto ring = device_ring(false);
    ring.keys = {m().key};
    expect_refused(m().mlp_signed, ring, ErrorCode::usage, "identity and key without trust");
}

TEST_F(Signatures, AllowUnsignedOpensAnUnsignedDeviceFile) {
    auto ring = device_ring(false);
    ring.allow_unsigned_device_files = true;
    auto compiled = ovseal::compile_model(core, m().mlp_unsigned, ring);
    expect_same_outputs(m().mlp_plain, infer(compiled));
    const auto info = ovseal::verify(m().mlp_unsigned, ring);
    EXPECT_TRUE(info.verified);
    EXPECT_FALSE(info.signature_verified);

    // Another device cannot open it.
    ring.identities = {m().other_device};
    expect_refused(m().mlp_unsigned, ring, ErrorCode::no_matching_key, "other device, unsigned");
}

TEST_F(Signatures, OtherDeviceUnderTrustIsNoMatchingKey) {
    auto ring = device_ring();
    ring.identities = {m().other_device};
    expect_refused(m().mlp_signed, ring, ErrorCode::no_matching_key, "other device");
    ring.identities = {m().other_device, m().device};
    expect_same_outputs(m().mlp_plain, infer(ovseal::compile_model(core, m().mlp_signed, ring)));
}

TEST_F(Signatures, SignedFileOpensWithKeyAndNoTrustList) {
    auto compiled = ovseal::compile_model(core, m().mlp_signed, m().key);
    expect_same_outputs(m().mlp_plain, infer(compiled));
    const auto info = ovseal::verify(m().mlp_signed, {m().key});
    EXPECT_TRUE(info.verified);
    EXPECT_FALSE(info.signature_verified);
    EXPECT_EQ(info.signer_key_id, m().publisher.public_key().key_id());
    EXPECT_EQ(info.model_id, ovseal::model_id(m().mlp_signed));

    // Without a trust list the signature is not checked (§9: steps 2a and 7a apply only under a trust list).
    const auto damaged = copy(m().mlp_signed, "unchecked.ovseal");
    flip_byte(damaged, fs::file_size(damaged) - 1);
    EXPECT_FALSE(ovseal::verify(damaged, {m().key}).signature_verified);
}

TEST_F(Signatures, ModelIdIsComputedFromTheFile) {
    const std::string id = ovseal::model_id(m().mlp_signed);
    ASSERT_EQ(id.size(), 64u);
    EXPECT_TRUE(std::all_of(id.begin(), id.end(), [](char c) { return std::isxdigit(c) && !std::isupper(c); }));
    EXPECT_EQ(ovseal::verify(m().mlp_signed, key_ring()).model_id, id);
    EXPECT_EQ(ovseal::verify(m().mlp_signed, device_ring()).model_id, id);
    EXPECT_NE(ovseal::model_id(m().cnn_signed), id);
    // An unsigned file has a model id too, and it differs (another file key and salt).
    const std::string unsigned_id = ovseal::model_id(m().mlp_unsigned);
    EXPECT_EQ(unsigned_id.size(), 64u);
    EXPECT_NE(unsigned_id, id);
    // Sealing the same model again makes another id.
    ovseal::SealOptions o;
    o.chunk_size = chunk_64k;
    o.sign = m().publisher;
    ovseal::seal_model(m().mlp_xml, work / "again.ovseal", {m().key}, o);
    EXPECT_NE(ovseal::model_id(work / "again.ovseal"), id);
    EXPECT_EQ(ovseal::verify(work / "again.ovseal", key_ring()).model_id, ovseal::model_id(work / "again.ovseal"));
    // A changed chunk changes the id.
    const auto changed = copy(m().mlp_signed, "changed.ovseal");
    flip_byte(changed, ovseal::inspect(changed).header_size + 5);
    EXPECT_NE(ovseal::model_id(changed), id);
}

TEST_F(Signatures, LowOrderDeviceKeyIsRefusedWhenSealing) {
    ovseal::SealOptions o;
    o.chunk_size = chunk_64k;
    o.devices = {ovseal::DevicePublicKey::from_bytes(ovseal::PublicKeyBytes{})};
    o.sign = m().publisher;
    const auto out = work / "low.ovseal";
    const auto e = error_of([&] { ovseal::seal_model(m().mlp_xml, out, {}, o); });
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->code(), ErrorCode::invalid_key) << e->what();
    EXPECT_FALSE(fs::exists(out));
}

TEST_F(Signatures, SealedToDeviceOnly) {
    ovseal::SealOptions o;
    o.chunk_size = chunk_64k;
    o.devices = {m().other_device.public_key(), m().device.public_key()};
    o.sign = m().publisher;
    const auto out = work / "devices.ovseal";
    ovseal::seal_model(m().mlp_xml, out, {}, o);
    EXPECT_EQ(ovseal::inspect(out).stanza_types, (std::vector<std::string>{"x25519-tagged", "x25519-tagged"}));
    for (const auto& d : {m().device, m().other_device}) {
        auto ring = device_ring();
        ring.identities = {d};
        expect_same_outputs(m().mlp_plain, infer(ovseal::compile_model(core, out, ring)));
    }
    expect_refused(out, key_ring(), ErrorCode::no_matching_key, "key on a device-only file");
}

// §12.1: whoever holds the file key can re-encrypt a chunk with a valid GCM tag. Only the signature catches it.
TEST_F(Signatures, KeyHolderForgeryIsCaughtOnlyUnderATrustList) {
    const auto path = copy(m().mlp_signed, "forged.ovseal");
    const auto claimed = ovseal::inspect(path).model_id;
    auto bytes = read_bytes(path);
    std::uint64_t xml_size = 0;
    {
        const auto file = ovseal::container::OpenedContainer::open(path, std::vector<ovseal::Key>{m().key});
        ASSERT_FALSE(file.checks_signature());
        std::array<std::uint8_t, 32> payload_key{};
        ovseal::crypto::hkdf_sha256(ovseal::crypto::KeyView(file.file_key(ovseal::secret_access())),
                                    file.body().payload_salt, "ovseal-v1 payload", payload_key);
        const auto& layout = file.layout();
        ASSERT_GT(layout.chunk_count, 1u);
        ASSERT_EQ(file.entries()[0].kind, 1);  // chunk 0 is the .xml
        xml_size = file.entries()[0].size;
        const auto at = layout.chunk_offset(0);
        auto chunk = std::span(bytes).subspan(at, layout.chunk_size);
        auto tag = std::span(bytes).subspan(at + layout.chunk_size).first<16>();
        std::array<std::uint8_t, 12> nonce{};  // BE88(0) || 0x00: chunk 0, not the last
        ovseal::crypto::Aes256Gcm gcm{ovseal::crypto::KeyView(payload_key)};
        ASSERT_TRUE(gcm.open(nonce, {}, chunk, tag, chunk));
        const std::string xml(chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(xml_size));
        const auto pos = xml.find("name=\"mlp\"");
        ASSERT_NE(pos, std::string::npos) << xml.substr(0, 200);
        chunk[pos + 8] = 'q';  // the model is now named "mlq": still a valid model
        gcm.seal(nonce, {}, chunk, chunk, tag);
    }
    write_bytes(path, bytes);

    // Without a trust list GCM cannot tell: the forged model opens.
    EXPECT_TRUE(ovseal::verify(path, {m().key}).verified);
    const auto forged = ovseal::read_model(core, path, m().key);
    ASSERT_NE(forged, nullptr);
    EXPECT_EQ(forged->get_friendly_name(), "mlq");
    EXPECT_NE(ovseal::model_id(path), claimed);

    // Under a trust list: bad_signature, no model, no locked memory left.
    expect_refused(path, key_ring(), ErrorCode::bad_signature, "forged, key under trust");
    expect_refused(path, device_ring(), ErrorCode::bad_signature, "forged, device under trust");

    // Nothing is released: the output buffer is wiped when the signature fails.
    const auto file = ovseal::container::OpenedContainer::open(path, key_ring());
    ASSERT_TRUE(file.checks_signature());
    std::vector<std::uint8_t> out(static_cast<std::size_t>(xml_size), 0xAA);
    const auto e = error_of([&] { file.decrypt_entry(0, out); });
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->code(), ErrorCode::bad_signature);
    EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](std::uint8_t b) { return b == 0; }))
        << "plaintext survived a failed signature check";
}

}  // namespace
