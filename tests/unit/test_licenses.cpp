// SPDX-License-Identifier: Apache-2.0
// Offline licenses (docs/FORMAT.md §13): issuing, inspecting, and opening with them, with real inference.

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <set>

#include "shared_suite.hpp"

namespace {

using namespace ovseal_test;
using ovseal::ErrorCode;
using ovseal::KeyRing;

// Two models signed by P and sealed to the publisher's key only (devices open them through licenses), and one
// unsigned.
struct LicensedModels {
    LicensedModels()
        : key(ovseal::Key::from_bytes(key_bytes(201))),
          publisher(signing_key(202)),
          other_publisher(signing_key(203)),
          device_a(device_identity(204)),
          device_b(device_identity(205)) {
        mlp_xml = write_model(make_mlp(128, 8), dir.path(), "mlp");
        auto o = signed_options(publisher);
        o.chunk_size = chunk_64k;
        model = dir / "model.ovseal";
        other_model = dir / "other.ovseal";
        unsigned_model = dir / "unsigned.ovseal";
        ovseal::seal_model(mlp_xml, model, {key}, o);
        ovseal::seal_model(mlp_xml, other_model, {key}, o);
        o.sign.reset();
        ovseal::seal_model(mlp_xml, unsigned_model, {key}, o);
        plain = plain_outputs(mlp_xml);
        // One license for device A, valid [not_before, expires).
        license_a = dir / "a.lic";
        write_bytes(license_a, issue(model, {device_a.public_key()}, terms(), publisher).at(0));
    }

    static ovseal::LicenseTerms terms(std::uint64_t from = not_before, std::uint64_t until = expires,
                                      std::string note = "for unit tests") {
        return {from, until, std::move(note)};
    }
    std::vector<std::vector<std::uint8_t>> issue(const fs::path& sealed,
                                                 const std::vector<ovseal::DevicePublicKey>& devices,
                                                 const ovseal::LicenseTerms& t,
                                                 const ovseal::SigningKey& signer) const {
        return ovseal::issue_licenses(sealed, KeyRing({key}), devices, t, signer);
    }

    TempDir dir;
    ovseal::Key key;
    ovseal::SigningKey publisher;
    ovseal::SigningKey other_publisher;
    ovseal::DeviceIdentity device_a;
    ovseal::DeviceIdentity device_b;
    fs::path mlp_xml, model, other_model, unsigned_model, license_a;
    Outputs plain;
};

class Licenses : public SharedSuite<LicensedModels> {
protected:
    ov::Core core;
    TempDir work;

    static KeyRing ring(const ovseal::DeviceIdentity& device, std::vector<fs::path> licenses,
                        std::optional<std::uint64_t> now = inside) {
        KeyRing r = trusting_ring(m().publisher, {device}, std::move(licenses));
        r.now = now;
        return r;
    }

    fs::path write_license(const std::vector<std::uint8_t>& bytes, const std::string& name) {
        const auto path = work / name;
        write_bytes(path, bytes);
        return path;
    }

    void expect_refused(const fs::path& sealed, const KeyRing& r, ErrorCode code, const std::string& context) {
        std::shared_ptr<ov::Model> model;
        EXPECT_EQ(expect_failure([&] { model = ovseal::read_model(core, sealed, r); }, {code}, key_bytes(201), context),
                  code);
        EXPECT_EQ(model, nullptr) << context;
    }
};

TEST_F(Licenses, OpensWithRealInference) {
    auto compiled = ovseal::compile_model(core, m().model, ring(m().device_a, {m().license_a}));
    expect_same_outputs(m().plain, infer(compiled));
    expect_same_outputs(infer(ov::Core().compile_model(m().mlp_xml.string(), "CPU"), 99), infer(compiled, 99));
    const auto info = ovseal::verify(m().model, ring(m().device_a, {m().license_a}));
    EXPECT_TRUE(info.verified);
    EXPECT_TRUE(info.signature_verified);
    EXPECT_EQ(info.model_id, ovseal::model_id(m().model));
}

TEST_F(Licenses, InspectShowsWhatWasIssued) {
    const auto info = ovseal::inspect_license(m().license_a);
    EXPECT_EQ(info.model_id, ovseal::model_id(m().model));
    EXPECT_EQ(info.device, m().device_a.public_key());
    EXPECT_EQ(info.not_before, not_before);
    EXPECT_EQ(info.expires, expires);
    EXPECT_EQ(info.note, "for unit tests");
    EXPECT_EQ(info.signer, m().publisher.public_key());
    EXPECT_EQ(info.size, 301u + info.note.size());
    EXPECT_EQ(fs::file_size(m().license_a), info.size);
    // §13.1: magic and fixed fields.
    const auto bytes = read_bytes(m().license_a);
    const std::vector<std::uint8_t> magic = {0x89, 'O', 'V', 'L', 'I', 'C', 'E', '\n'};
    EXPECT_TRUE(std::equal(magic.begin(), magic.end(), bytes.begin()));
    EXPECT_EQ(bytes[8] | bytes[9] << 8, 1);
    EXPECT_EQ(static_cast<std::size_t>(bytes[10] | bytes[11] << 8), info.note.size());
    const auto d = m().device_a.public_key().bytes();
    EXPECT_TRUE(std::equal(d.begin(), d.end(), bytes.begin() + 44));
}

TEST_F(Licenses, WindowBoundaries) {
    // not_before is inclusive, expires exclusive.
    EXPECT_NO_THROW(ovseal::verify(m().model, ring(m().device_a, {m().license_a}, not_before)));
    EXPECT_NO_THROW(ovseal::verify(m().model, ring(m().device_a, {m().license_a}, expires - 1)));
    expect_refused(m().model, ring(m().device_a, {m().license_a}, expires), ErrorCode::license_expired,
                   "now == expires");
    expect_refused(m().model, ring(m().device_a, {m().license_a}, expires + 86400), ErrorCode::license_expired,
                   "after expiry");
    expect_refused(m().model, ring(m().device_a, {m().license_a}, not_before - 1), ErrorCode::license_not_yet_valid,
                   "one second early");
    expect_refused(m().model, ring(m().device_a, {m().license_a}, 0), ErrorCode::license_not_yet_valid, "time zero");
}

TEST_F(Licenses, OpenWindowsAndTheSystemClock) {
    // 0 / 0: always valid, including with the system clock.
    const auto always = write_license(
        m().issue(m().model, {m().device_a.public_key()}, LicensedModels::terms(0, 0), m().publisher).at(0),
        "always.lic");
    EXPECT_NO_THROW(ovseal::verify(m().model, ring(m().device_a, {always}, std::nullopt)));
    EXPECT_NO_THROW(ovseal::verify(m().model, ring(m().device_a, {always}, std::numeric_limits<std::uint64_t>::max())));
    // Expired long ago by the system clock.
    const auto old = write_license(
        m().issue(m().model, {m().device_a.public_key()}, LicensedModels::terms(0, 1000), m().publisher).at(0),
        "old.lic");
    expect_refused(m().model, ring(m().device_a, {old}, std::nullopt), ErrorCode::license_expired, "system clock");
}

TEST_F(Licenses, WrongDevice) {
    expect_refused(m().model, ring(m().device_b, {m().license_a}), ErrorCode::license_wrong_device, "device B");
}

TEST_F(Licenses, WrongModel) {
    expect_refused(m().other_model, ring(m().device_a, {m().license_a}), ErrorCode::license_wrong_model, "other model");
}

TEST_F(Licenses, DamagedByteIsLicenseInvalid) {
    const auto good = read_bytes(m().license_a);
    // magic, note length, model id, device, not_before, expires, ephemeral, wrapped key, note, algorithm, signer,
    // signature.
    for (const std::size_t offset :
         {std::size_t{1}, std::size_t{10}, std::size_t{12}, std::size_t{43}, std::size_t{44}, std::size_t{76},
          std::size_t{84}, std::size_t{92}, std::size_t{124}, std::size_t{203}, std::size_t{204}, good.size() - 97,
          good.size() - 96, good.size() - 64, good.size() - 1}) {
        auto bytes = good;
        bytes[offset] ^= 0x01;
        const auto path = write_license(bytes, "damaged" + std::to_string(offset) + ".lic");
        const std::string context = "license byte " + std::to_string(offset);
        expect_failure([&] { ovseal::inspect_license(path); }, {ErrorCode::license_invalid}, {},
                       context + " (inspect)");
        expect_refused(m().model, ring(m().device_a, {path}), ErrorCode::license_invalid, context);
    }
    // Truncated, extended, empty, not a license.
    for (const auto& bytes :
         {std::vector<std::uint8_t>(good.begin(), good.end() - 1),
          [&] {
              auto b = good;
              b.push_back(0);
              return b;
          }(),
          std::vector<std::uint8_t>{}, std::vector<std::uint8_t>(good.begin(), good.begin() + 100)}) {
        const auto path = write_license(bytes, "bad.lic");
        expect_failure([&] { ovseal::inspect_license(path); }, {ErrorCode::license_invalid}, {}, "malformed license");
        expect_refused(m().model, ring(m().device_a, {path}), ErrorCode::license_invalid, "malformed license");
    }
    // A newer license version (2 is the P-256 form, so 3).
    auto newer = good;
    newer[8] = 3;
    const auto path = write_license(newer, "v3.lic");
    expect_failure([&] { ovseal::inspect_license(path); }, {ErrorCode::unsupported_version}, {}, "license version 3");
    // Version 2 with a version 1 body: the layout does not match.
    auto relabelled = good;
    relabelled[8] = 2;
    expect_failure([&] { ovseal::inspect_license(write_license(relabelled, "v2.lic")); }, {ErrorCode::license_invalid},
                   {}, "license version 2 with an X25519 body");
    // A missing license file.
    expect_refused(m().model, ring(m().device_a, {work / "missing.lic"}), ErrorCode::io, "missing license");
}

// §13.1: a file of any other length than 301 + n is license_invalid, however long it is.
TEST_F(Licenses, FileLongerThanAnyLicenseIsLicenseInvalid) {
    const auto big = write_license(read_bytes(m().model), "big.lic");  // a sealed model given as a license
    expect_failure([&] { ovseal::inspect_license(big); }, {ErrorCode::license_invalid}, {}, "large file (inspect)");
    expect_refused(m().model, ring(m().device_a, {big}), ErrorCode::license_invalid, "large file as license");
}

TEST_F(Licenses, SignedByAnUntrustedKey) {
    const auto forged = write_license(
        m().issue(m().model, {m().device_a.public_key()}, LicensedModels::terms(), m().other_publisher).at(0), "q.lic");
    EXPECT_EQ(ovseal::inspect_license(forged).signer, m().other_publisher.public_key());
    expect_refused(m().model, ring(m().device_a, {forged}), ErrorCode::untrusted_signer, "license signed by Q");
    // Trusting Q as well makes the license acceptable.
    auto r = ring(m().device_a, {forged});
    r.trusted.push_back(m().other_publisher.public_key());
    EXPECT_NO_THROW(ovseal::verify(m().model, r));
}

TEST_F(Licenses, LicensesNeedATrustList) {
    auto r = ring(m().device_a, {m().license_a});
    r.trusted.clear();
    expect_refused(m().model, r, ErrorCode::usage, "license without trust");
    r.allow_unsigned_device_files = true;
    expect_refused(m().model, r, ErrorCode::usage, "license without trust, allow unsigned");
}

TEST_F(Licenses, IssuanceRules) {
    const std::vector<ovseal::DevicePublicKey> a = {m().device_a.public_key()};
    auto code = [](const std::function<void()>& f) {
        const auto e = error_of(f);
        return e ? e->code() : ErrorCode::ok;
    };
    EXPECT_EQ(code([&] { m().issue(m().unsigned_model, a, LicensedModels::terms(), m().publisher); }),
              ErrorCode::signature_required);
    EXPECT_EQ(code([&] {
                  ovseal::issue_licenses(m().model, KeyRing({ovseal::Key::from_bytes(key_bytes(999))}), a,
                                         LicensedModels::terms(), m().publisher);
              }),
              ErrorCode::no_matching_key);
    EXPECT_EQ(code([&] { m().issue(m().model, a, LicensedModels::terms(expires, not_before), m().publisher); }),
              ErrorCode::usage);
    EXPECT_EQ(
        code([&] { m().issue(m().model, a, LicensedModels::terms(0, 0, std::string(1025, 'n')), m().publisher); }),
        ErrorCode::usage);
    EXPECT_EQ(m().issue(m().model, a, LicensedModels::terms(0, 0, std::string(1024, 'n')), m().publisher).at(0).size(),
              301u + 1024u);
    EXPECT_TRUE(m().issue(m().model, {}, LicensedModels::terms(), m().publisher).empty());
    // A model whose signature does not verify gets no license.
    const auto damaged = work / "damaged.ovseal";
    fs::copy_file(m().model, damaged);
    flip_byte(damaged, fs::file_size(damaged) - 1);
    EXPECT_EQ(code([&] { m().issue(damaged, a, LicensedModels::terms(), m().publisher); }), ErrorCode::bad_signature);
    // A trust list in the issuing ring applies to the model's signer.
    KeyRing strict({m().key});
    strict.trusted = {m().other_publisher.public_key()};
    EXPECT_EQ(code([&] { ovseal::issue_licenses(m().model, strict, a, LicensedModels::terms(), m().publisher); }),
              ErrorCode::untrusted_signer);
}

TEST_F(Licenses, AThousandDevicesEachWithItsOwnLicense) {
    constexpr std::size_t count = 1000;
    std::vector<ovseal::DevicePublicKey> devices;
    devices.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        devices.push_back(device_identity(static_cast<unsigned>(10'000 + i)).public_key());
    }
    std::set<std::vector<std::uint8_t>> distinct;
    for (const auto& d : devices) distinct.insert({d.bytes().begin(), d.bytes().end()});
    ASSERT_EQ(distinct.size(), count);

    const auto licenses = m().issue(m().model, devices, LicensedModels::terms(0, 0, "batch"), m().publisher);
    ASSERT_EQ(licenses.size(), count);
    EXPECT_EQ(std::set<std::vector<std::uint8_t>>(licenses.begin(), licenses.end()).size(), count);

    const std::string id = ovseal::model_id(m().model);
    const auto dir = work / "batch";
    fs::create_directories(dir);
    std::vector<fs::path> paths;
    for (std::size_t i = 0; i < count; ++i) {
        paths.push_back(dir / (devices[i].key_id() + ".lic"));
        write_bytes(paths.back(), licenses[i]);
        const auto info = ovseal::inspect_license(paths.back());
        ASSERT_EQ(info.device, devices[i]) << i;
        ASSERT_EQ(info.model_id, id) << i;
        ASSERT_EQ(info.signer, m().publisher.public_key()) << i;
        ASSERT_EQ(info.note, "batch");
    }
    EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}), static_cast<long>(count))
        << "key ids collide";

    for (const std::size_t i : {std::size_t{0}, std::size_t{1}, std::size_t{499}, std::size_t{999}}) {
        const auto device = device_identity(static_cast<unsigned>(10'000 + i));
        ASSERT_EQ(device.public_key(), devices[i]);
        const std::size_t other = (i + 1) % count;
        EXPECT_NO_THROW(ovseal::verify(m().model, ring(device, {paths[i]}))) << i;
        expect_refused(m().model, ring(device, {paths[other]}), ErrorCode::license_wrong_device,
                       "device " + std::to_string(i) + " with license " + std::to_string(other));
        // Among several licenses, its own is found.
        EXPECT_NO_THROW(ovseal::verify(m().model, ring(device, {paths[other], paths[i]}))) << i;
    }
    const auto last = device_identity(10'000 + 999);
    expect_same_outputs(m().plain, infer(ovseal::compile_model(core, m().model, ring(last, {paths[999]}))));
}

}  // namespace
