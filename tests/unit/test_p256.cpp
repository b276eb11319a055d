// SPDX-License-Identifier: Apache-2.0
// P-256 device keys (docs/FORMAT.md §7.5, §13.5, §14): the primitive against RFC 5903, the text form, and
// sealing and licensing to a P-256 device with real inference. The device key is in software here
// (DeviceIdentity::from_p256_bytes); the TPM tests use the same paths with the key inside swtpm.

#include <gtest/gtest.h>

#include <string>

#include "crypto/p256.hpp"
#include "test_support.hpp"

namespace {

using namespace ovseal_test;
using ovseal::ErrorCode;
using ovseal::KeyRing;

// RFC 5903 §8.1: the 256-bit random ECP group.
const std::string rfc_i = "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433";
const std::string rfc_gix = "dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180";
const std::string rfc_giy = "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3";
const std::string rfc_r = "c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53";
const std::string rfc_grx = "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63";
const std::string rfc_gry = "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab";
const std::string rfc_girx = "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de";

TEST(P256, Rfc5903KnownAnswer) {
    const ovseal::crypto::P256Key i{ovseal::crypto::KeyView(from_hex(rfc_i))};
    const ovseal::crypto::P256Key r{ovseal::crypto::KeyView(from_hex(rfc_r))};
    // Public keys: compressed forms of (gix, giy) and (grx, gry); y's parity picks 02 or 03.
    const auto gi = ovseal::crypto::p256_compress(from_hex(rfc_gix), from_hex(rfc_giy));
    const auto gr = ovseal::crypto::p256_compress(from_hex(rfc_grx), from_hex(rfc_gry));
    ASSERT_TRUE(gi && gr);
    EXPECT_EQ(to_hex(i.public_key()), to_hex(*gi));
    EXPECT_EQ(to_hex(r.public_key()), to_hex(*gr));
    EXPECT_EQ(to_hex(*gi), "03" + rfc_gix);  // giy is odd
    EXPECT_EQ(to_hex(*gr), "03" + rfc_grx);  // gry is odd
    // Both sides agree on girx.
    const auto a = i.agree(r.public_key());
    const auto b = r.agree(i.public_key());
    ASSERT_TRUE(a && b);
    EXPECT_EQ(to_hex(a->secret()), rfc_girx);
    EXPECT_EQ(to_hex(b->secret()), rfc_girx);
    // Decompression gives back the affine coordinates.
    const auto affine = ovseal::crypto::p256_decompress(*gi);
    ASSERT_TRUE(affine);
    EXPECT_EQ(to_hex(*affine), rfc_gix + rfc_giy);
}

TEST(P256, RejectsPointsOffTheCurveAndScalarsOutOfRange) {
    auto point = from_hex("03" + rfc_gix);
    ASSERT_TRUE(ovseal::crypto::p256_decompress(point));
    // x values with no point: increment until one is found, and check every API refuses it.
    while (ovseal::crypto::p256_decompress(point)) ++point[32];
    const ovseal::crypto::P256Key key{ovseal::crypto::KeyView(from_hex(rfc_i))};
    EXPECT_FALSE(key.agree(point));
    EXPECT_FALSE(ovseal::crypto::p256_decompress(from_hex("04" + rfc_gix)));             // not a compressed prefix
    EXPECT_FALSE(ovseal::crypto::p256_decompress(from_hex("00")));                       // infinity
    EXPECT_FALSE(ovseal::crypto::p256_decompress(std::vector<std::uint8_t>(33, 0xFF)));  // x >= p
    EXPECT_FALSE(ovseal::crypto::p256_compress(from_hex(rfc_gix), from_hex(rfc_gry)));   // (x, y) not on the curve
    EXPECT_THROW(ovseal::DevicePublicKey::from_p256(point), ovseal::Error);

    const auto order_hex = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
    EXPECT_FALSE(ovseal::crypto::p256_scalar_in_range(ovseal::crypto::KeyView(from_hex(order_hex))));
    EXPECT_FALSE(ovseal::crypto::p256_scalar_in_range(ovseal::crypto::KeyView(std::vector<std::uint8_t>(32, 0))));
    auto below = from_hex(order_hex);
    below[31] -= 1;
    EXPECT_TRUE(ovseal::crypto::p256_scalar_in_range(ovseal::crypto::KeyView(below)));
    EXPECT_THROW(ovseal::crypto::P256Key{ovseal::crypto::KeyView(std::vector<std::uint8_t>(32, 0))}, ovseal::Error);
}

TEST(P256, PublicKeyTextForm) {
    const auto device = ovseal::DeviceIdentity::from_p256_bytes(from_hex(rfc_i));
    const auto text = device.public_key().to_string();
    ASSERT_TRUE(text.starts_with("ovseal-p256:")) << text;
    EXPECT_EQ(text.size(), std::string("ovseal-p256:").size() + 50);
    const auto parsed = ovseal::DevicePublicKey::parse(text);
    EXPECT_EQ(parsed, device.public_key());
    EXPECT_EQ(parsed.type(), ovseal::DeviceKeyType::p256);
    EXPECT_EQ(to_hex(parsed.bytes()), "03" + rfc_gix);
    // A typo is caught by the checksum; an X25519 key is not a P-256 one.
    auto typo = text;
    typo[20] = typo[20] == 'A' ? 'B' : 'A';
    EXPECT_THROW(ovseal::DevicePublicKey::parse(typo), ovseal::Error);
    EXPECT_NE(ovseal::DevicePublicKey::parse(device_identity(3).public_key().to_string()).type(),
              ovseal::DeviceKeyType::p256);
}

// A model sealed to a P-256 device and signed; licenses of version 2.
struct P256Models {
    P256Models()
        : key(ovseal::Key::from_bytes(key_bytes(401))),
          publisher(signing_key(402)),
          device_c(ovseal::DeviceIdentity::from_p256_bytes(from_hex(rfc_i))),
          device_d(ovseal::DeviceIdentity::from_p256_bytes(from_hex(rfc_r))),
          device_x(device_identity(403)) {
        xml = write_model(make_mlp(96, 4), dir.path(), "mlp");
        ovseal::SealOptions o;
        o.sign = publisher;
        o.devices = {device_c.public_key()};
        sealed = dir / "to-c.ovseal";
        ovseal::seal_model(xml, sealed, {key}, o);
        ov::Core core;
        plain = infer(core.compile_model(xml.string(), "CPU"));
    }
    KeyRing ring(const ovseal::DeviceIdentity& device, std::vector<fs::path> licenses = {}) const {
        KeyRing r;
        r.identities = {device};
        r.licenses = std::move(licenses);
        r.trusted = {publisher.public_key()};
        return r;
    }

    TempDir dir;
    ovseal::Key key;
    ovseal::SigningKey publisher;
    ovseal::DeviceIdentity device_c, device_d, device_x;
    fs::path xml, sealed;
    Outputs plain;
};

const P256Models& m() {
    static const P256Models models;
    return models;
}

TEST(P256, SealedToADeviceOpensWithItOnly) {
    ov::Core core;
    expect_same_outputs(m().plain, infer(ovseal::compile_model(core, m().sealed, m().ring(m().device_c))));
    EXPECT_EQ(ovseal::verify(m().sealed, m().ring(m().device_c)).stanza_types,
              (std::vector<std::string>{"key", "p256-tagged"}));
    for (const auto* other : {&m().device_d, &m().device_x}) {
        const auto error = error_of([&] { (void)ovseal::verify(m().sealed, m().ring(*other)); });
        ASSERT_TRUE(error.has_value());
        EXPECT_EQ(error->code(), ErrorCode::no_matching_key) << code_name(error->code());
    }
}

TEST(P256, LicensesOfVersionTwoInAMixedBatch) {
    // The device-only stanza is not needed: licenses carry the file key. One batch for both key types.
    const fs::path model = m().dir / "licensed.ovseal";
    ovseal::SealOptions o;
    o.sign = m().publisher;
    ovseal::seal_model(m().xml, model, {m().key}, o);
    const auto licenses =
        ovseal::issue_licenses(model, KeyRing({m().key}), {m().device_c.public_key(), m().device_x.public_key()},
                               {0, 0, "mixed"}, m().publisher);
    ASSERT_EQ(licenses.size(), 2u);
    EXPECT_EQ(licenses[0].size(), 303u + 5);  // version 2: 303 + note
    EXPECT_EQ(licenses[1].size(), 301u + 5);  // version 1: 301 + note
    EXPECT_EQ(licenses[0][8], 2);
    EXPECT_EQ(licenses[1][8], 1);
    const fs::path lic_c = m().dir / "c.lic";
    const fs::path lic_x = m().dir / "x.lic";
    write_bytes(lic_c, licenses[0]);
    write_bytes(lic_x, licenses[1]);

    const auto info = ovseal::inspect_license(lic_c);
    EXPECT_EQ(info.device, m().device_c.public_key());

    ov::Core core;
    expect_same_outputs(m().plain, infer(ovseal::compile_model(core, model, m().ring(m().device_c, {lic_c}))));
    expect_same_outputs(m().plain, infer(ovseal::compile_model(core, model, m().ring(m().device_x, {lic_x}))));
    const auto wrong = error_of([&] { (void)ovseal::verify(model, m().ring(m().device_d, {lic_c})); });
    ASSERT_TRUE(wrong.has_value());
    EXPECT_EQ(wrong->code(), ErrorCode::license_wrong_device);

    // Damage to D (still a valid length) is caught: by the point check or by the license signature.
    auto damaged = licenses[0];
    damaged[50] ^= 0x01;
    const fs::path lic_bad = m().dir / "bad.lic";
    write_bytes(lic_bad, damaged);
    const auto bad = error_of([&] { (void)ovseal::inspect_license(lic_bad); });
    ASSERT_TRUE(bad.has_value());
    EXPECT_EQ(bad->code(), ErrorCode::license_invalid);
}

}  // namespace
