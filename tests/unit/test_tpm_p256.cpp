// SPDX-License-Identifier: Apache-2.0
// P-256 device keys created inside a TPM (swtpm), through the C++ API: sealing and licensing to them with real
// inference, PCR binding, another TPM, and the rollback guard anchored to the TPM clock (FORMAT.md §13.4),
// including a clock set back after the state file was replaced by an older copy of itself. What an open costs
// the TPM, counted in commands from swtpm's log: one storage key, loaded key and session per open, and at most 8
// device stanzas tried per identity (§7.4) however a file is crafted, while a file sealed to many devices opens
// on each.

#include <gtest/gtest.h>

#include <tss2/tss2_tpm2_types.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>

#include "container/opened_container.hpp"
#include "crypto/crypto.hpp"
#include "container/sealer.hpp"
#include "format/header.hpp"
#include "keys/stanzas.hpp"
#include "swtpm.hpp"
#include "shared_suite.hpp"

namespace {

using namespace ovseal_test;
using ovseal::DeviceIdentity;
using ovseal::ErrorCode;
using ovseal::KeyRing;
using ovseal::TpmOptions;

class TpmP256 : public SwtpmTest {
protected:
    void SetUp() override {
        SwtpmTest::SetUp();
        if (IsSkipped()) return;
        publisher = signing_key(611);
        xml = write_model(make_mlp(64, 12), work.path(), "mlp");
        plain = plain_outputs(xml);
    }
    KeyRing ring(const DeviceIdentity& device, std::vector<fs::path> licenses = {}) const {
        return trusting_ring(publisher, {device}, std::move(licenses));
    }
    fs::path seal_to(const DeviceIdentity& device, const std::string& name) const {
        const auto out = work / name;
        ovseal::seal_model(xml, out, {}, signed_options(publisher, {device.public_key()}));
        return out;
    }
    // The model signed by the publisher and sealed to the key made of key_bytes(key_seed) only, as
    // work/licensed.ovseal, and a license for `device` to it, as work/device.lic: returns the license's path.
    fs::path seal_licensed(const DeviceIdentity& device, unsigned key_seed) const {
        const auto key = ovseal::Key::from_bytes(key_bytes(key_seed));
        ovseal::seal_model(xml, work / "licensed.ovseal", {key}, signed_options(publisher));
        return write_issued_license(work / "device.lic", work / "licensed.ovseal", key, device.public_key(), publisher);
    }
    // The code of verify(work/licensed.ovseal) for `device` with its license `lic` at `now`, the clock guard's
    // state in work/clock (with `tolerance`, else the ring's own).
    ErrorCode verify_at(const DeviceIdentity& device, const fs::path& lic, std::uint64_t now,
                        std::optional<std::int64_t> tolerance = std::nullopt) const {
        KeyRing r = ring(device, {lic});
        r.clock_state = work / "clock";
        r.now = now;
        if (tolerance) r.clock_tolerance_seconds = *tolerance;
        return code_of([&] { (void)ovseal::verify(work / "licensed.ovseal", r); });
    }
    // The code of the ovseal::Error `f` throws, or ok if it returns.
    static ErrorCode code_of(const std::function<void()>& f) {
        try {
            f();
        } catch (const ovseal::Error& e) {
            return e.code();
        }
        return ErrorCode::ok;
    }

    // The TPM commands `f` costs, from swtpm's log.
    struct Cost {
        std::size_t commands = 0;
        std::size_t agreements = 0;  // TPM2_ECDH_ZGen
        std::size_t primaries = 0;   // TPM2_CreatePrimary
        std::size_t loads = 0;       // TPM2_Load
        std::size_t sessions = 0;    // TPM2_StartAuthSession
        std::size_t unseals = 0;     // TPM2_Unseal
    };
    Cost cost_of(const std::function<void()>& f) const {
        const std::size_t before = tpm->commands().size();
        f();
        const auto all = tpm->commands();
        Cost c;
        c.commands = all.size() - before;
        for (std::size_t i = before; i < all.size(); ++i) {
            c.agreements += all[i] == TPM2_CC_ECDH_ZGen;
            c.primaries += all[i] == TPM2_CC_CreatePrimary;
            c.loads += all[i] == TPM2_CC_Load;
            c.sessions += all[i] == TPM2_CC_StartAuthSession;
            c.unseals += all[i] == TPM2_CC_Unseal;
        }
        return c;
    }
    // `sealed` with its stanza section replaced, byte surgery only: what anyone can do to a signed file (the
    // signature does not cover the stanzas; the header MAC is checked only once a stanza opens).
    fs::path with_stanzas(const fs::path& sealed, const std::vector<ovseal::format::Stanza>& stanzas,
                          const std::string& name) const {
        const auto bytes = read_bytes(sealed);
        const auto preamble =
            ovseal::format::parse_preamble(std::span(bytes).first(ovseal::format::preamble_size), bytes.size());
        const auto header = std::span(bytes).first(preamble.header_length);
        auto out = ovseal::format::header_with_body_bytes(stanzas,
                                                          ovseal::format::header_body(header, preamble.stanzas_length));
        const auto mac_at = static_cast<std::ptrdiff_t>(ovseal::format::mac_covered_part(header).size());
        out.insert(out.end(), bytes.begin() + mac_at, bytes.end());  // old MAC, chunks, trailer
        write_bytes(work / name, out);
        return work / name;
    }
    static std::vector<ovseal::format::Stanza> stanzas_of(const fs::path& sealed) {
        return ovseal::container::read_unverified_header(sealed).stanzas;
    }

    ovseal::SigningKey publisher = signing_key(611);
    fs::path xml;
    Outputs plain;
};

// A decoy of `genuine`: the same type, tag and ephemeral key, a commitment that matches nothing.
ovseal::format::Stanza decoy(ovseal::format::Stanza genuine, unsigned i) {
    genuine.body.assign(genuine.body.size(), static_cast<std::uint8_t>(i));
    return genuine;
}

ovseal::format::Stanza untagged(ovseal::format::Stanza tagged) {
    tagged.type = ovseal::keys::p256_stanza_type;
    tagged.args.erase(tagged.args.begin());
    return tagged;
}

TEST_F(TpmP256, SealedToTheTpmKeyRunsBitIdenticalAndOnlyThere) {
    const auto created = DeviceIdentity::create_p256_in_tpm(work / "device", options());
    EXPECT_EQ(created.public_key().type(), ovseal::DeviceKeyType::p256);
    EXPECT_EQ(read_text(work / "device" / "identity.pub"), created.public_key().to_string() + "\n");
    const auto loaded = DeviceIdentity::load(work / "device", options());
    EXPECT_EQ(loaded.public_key(), created.public_key());
    const auto sealed = seal_to(loaded, "to-tpm.ovseal");
    ov::Core core;
    expect_same_outputs(plain, infer(ovseal::compile_model(core, sealed, ring(loaded))));

    // The folder on another TPM: refused when loading, as another device.
    Swtpm other;
    EXPECT_EQ(code_of([&] {
                  DeviceIdentity::load(work / "device", TpmOptions{other.tcti(), ""});
              }),
              ErrorCode::tpm_wrong_device);
    // Another P-256 identity (in the other TPM) does not match the stanza.
    const auto stranger = DeviceIdentity::create_p256_in_tpm(work / "stranger", TpmOptions{other.tcti(), ""});
    EXPECT_EQ(code_of([&] { (void)ovseal::verify(sealed, ring(stranger)); }), ErrorCode::no_matching_key);
    EXPECT_EQ(other.transient_handles(), 0u);
}

TEST_F(TpmP256, PcrBoundKeyFailsAfterAnExtendAndWorksAgainAfterReboot) {
    const auto device = DeviceIdentity::create_p256_in_tpm(work / "device", options("sha256:0,7"));
    const auto sealed = seal_to(device, "to-tpm.ovseal");
    EXPECT_TRUE(ovseal::verify(sealed, ring(device)).verified);
    tpm->extend_pcr(1);  // not in the policy
    EXPECT_TRUE(ovseal::verify(sealed, ring(device)).verified);
    tpm->extend_pcr(7);
    EXPECT_EQ(code_of([&] { (void)ovseal::verify(sealed, ring(device)); }), ErrorCode::tpm_policy_failed);
    EXPECT_EQ(code_of([&] { DeviceIdentity::load(work / "device", options()); }), ErrorCode::tpm_policy_failed);
    tpm->restart();  // swtpm resets PCRs: the boot state of provisioning again
    const auto again = DeviceIdentity::load(work / "device", options());
    EXPECT_TRUE(ovseal::verify(sealed, ring(again)).verified);
}

// A cache entry bound to a TPM-held key (FORMAT.md §16.4): the TPM computes the device cache secret.
TEST_F(TpmP256, CacheEntriesAreBoundToTheTpmKey) {
    const auto device = DeviceIdentity::create_p256_in_tpm(work / "device", options());
    const auto other = device_identity(613);  // an X25519 identity in a file, sealed to as well
    ovseal::SealOptions o;
    o.sign = publisher;
    o.devices = {device.public_key(), other.public_key()};
    const auto sealed = work / "both.ovseal";
    ovseal::seal_model(xml, sealed, {}, o);
    TempDir cache;
    const auto compile = [&](const DeviceIdentity& d) {
        ov::Core core;
        ovseal::CacheReport report;
        auto compiled = ovseal::compile_model(core, sealed, ring(d), "CPU", {},
                                              {cache.path(), [&](const ovseal::CacheReport& r) { report = r; }});
        expect_same_outputs(plain, infer(compiled));
        return report.outcome;
    };
    using Outcome = ovseal::CacheReport::Outcome;
    EXPECT_EQ(compile(device), Outcome::stored);
    EXPECT_EQ(compile(device), Outcome::hit);
    EXPECT_EQ(compile(other), Outcome::rebuilt);
    EXPECT_EQ(compile(device), Outcome::rebuilt);
}

TEST_F(TpmP256, ClockGuardAnchoredToTheTpmClock) {
    const auto device = DeviceIdentity::create_p256_in_tpm(work / "device", options());
    const auto lic = seal_licensed(device, 612);
    const auto model = work / "licensed.ovseal";
    const auto state = work / "clock";
    const std::uint64_t t0 = 1'900'000'000;
    auto at = [&](std::uint64_t now, std::int64_t tolerance = 300) { return verify_at(device, lic, now, tolerance); };

    const auto before_anchor = std::chrono::steady_clock::now();
    ASSERT_EQ(at(t0), ErrorCode::ok);
    const std::string first = read_text(state);
    EXPECT_TRUE(first.starts_with("OVSEAL-CLOCK-TPM-1 1900000000 ")) << first;
    ASSERT_EQ(at(t0 + 1000), ErrorCode::ok);
    // The clock set back by more than the tolerance: refused.
    EXPECT_EQ(at(t0 + 1000 - 400), ErrorCode::clock_rollback);
    // The state file replaced by its older copy does not help: the TPM clock has run on since that anchor, so
    // the anchor still says "at least t0" and t0 - 400 is refused; within the tolerance is fine.
    write_text(state, first);
    EXPECT_EQ(at(t0 - 400), ErrorCode::clock_rollback);
    write_text(state, first);
    EXPECT_EQ(at(t0 - 100), ErrorCode::ok);
    // What only the TPM clock can tell: with no tolerance, an anchor at t0 and 2 s of TPM clock since, "now" may not
    // be t0 + 1, although that is later than anything the file says.
    write_text(state, first);
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    EXPECT_EQ(at(t0 + 1, 0), ErrorCode::clock_rollback);
    write_text(state, first);
    // A time that accounts for the TPM clock since the anchor is fine. That is at most the time since before the
    // anchor, plus what `at` does before it reads the TPM clock: a margin, as checks run much slower in some builds
    // (under the sanitizers each `at` takes seconds).
    const auto since_anchor =
        std::chrono::ceil<std::chrono::seconds>(std::chrono::steady_clock::now() - before_anchor).count();
    EXPECT_EQ(at(t0 + static_cast<std::uint64_t>(since_anchor) + 30, 0), ErrorCode::ok);
    // An edited anchor (an earlier time, keeping its MAC) is refused as damaged, never reset.
    std::string edited = first;
    edited.replace(edited.find("1900000000"), 10, "1800000000");
    write_text(state, edited);
    EXPECT_EQ(at(t0 - 400), ErrorCode::state_invalid);
    // A state written for another device (another TPM's key) is refused too.
    Swtpm other;
    const auto stranger = DeviceIdentity::create_p256_in_tpm(work / "stranger", TpmOptions{other.tcti(), ""});
    KeyRing foreign = ring(stranger, {lic});
    foreign.clock_state = work / "foreign-clock";
    foreign.now = t0;
    // The license is not theirs (license_wrong_device), but the guard runs first and writes the state.
    EXPECT_EQ(code_of([&] { (void)ovseal::verify(model, foreign); }), ErrorCode::license_wrong_device);
    ASSERT_TRUE(fs::exists(work / "foreign-clock"));
    fs::copy_file(work / "foreign-clock", state, fs::copy_options::overwrite_existing);
    EXPECT_EQ(at(t0), ErrorCode::state_invalid);
}

// What the anchor does not stop (FORMAT.md §13.4, THREAT_MODEL.md): whoever can write the state file writes one of
// the first form, whose checksum anyone can compute (SHA-256, no key), with the time of their choice; a reader
// with a TPM-held identity accepts it and its lower bound is then that time, as if the file had been deleted.
// What the anchor adds is shown above: an older copy of an anchored file still bounds the time from below.
TEST_F(TpmP256, ClockGuardAcceptsAFirstFormStateWrittenByAnyone) {
    const auto device = DeviceIdentity::create_p256_in_tpm(work / "device", options());
    const auto lic = seal_licensed(device, 615);
    const auto state = work / "clock";
    const std::uint64_t t0 = 1'900'000'000;
    auto at = [&](std::uint64_t now) { return verify_at(device, lic, now); };
    const auto first_form = [](std::uint64_t seconds) {
        const std::string text = std::to_string(seconds);
        const std::string message = "ovseal-v1 clock" + text;
        const auto digest =
            ovseal::crypto::sha256({reinterpret_cast<const std::uint8_t*>(message.data()), message.size()});
        std::string line = "OVSEAL-CLOCK-1 " + text + " ";
        for (std::size_t i = 0; i < 8; ++i) {
            line += "0123456789abcdef"[digest[i] >> 4];
            line += "0123456789abcdef"[digest[i] & 15];
        }
        return line + "\n";
    };

    ASSERT_EQ(at(t0 + 100'000), ErrorCode::ok);  // the device has seen t0 + 100000: an anchored state
    ASSERT_TRUE(read_text(state).starts_with("OVSEAL-CLOCK-TPM-1 ")) << read_text(state);
    EXPECT_EQ(at(t0), ErrorCode::clock_rollback);
    // The attacker replaces the anchored state by a first-form one stating t0 - 1000: accepted, the lower bound is
    // now t0 - 1000, and the clock set back to t0 opens. The state is anchored again, from t0.
    write_text(state, first_form(t0 - 1000));
    EXPECT_EQ(at(t0), ErrorCode::ok);
    EXPECT_TRUE(read_text(state).starts_with("OVSEAL-CLOCK-TPM-1 1900000000 ")) << read_text(state);
    // As deleting it does.
    ASSERT_EQ(at(t0 + 100'000), ErrorCode::ok);
    fs::remove(state);
    EXPECT_EQ(at(t0), ErrorCode::ok);
}

}  // namespace

namespace {

// The attack of FORMAT.md §7.4: a signed file of the trusted publisher (anyone may have one) with its stanzas
// replaced by 1024 decoys, tagged for the victim or untagged. Each stanza a device tries is a TPM agreement
// before the header MAC can be checked; a genuine open costs one.
TEST_F(TpmP256, CraftedFileCostsTheTpmAtMostEightAgreements) {
    const auto device = DeviceIdentity::create_p256_in_tpm(work / "device", options());
    const auto genuine = seal_to(device, "genuine.ovseal");
    const auto own = stanzas_of(genuine).at(0);
    ASSERT_EQ(own.type, ovseal::keys::p256_tagged_stanza_type);
    std::vector<ovseal::format::Stanza> tagged_decoys, untagged_decoys;
    for (unsigned i = 0; i < 1024; ++i) {
        tagged_decoys.push_back(decoy(own, i));
        untagged_decoys.push_back(untagged(decoy(own, i)));
    }
    const auto crafted_tagged = with_stanzas(genuine, tagged_decoys, "tagged-decoys.ovseal");
    const auto crafted_untagged = with_stanzas(genuine, untagged_decoys, "untagged-decoys.ovseal");

    const auto genuine_cost = cost_of([&] { EXPECT_TRUE(ovseal::verify(genuine, ring(device)).verified); });
    EXPECT_EQ(genuine_cost.agreements, 1u);
    EXPECT_EQ(genuine_cost.primaries, 1u);
    for (const auto& crafted : {crafted_tagged, crafted_untagged}) {
        const auto cost = cost_of([&] {
            const auto e = error_of([&] { (void)ovseal::verify(crafted, ring(device)); });
            ASSERT_TRUE(e.has_value());
            EXPECT_EQ(e->code(), ErrorCode::no_matching_key) << e->what();
            EXPECT_NE(std::string(e->what()).find("tried 8 of the 1024"), std::string::npos) << e->what();
        });
        // Eight agreements, through the one storage key, loaded key and session of a genuine open; each further
        // agreement costs one command. Before the bound: 1024 of each.
        EXPECT_EQ(cost.agreements, 8u) << crafted;
        EXPECT_EQ(cost.primaries, 1u) << crafted;
        EXPECT_EQ(cost.loads, 1u) << crafted;
        EXPECT_EQ(cost.sessions, 1u) << crafted;
        EXPECT_LE(cost.commands, genuine_cost.commands + 7) << crafted;
        std::cout << "TPM commands of an open: genuine " << genuine_cost.commands << " (" << genuine_cost.agreements
                  << " ECDH_ZGen), " << crafted.filename().string() << " " << cost.commands << " (" << cost.agreements
                  << " ECDH_ZGen)\n";
    }
}

// A genuine file sealed to many devices (more than the bound) opens on each, at the cost of one agreement.
TEST_F(TpmP256, FileSealedToManyDevicesOpensOnEachForOneAgreement) {
    std::vector<DeviceIdentity> devices;
    for (int i = 0; i < 12; ++i) {
        devices.push_back(DeviceIdentity::create_p256_in_tpm(work / ("d" + std::to_string(i)), options()));
    }
    ovseal::SealOptions o;
    o.sign = publisher;
    for (const auto& d : devices) o.devices.push_back(d.public_key());
    const auto x25519 = DeviceIdentity::create(work / "x25519");
    o.devices.push_back(x25519.public_key());
    const auto sealed = work / "fleet.ovseal";
    ovseal::seal_model(xml, sealed, {}, o);
    EXPECT_EQ(stanzas_of(sealed).size(), 13u);
    for (std::size_t i = 0; i < devices.size(); ++i) {
        const auto cost = cost_of([&] { EXPECT_TRUE(ovseal::verify(sealed, ring(devices[i])).verified) << i; });
        EXPECT_EQ(cost.agreements, 1u) << "device " << i;
    }
    EXPECT_TRUE(ovseal::verify(sealed, ring(x25519)).verified);
    // The same device twice is refused: a genuine file has one stanza per device.
    o.devices.push_back(devices[3].public_key());
    EXPECT_EQ(code_of([&] { ovseal::seal_model(xml, work / "twice.ovseal", {}, o); }), ErrorCode::usage);
    EXPECT_FALSE(fs::exists(work / "twice.ovseal"));
}

// A file of revisions 3 and 4 (untagged p256 stanzas) sealed to more than 8 TPM devices opens on the first 8
// only; re-wrapped, tagged, it opens on each, with the same signature.
TEST_F(TpmP256, OlderFileSealedToManyDevicesOpensAgainAfterARewrap) {
    std::vector<DeviceIdentity> devices;
    for (int i = 0; i < 10; ++i) {
        devices.push_back(DeviceIdentity::create_p256_in_tpm(work / ("d" + std::to_string(i)), options()));
    }
    const auto key = ovseal::Key::from_bytes(key_bytes(613));
    ovseal::SealOptions o;
    o.sign = publisher;
    for (const auto& d : devices) o.devices.push_back(d.public_key());
    const auto tagged_file = work / "tagged.ovseal";
    ovseal::seal_model(xml, tagged_file, {key}, o);
    // The older form: the same file with untagged stanzas, as a revision-4 writer made it.
    const auto opened = ovseal::container::OpenedContainer::open(tagged_file, std::span(&key, 1));
    std::vector<ovseal::format::Stanza> older;
    for (const auto& s : opened.stanzas()) {
        older.push_back(s.type == ovseal::keys::p256_tagged_stanza_type ? untagged(s) : s);
    }
    const auto older_file = work / "older.ovseal";
    ovseal::container::rewrap_file(opened, older, older_file);

    for (std::size_t i = 0; i < devices.size(); ++i) {
        if (i < 8) {
            EXPECT_TRUE(ovseal::verify(older_file, ring(devices[i])).verified) << i;
            continue;
        }
        const auto e = error_of([&] { (void)ovseal::verify(older_file, ring(devices[i])); });
        ASSERT_TRUE(e.has_value()) << i;
        EXPECT_EQ(e->code(), ErrorCode::no_matching_key);
        EXPECT_NE(std::string(e->what()).find("rewrap"), std::string::npos) << e->what();
    }
    // The publisher's fix: remove the untagged device stanzas (1..10; 0 is the key file's) and add every device.
    ovseal::KeyRing opener({key});
    ovseal::RewrapChanges changes;
    for (std::size_t i = 1; i <= devices.size(); ++i) changes.remove_stanzas.push_back(i);
    changes.add_devices = o.devices;
    const auto fixed = work / "fixed.ovseal";
    ovseal::rewrap(older_file, fixed, opener, changes);
    for (std::size_t i = 0; i < devices.size(); ++i) {
        EXPECT_TRUE(ovseal::verify(fixed, ring(devices[i])).verified) << i;
    }
    // Adding a device the file already has a tagged stanza for is refused.
    ovseal::RewrapChanges again;
    again.add_devices = {devices[0].public_key()};
    EXPECT_EQ(code_of([&] { ovseal::rewrap(fixed, work / "again.ovseal", opener, again); }), ErrorCode::usage);
}

// identity.tpm records the name of the storage primary it was made under (FORMAT.md §14.1). A TPM that answers
// with another primary (another TPM, or an interposer on the bus, which a salted session would hand its key) is
// refused before the identity is loaded, unsealed or used. The interposer is simulated by editing the recorded
// name: ovseal cannot tell the two apart.
TEST_F(TpmP256, StoragePrimaryIsPinned) {
    (void)DeviceIdentity::create_p256_in_tpm(work / "p256", options());
    (void)DeviceIdentity::create_in_tpm(work / "x25519", options());
    for (const std::string kind : {"p256", "x25519"}) {
        const std::string text = read_text(work / kind / "identity.tpm");
        const auto at = text.find("\nprimary 000b");
        ASSERT_NE(at, std::string::npos) << text;
        const auto end = text.find('\n', at + 1);
        ASSERT_EQ(end - at - 1, std::string("primary ").size() + 68) << text;
        std::string edited = text;
        edited[end - 1] = edited[end - 1] == '0' ? '1' : '0';
        fs::create_directories(work / (kind + "-edited"));
        write_text(work / (kind + "-edited") / "identity.tpm", edited);
        const auto cost = cost_of([&] {
            const auto e = error_of([&] { (void)DeviceIdentity::load(work / (kind + "-edited"), options()); });
            ASSERT_TRUE(e.has_value()) << kind;
            EXPECT_EQ(e->code(), ErrorCode::tpm_wrong_device) << e->what();
            EXPECT_NE(std::string(e->what()).find("storage primary key"), std::string::npos) << e->what();
        });
        EXPECT_EQ(cost.primaries, 1u) << kind;
        EXPECT_EQ(cost.loads + cost.sessions + cost.agreements + cost.unseals, 0u) << kind;
        // Without the line (a file of revision 3 or 4) it loads as before, unpinned.
        std::string older = text;
        older.erase(at, end - at);
        fs::create_directories(work / (kind + "-older"));
        write_text(work / (kind + "-older") / "identity.tpm", older);
        EXPECT_EQ(DeviceIdentity::load(work / (kind + "-older"), options()).public_key(),
                  DeviceIdentity::load(work / kind, options()).public_key());
    }
}

// A PCR-bound key agrees through one policy session for every stanza it tries: the policy is satisfied again
// before each agreement.
TEST_F(TpmP256, PcrBoundKeyTriesSeveralStanzasInOneSession) {
    const auto device = DeviceIdentity::create_p256_in_tpm(work / "device", options("sha256:7"));
    const auto genuine = seal_to(device, "genuine.ovseal");
    const auto own = stanzas_of(genuine).at(0);
    // Three decoys tagged for the device before its own stanza: four agreements, the last one opens. The header
    // MAC then fails (the stanzas were changed): header_auth_failed proves the fourth agreement succeeded.
    const auto crafted = with_stanzas(genuine, {decoy(own, 1), decoy(own, 2), decoy(own, 3), own}, "four.ovseal");
    const auto cost = cost_of([&] {
        EXPECT_EQ(code_of([&] { (void)ovseal::verify(crafted, ring(device)); }), ErrorCode::header_auth_failed);
    });
    EXPECT_EQ(cost.agreements, 4u);
    EXPECT_EQ(cost.sessions, 1u);
    EXPECT_EQ(cost.primaries, 1u);
    EXPECT_EQ(cost.loads, 1u);
    tpm->extend_pcr(7);
    EXPECT_EQ(code_of([&] { (void)ovseal::verify(genuine, ring(device)); }), ErrorCode::tpm_policy_failed);
}

// Several P-256 identities of one TPM in one key ring: swtpm, like a TPM reached without a resource manager, has
// three object slots, so an open keeps one identity's key loaded at a time.
TEST_F(TpmP256, SeveralIdentitiesOfOneTpmInOneRing) {
    std::vector<DeviceIdentity> devices;
    for (int i = 0; i < 4; ++i) {
        devices.push_back(DeviceIdentity::create_p256_in_tpm(work / ("d" + std::to_string(i)), options()));
    }
    ovseal::SealOptions o;
    o.sign = publisher;
    o.devices = {devices[0].public_key(), devices[1].public_key(), devices[2].public_key(), devices[3].public_key()};
    const auto sealed = work / "four.ovseal";
    ovseal::seal_model(xml, sealed, {}, o);
    for (std::size_t last = 0; last < devices.size(); ++last) {
        KeyRing r = ring(devices[last]);
        r.identities = devices;
        std::rotate(r.identities.begin(), r.identities.begin() + static_cast<std::ptrdiff_t>(last) + 1,
                    r.identities.end());  // the identity whose stanza it is comes last
        EXPECT_TRUE(ovseal::verify(sealed, r).verified) << last;
    }
}

// The rollback guard's key, the TPM clock and a license: one connection, storage key, load and session too.
TEST_F(TpmP256, LicenseAndClockGuardShareOneSession) {
    const auto device = DeviceIdentity::create_p256_in_tpm(work / "device", options());
    const auto lic = seal_licensed(device, 614);
    const auto model = work / "licensed.ovseal";
    KeyRing r = ring(device, {lic});
    r.clock_state = work / "clock";
    const auto cost = cost_of([&] { EXPECT_TRUE(ovseal::verify(model, r).verified); });
    EXPECT_EQ(cost.agreements, 2u);  // the clock guard's key, the license
    EXPECT_EQ(cost.primaries, 1u);
    EXPECT_EQ(cost.loads, 1u);
    EXPECT_EQ(cost.sessions, 1u);
}

}  // namespace
