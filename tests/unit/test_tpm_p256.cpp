// P-256 device keys created inside a TPM (swtpm), through the C++ API: sealing and licensing to them with real
// inference, PCR binding, another TPM, and the rollback guard anchored to the TPM clock (FORMAT.md §13.4),
// including a clock set back after the state file was replaced by an older copy of itself.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "swtpm.hpp"
#include "test_support.hpp"

namespace {

using namespace ovseal_test;
using ovseal::DeviceIdentity;
using ovseal::ErrorCode;
using ovseal::KeyRing;
using ovseal::TpmOptions;

class TpmP256 : public ::testing::Test {
protected:
    void SetUp() override {
        OVSEAL_REQUIRE_SWTPM();
        tpm = std::make_unique<Swtpm>();
        publisher = signing_key(611);
        xml = write_model(make_mlp(64, 12), work.path(), "mlp");
        ov::Core core;
        plain = infer(core.compile_model(xml.string(), "CPU"));
    }
    void TearDown() override {
        if (tpm && tpm->running()) {
            EXPECT_EQ(tpm->transient_handles(), 0u) << "transient objects left in the TPM";
            EXPECT_EQ(tpm->loaded_sessions(), 0u) << "sessions left in the TPM";
        }
        tpm.reset();
    }
    TpmOptions options(const std::string& pcrs = "") const { return TpmOptions{tpm->tcti(), pcrs}; }
    KeyRing ring(const DeviceIdentity& device, std::vector<fs::path> licenses = {}) const {
        KeyRing r;
        r.identities = {device};
        r.licenses = std::move(licenses);
        r.trusted = {publisher.public_key()};
        return r;
    }
    fs::path seal_to(const DeviceIdentity& device, const std::string& name) const {
        ovseal::SealOptions o;
        o.sign = publisher;
        o.devices = {device.public_key()};
        const auto out = work / name;
        ovseal::seal_model(xml, out, {}, o);
        return out;
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

    std::unique_ptr<Swtpm> tpm;
    TempDir work;
    ovseal::SigningKey publisher = signing_key(611);
    fs::path xml;
    Outputs plain;
};

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
    EXPECT_EQ(code_of([&] { DeviceIdentity::load(work / "device", TpmOptions{other.tcti(), ""}); }),
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
    ovseal::SealOptions o;
    o.sign = publisher;
    const auto key = ovseal::Key::from_bytes(key_bytes(612));
    const auto model = work / "licensed.ovseal";
    ovseal::seal_model(xml, model, {key}, o);
    const auto lic = work / "device.lic";
    write_bytes(lic, ovseal::issue_licenses(model, KeyRing({key}), {device.public_key()}, {}, publisher).at(0));
    const auto state = work / "clock";
    const std::uint64_t t0 = 1'900'000'000;
    auto at = [&](std::uint64_t now, std::int64_t tolerance = 300) {
        KeyRing r = ring(device, {lic});
        r.clock_state = state;
        r.now = now;
        r.clock_tolerance_seconds = tolerance;
        return code_of([&] { (void)ovseal::verify(model, r); });
    };

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
    // The licence is not theirs (license_wrong_device), but the guard runs first and writes the state.
    EXPECT_EQ(code_of([&] { (void)ovseal::verify(model, foreign); }), ErrorCode::license_wrong_device);
    ASSERT_TRUE(fs::exists(work / "foreign-clock"));
    fs::copy_file(work / "foreign-clock", state, fs::copy_options::overwrite_existing);
    EXPECT_EQ(at(t0), ErrorCode::state_invalid);
}

}  // namespace
