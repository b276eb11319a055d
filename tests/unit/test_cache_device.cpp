// SPDX-License-Identifier: Apache-2.0
// Cache entries bound to the reader's device identity (docs/FORMAT.md §16.4, revision 5): an entry made with the
// model's file key alone, or by another device, is not accepted: it is rebuilt. Real compiles and imports.

#include <gtest/gtest.h>

#include "shared_suite.hpp"

namespace {

using namespace ovseal_test;
using Outcome = ovseal::CacheReport::Outcome;

struct Fleet {
    Fleet()
        : key(ovseal::Key::from_bytes(key_bytes(701))),
          a(device_identity(702)),
          b(device_identity(703)),
          c(device_identity(704)),
          publisher(signing_key(705)) {
        xml = write_model(make_mlp(64, 17), dir.path(), "mlp");
        sealed = dir / "fleet.ovseal";
        // stanzas: [key, A, B]
        ovseal::seal_model(xml, sealed, {key}, signed_options(publisher, {a.public_key(), b.public_key()}));
        license = write_issued_license(dir / "c.lic", sealed, key, c.public_key(), publisher);
        plain = plain_outputs(xml);
    }
    TempDir dir;
    ovseal::Key key;
    ovseal::DeviceIdentity a, b, c;
    ovseal::SigningKey publisher;
    fs::path xml, sealed, license;
    Outputs plain;
};

class CacheDevice : public SharedSuite<Fleet> {
protected:
    static const Fleet& f() { return m(); }

    static ovseal::KeyRing devices(std::vector<ovseal::DeviceIdentity> identities) {
        return trusting_ring(f().publisher, std::move(identities));
    }
    // One compile through the cache with a fresh ov::Core, as a new process would start; checks the outputs.
    Outcome compile(const ovseal::KeyRing& ring) {
        ov::Core core;
        std::vector<ovseal::CacheReport> seen;
        auto compiled = ovseal::compile_model(core, f().sealed, ring, "CPU", {},
                                              {cache.path(), [&](const ovseal::CacheReport& r) { seen.push_back(r); }});
        expect_same_outputs(f().plain, infer(compiled));
        EXPECT_EQ(seen.size(), 1u);
        entry = seen.back().entry;
        return seen.back().outcome;
    }

    TempDir cache;
    fs::path entry;
};

TEST_F(CacheDevice, DeviceBoundEntryIsAHitOnItsDevice) {
    EXPECT_EQ(compile(devices({f().a})), Outcome::stored);
    EXPECT_EQ(compile(devices({f().a})), Outcome::hit);
}

TEST_F(CacheDevice, EntryMadeWithTheFileKeyAloneIsRebuilt) {
    // A holder of the file key (here the key file, no identity) makes an entry under the name a device would use.
    EXPECT_EQ(compile(ovseal::KeyRing({f().key})), Outcome::stored);
    const fs::path minted = entry;
    EXPECT_EQ(compile(devices({f().a})), Outcome::rebuilt);
    EXPECT_EQ(entry, minted) << "the binding and the name do not depend on the device";
    EXPECT_EQ(compile(devices({f().a})), Outcome::hit);
    // ... and the device's entry does not open for the file key alone either.
    EXPECT_EQ(compile(ovseal::KeyRing({f().key})), Outcome::rebuilt);
}

TEST_F(CacheDevice, EntryOfAnotherDeviceIsRebuilt) {
    EXPECT_EQ(compile(devices({f().b})), Outcome::stored);
    EXPECT_EQ(compile(devices({f().a})), Outcome::rebuilt);
    EXPECT_EQ(compile(devices({f().b})), Outcome::rebuilt);
    // A licensed device binds its entries to itself too.
    auto licensed = devices({f().c});
    licensed.licenses = {f().license};
    EXPECT_EQ(compile(licensed), Outcome::rebuilt);
    EXPECT_EQ(compile(licensed), Outcome::hit);
}

TEST_F(CacheDevice, TheIdentityThatOpenedTheModelElseTheFirst) {
    // Ring [C, A]: the stanza of A opens the model (C has no stanza), so entries are A's.
    EXPECT_EQ(compile(devices({f().c, f().a})), Outcome::stored);
    EXPECT_EQ(compile(devices({f().a})), Outcome::hit);
    // The key file opens the model (its stanza comes first): the first identity of the ring, B, is used.
    auto key_and_b = devices({f().b, f().a});
    key_and_b.keys = {f().key};
    EXPECT_EQ(compile(key_and_b), Outcome::rebuilt);
    EXPECT_EQ(compile(devices({f().b})), Outcome::hit);
}

}  // namespace
