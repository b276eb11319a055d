// SPDX-License-Identifier: Apache-2.0
// License-only models (docs/FORMAT.md §5.1, §9 step 5a): under a trust list, only a license signed by the model's
// own signer opens them. The attack they stop: a licensee learns the file key through its license and adds a
// stanza of its own, as the format allows (the signature does not cover stanzas).

#include <gtest/gtest.h>

#include "container/opened_container.hpp"
#include "container/sealer.hpp"
#include "crypto/random_source.hpp"
#include "policy/license_record.hpp"
#include "keys/stanzas.hpp"
#include "shared_suite.hpp"

namespace {

using namespace ovseal_test;
using ovseal::ErrorCode;
using ovseal::Key;
using ovseal::KeyRing;

struct Models {
    Models()
        : master(Key::from_bytes(key_bytes(501))),
          stolen(Key::from_bytes(key_bytes(502))),
          device(device_identity(503)),
          publisher(signing_key(504)),
          licensee_signer(signing_key(505)) {
        xml = write_model(make_mlp(64, 5), dir.path(), "mlp");
        auto o = signed_options(publisher);
        plain = dir / "plain.ovseal";
        ovseal::seal_model(xml, plain, {master}, o);
        o.license_only = true;
        only = dir / "only.ovseal";
        ovseal::seal_model(xml, only, {master}, o);
        for (const auto& [model, lic] : {std::pair{plain, dir / "plain.lic"}, std::pair{only, dir / "only.lic"}}) {
            write_issued_license(lic, model, master, device.public_key(), publisher);
        }
        expected = plain_outputs(xml);
    }
    TempDir dir;
    Key master, stolen;
    ovseal::DeviceIdentity device;
    ovseal::SigningKey publisher, licensee_signer;
    fs::path xml, plain, only;
    Outputs expected;
};

class LicenseOnly : public SharedSuite<Models> {
protected:
    TempDir work;
    ov::Core core;

    static fs::path license_of(const fs::path& model) {
        return model == m().only ? m().dir / "only.lic" : m().dir / "plain.lic";
    }
    static KeyRing licensee(const fs::path& model) {
        return trusting_ring(m().publisher, {m().device}, {license_of(model)});
    }
    static KeyRing key_under_trust(const Key& key) {
        KeyRing r({key});
        r.trusted = {m().publisher.public_key()};
        return r;
    }

    // What a licensee who follows the format by hand does: open with its license, take the file key, and write
    // the same file with a stanza for a key of its own (the library's own writer, new header MAC).
    fs::path extract(const fs::path& model, const std::string& name) {
        const auto file = ovseal::container::OpenedContainer::open(model, licensee(model));
        ovseal::crypto::SystemRandom random;
        auto stanzas = file.stanzas();
        stanzas.push_back(ovseal::keys::wrap_file_key(m().stolen, file.file_key(ovseal::secret_access()), 16, random));
        stanzas.push_back(
            ovseal::keys::wrap_file_key(m().device.public_key(), file.file_key(ovseal::secret_access()), random));
        const auto out = work / name;
        ovseal::container::rewrap_file(file, stanzas, out);
        return out;
    }

    void expect_opens(const fs::path& sealed, const KeyRing& ring) {
        ov::CompiledModel compiled;
        ASSERT_NO_THROW(compiled = ovseal::compile_model(core, sealed, ring));
        expect_same_outputs(m().expected, infer(compiled));
    }
    ErrorCode refused(const fs::path& sealed, const KeyRing& ring, const std::string& context) {
        std::shared_ptr<ov::Model> model;
        const auto code = expect_failure([&] { model = ovseal::read_model(core, sealed, ring); },
                                         {ErrorCode::license_required, ErrorCode::license_expired}, {}, context);
        EXPECT_EQ(model, nullptr) << context;
        return code;
    }
};

TEST_F(LicenseOnly, OpensThroughItsLicenseAndForThePublisher) {
    EXPECT_TRUE(ovseal::inspect(m().only).license_only);
    EXPECT_FALSE(ovseal::inspect(m().plain).license_only);
    expect_opens(m().only, licensee(m().only));
    const auto info = ovseal::verify(m().only, licensee(m().only));
    EXPECT_TRUE(info.license_only && info.signature_verified);
    expect_opens(m().only, KeyRing({m().master}));  // no trust list: the publisher checking its own file
}

TEST_F(LicenseOnly, ExtractedCopyIsRefusedUnderTrust) {
    const auto copy = extract(m().only, "extracted.ovseal");
    EXPECT_EQ(ovseal::model_id(copy), ovseal::model_id(m().only));  // the signature still verifies over it
    EXPECT_EQ(refused(copy, key_under_trust(m().stolen), "added key"), ErrorCode::license_required);
    KeyRing device;
    device.identities = {m().device};
    device.trusted = {m().publisher.public_key()};
    EXPECT_EQ(refused(copy, device, "added device stanza"), ErrorCode::license_required);
    EXPECT_EQ(refused(m().only, key_under_trust(m().master), "the master key on a device"),
              ErrorCode::license_required);
    const auto e = error_of([&] { ovseal::verify(copy, key_under_trust(m().stolen)); });
    ASSERT_TRUE(e);
    EXPECT_NE(std::string(e->what()).find("only through a license"), std::string::npos) << e->what();
}

TEST_F(LicenseOnly, WithoutTheRecordTheCopyOpensAsBefore) {
    // Revision 4 behaviour, kept for files without the record: this is what --license-only is for.
    const auto copy = extract(m().plain, "extracted.ovseal");
    expect_opens(copy, key_under_trust(m().stolen));
}

TEST_F(LicenseOnly, LicenseSignedByAnotherTrustedKeyIsRefused) {
    // A licensee with the file key signs a license of its own, with no window, for devices that trust its key.
    for (const auto& model : {m().only, m().plain}) {
        const auto file = ovseal::container::OpenedContainer::open(model, licensee(model));
        ovseal::crypto::SystemRandom random;
        const auto own = work / "own.lic";
        write_bytes(own, ovseal::keys::issue_license(file.signature()->model_id, file.file_key(ovseal::secret_access()),
                                                     m().device.public_key(), 0, 0, "", m().licensee_signer, random));
        KeyRing ring = licensee(model);
        ring.licenses = {own};
        ring.trusted.push_back(m().licensee_signer.public_key());
        if (model == m().only) {
            EXPECT_EQ(refused(model, ring, "a license by another trusted key"), ErrorCode::license_required);
        } else {
            expect_opens(model, ring);  // revision 4 behaviour for a file without the record
        }
        fs::remove(own);
    }
    // The library does not issue such licenses for a license-only model.
    const auto e = error_of([&] {
        ovseal::issue_licenses(m().only, KeyRing({m().master}), {m().device.public_key()}, {}, m().licensee_signer);
    });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), ErrorCode::usage) << e->what();
}

TEST_F(LicenseOnly, ExpiredLicenseBesideAKeyReportsTheLicense) {
    const auto expired = work / "expired.lic";
    ovseal::LicenseTerms terms;
    terms.expires = 1000;
    write_bytes(
        expired,
        ovseal::issue_licenses(m().only, KeyRing({m().master}), {m().device.public_key()}, terms, m().publisher).at(0));
    KeyRing ring = licensee(m().only);
    ring.licenses = {expired};
    ring.keys = {m().master};
    EXPECT_EQ(refused(m().only, ring, "expired license and a key"), ErrorCode::license_expired);
}

TEST_F(LicenseOnly, SealingRefusesWhatCouldNeverOpen) {
    ovseal::SealOptions o;
    o.license_only = true;
    const auto out = work / "x.ovseal";
    EXPECT_EQ(
        expect_failure([&] { ovseal::seal_model(m().xml, out, {m().master}, o); }, {ErrorCode::usage}, {}, "unsigned"),
        ErrorCode::usage);
    o.sign = m().publisher;
    o.devices = {m().device.public_key()};
    EXPECT_EQ(expect_failure([&] { ovseal::seal_model(m().xml, out, {m().master}, o); }, {ErrorCode::usage}, {},
                             "to a device"),
              ErrorCode::usage);
    EXPECT_FALSE(fs::exists(out));
}

TEST_F(LicenseOnly, RotationKeepsIt) {
    const auto rewrapped = work / "rewrapped.ovseal";
    ovseal::RewrapChanges c;
    c.add_keys = {m().stolen};
    ovseal::rewrap(m().only, rewrapped, key_under_trust(m().master), c);  // the publisher, under its trust list
    EXPECT_TRUE(ovseal::inspect(rewrapped).license_only);
    expect_opens(rewrapped, licensee(m().only));
    c.add_devices = {m().device.public_key()};
    EXPECT_EQ(expect_failure([&] { ovseal::rewrap(m().only, work / "d.ovseal", KeyRing({m().master}), c); },
                             {ErrorCode::usage}, {}, "rewrap adds a device"),
              ErrorCode::usage);

    const auto resealed = work / "resealed.ovseal";
    ovseal::SealOptions o;
    o.sign = m().publisher;
    ovseal::reseal(m().only, resealed, key_under_trust(m().master), {m().master}, o);
    EXPECT_TRUE(ovseal::inspect(resealed).license_only);
    EXPECT_EQ(refused(resealed, key_under_trust(m().master), "resealed, key under trust"), ErrorCode::license_required);
    o.sign.reset();
    EXPECT_EQ(
        expect_failure([&] { ovseal::reseal(m().only, work / "u.ovseal", KeyRing({m().master}), {m().master}, o); },
                       {ErrorCode::usage}, {}, "reseal unsigned"),
        ErrorCode::usage);
    o.sign = m().publisher;
    o.license_only = true;
    ovseal::reseal(m().plain, resealed, KeyRing({m().master}), {m().master}, o);
    EXPECT_TRUE(ovseal::inspect(resealed).license_only);
}

}  // namespace
