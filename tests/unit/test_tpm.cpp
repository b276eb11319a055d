// SPDX-License-Identifier: Apache-2.0
// TPM 2.0 device identities through the C++ API, on software TPMs (swtpm, see swtpm.hpp): create_in_tpm, load,
// a model sealed to the TPM-held identity compiled with real inference, and the TPM errors (FORMAT.md §10:
// tpm_unavailable, tpm_policy_failed, tpm_wrong_device); the PCR selection syntax of src/tpm/tpm.hpp.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "keys/identity_secrets.hpp"
#include "swtpm.hpp"
#include "test_support.hpp"
#include "tpm/tpm.hpp"

namespace {

using namespace ovseal_test;
using ovseal::DeviceIdentity;
using ovseal::ErrorCode;
using ovseal::TpmOptions;
using ovseal::tpm::PcrBank;
using ovseal::tpm::PcrSelection;

std::vector<std::uint8_t> private_key(const DeviceIdentity& identity) {
    const auto s = identity.secret(ovseal::secret_access()).private_key.secret();
    return {s.begin(), s.end()};
}

// The message of the ovseal::Error that `f` throws, expecting `code`, a message free of `secret`, and no
// locked memory left behind (test_support's expect_failure).
std::string failure(const std::function<void()>& f, ErrorCode code, std::span<const std::uint8_t> secret,
                    const std::string& context) {
    std::string message;
    expect_failure(
        [&] {
            try {
                f();
            } catch (const ovseal::Error& e) {
                message = e.what();
                throw;
            }
        },
        {code}, secret, context);
    return message;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// ---------------------------------------------------------------------------------------------------------------
// PCR selections: the tpm2-tools form

TEST(TpmPcrSelection, ParsesTheToolsForm) {
    using ovseal::tpm::parse_pcr_selection;
    EXPECT_EQ(parse_pcr_selection("sha256:0,7"), (PcrSelection{PcrBank{"sha256", {0, 7}}}));
    EXPECT_EQ(parse_pcr_selection("sha256:7,0"), (PcrSelection{PcrBank{"sha256", {7, 0}}}));
    EXPECT_EQ(parse_pcr_selection("sha1:0+sha256:0,7"),
              (PcrSelection{PcrBank{"sha1", {0}}, PcrBank{"sha256", {0, 7}}}));
    EXPECT_EQ(parse_pcr_selection("sha384:23"), (PcrSelection{PcrBank{"sha384", {23}}}));
    EXPECT_EQ(
        parse_pcr_selection("sha512:0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23").at(0).pcrs.size(),
        24u);
    EXPECT_EQ(parse_pcr_selection("sha256:07"), (PcrSelection{PcrBank{"sha256", {7}}}));
}

TEST(TpmPcrSelection, RoundTrips) {
    for (const std::string text : {"sha256:0", "sha256:0,7", "sha256:7,0", "sha1:0+sha256:0,7", "sha256:23+sha1:1,2,3",
                                   "sha1:0+sha256:1+sha384:2+sha512:3", "sha256:16,17,18,19,20,21,22,23"}) {
        const auto parsed = ovseal::tpm::parse_pcr_selection(text);
        EXPECT_EQ(ovseal::tpm::to_string(parsed), text);
        EXPECT_EQ(ovseal::tpm::parse_pcr_selection(ovseal::tpm::to_string(parsed)), parsed) << text;
    }
    EXPECT_EQ(ovseal::tpm::to_string({}), "");
}

TEST(TpmPcrSelection, RejectsBadSelectionsAsUsage) {
    for (const std::string text :
         {"",           "sha256",      "sha256:",   ":0",        "sha256:24",         "sha256:100", "sha256:-1",
          "sha256:0x1", "sha256:1 ",   " sha256:1", "foo:1",     "SHA256:0",          "sha256:1,1", "sha256:0,",
          "sha256:,0",  "sha256:0,,1", "sha256:0+", "+sha256:0", "sha256:0+sha256:1", "sha256:0;7", "sha256:0:7"}) {
        const auto e = error_of([&] { ovseal::tpm::parse_pcr_selection(text); });
        ASSERT_TRUE(e.has_value()) << "'" << text << "' was accepted";
        EXPECT_EQ(e->code(), ErrorCode::usage) << "'" << text << "': " << e->what();
        EXPECT_TRUE(contains(e->what(), "PCR")) << e->what();
    }
}

// ---------------------------------------------------------------------------------------------------------------
// TPM-held identities on swtpm

class TpmIdentity : public SwtpmTest {};

TEST_F(TpmIdentity, CreateInTpmThenCompiledModelRunsBitIdentical) {
    const auto dir = work / "device";
    const auto created = DeviceIdentity::create_in_tpm(dir, options());
    EXPECT_TRUE(fs::is_regular_file(dir / "identity.tpm"));
    EXPECT_TRUE(fs::is_regular_file(dir / "identity.pub"));
    EXPECT_FALSE(fs::exists(dir / "identity")) << "a TPM-held identity must not write the key file";
    EXPECT_EQ((fs::status(dir / "identity.tpm").permissions() & fs::perms::all),
              fs::perms::owner_read | fs::perms::owner_write);
    EXPECT_EQ(read_text(dir / "identity.pub"), created.public_key().to_string() + "\n");
    const auto key = private_key(created);
    ASSERT_EQ(key.size(), 32u);
    // The key is on disk only sealed: not its bytes, not its hex.
    for (const auto& entry : fs::directory_iterator(dir)) {
        const auto bytes = read_bytes(entry.path());
        const std::string text(bytes.begin(), bytes.end());
        EXPECT_EQ(std::search(bytes.begin(), bytes.end(), key.begin(), key.begin() + 8), bytes.end()) << entry.path();
        std::string hex;
        for (const auto b : key) {
            static constexpr char digits[] = "0123456789abcdef";
            hex += digits[b >> 4];
            hex += digits[b & 15];
        }
        EXPECT_FALSE(contains(text, hex.substr(0, 16))) << entry.path();
    }

    // Loading unseals the same key.
    const auto loaded = DeviceIdentity::load(dir, options());
    EXPECT_EQ(loaded.public_key(), created.public_key());
    EXPECT_EQ(private_key(loaded), key);

    // A model sealed to the device and signed opens through the TPM-held identity; outputs equal the plain model's.
    const auto xml = write_model(make_mlp(128, 21), work.path(), "mlp");
    const auto sealed = work / "mlp.ovseal";
    const auto publisher = signing_key(22);
    ovseal::SealOptions seal_options;
    seal_options.devices = {created.public_key()};
    seal_options.sign = publisher;
    ovseal::seal_model(xml, sealed, {}, seal_options);
    ovseal::KeyRing ring;
    ring.identities = {loaded};
    ring.trusted = {publisher.public_key()};
    ov::Core core;
    auto compiled = ovseal::compile_model(core, sealed, ring);
    auto plain = core.compile_model(xml.string(), "CPU");
    expect_same_outputs(infer(plain), infer(compiled));
    expect_same_outputs(infer(plain, 99), infer(compiled, 99));
    // Another device's identity does not open it.
    ovseal::KeyRing other;
    other.identities = {device_identity(23)};
    other.trusted = {publisher.public_key()};
    failure([&] { ovseal::compile_model(core, sealed, other); }, ErrorCode::no_matching_key, key, "other device");
}

TEST_F(TpmIdentity, LowLevelSealUnsealRoundTripsAndChecksSizes) {
    ovseal::tpm::Tpm t(tpm->tcti());
    EXPECT_EQ(t.tcti(), tpm->tcti());
    std::vector<std::uint8_t> secret(128);
    for (std::size_t i = 0; i < secret.size(); ++i) secret[i] = static_cast<std::uint8_t>(i * 7 + 1);
    const auto blob = t.seal(secret, {});
    EXPECT_TRUE(blob.pcrs.empty());
    const auto back = t.unseal(blob);
    EXPECT_TRUE(std::equal(back.secret().begin(), back.secret().end(), secret.begin(), secret.end()));
    EXPECT_FALSE(std::search(blob.private_area.begin(), blob.private_area.end(), secret.begin(), secret.begin() + 8) !=
                 blob.private_area.end())
        << "the private area holds the secret in clear";
    const std::vector<std::uint8_t> too_long(129, 1);
    failure([&] { t.seal(too_long, {}); }, ErrorCode::internal, too_long, "129 bytes");
    failure([&] { t.seal({}, {}); }, ErrorCode::internal, {}, "0 bytes");
}

TEST_F(TpmIdentity, LoadOnAnotherTpmIsWrongDevice) {
    const auto dir = work / "device";
    const auto key = private_key(DeviceIdentity::create_in_tpm(dir, options()));
    Swtpm other;
    const auto message = failure(
        [&] {
            DeviceIdentity::load(dir, TpmOptions{other.tcti(), ""});
        },
        ErrorCode::tpm_wrong_device, key, "another TPM");
    EXPECT_TRUE(contains(message, "another TPM")) << message;
    EXPECT_EQ(other.transient_handles(), 0u);
    EXPECT_EQ(other.loaded_sessions(), 0u);
    other.stop();
    // Its own TPM still opens it.
    EXPECT_EQ(private_key(DeviceIdentity::load(dir, options())), key);
}

TEST_F(TpmIdentity, PcrExtendIsPolicyFailedUntilRestart) {
    const auto dir = work / "device";
    const auto key = private_key(DeviceIdentity::create_in_tpm(dir, options("sha256:0,7")));
    EXPECT_TRUE(contains(read_text(dir / "identity.tpm"), "\npcrs sha256:0,7\n"));
    EXPECT_EQ(private_key(DeviceIdentity::load(dir, options())), key);
    tpm->extend_pcr(1);  // not in the policy
    EXPECT_EQ(private_key(DeviceIdentity::load(dir, options())), key);
    tpm->extend_pcr(7);
    const auto message =
        failure([&] { DeviceIdentity::load(dir, options()); }, ErrorCode::tpm_policy_failed, key, "PCR 7 extended");
    EXPECT_TRUE(contains(message, "PCR")) << message;
    EXPECT_TRUE(contains(message, "sha256:0,7")) << message;
    // swtpm starts with every PCR at zero: after a restart the values match the policy again.
    tpm->restart();
    EXPECT_EQ(tpm->read_pcr(7), std::string(64, '0'));
    EXPECT_EQ(private_key(DeviceIdentity::load(dir, options())), key);
}

TEST_F(TpmIdentity, NoTpmIsUnavailable) {
    const auto dir = work / "device";
    const auto key = private_key(DeviceIdentity::create_in_tpm(dir, options()));
    tpm->stop();
    auto message = failure([&] { DeviceIdentity::load(dir, options()); }, ErrorCode::tpm_unavailable, key, "stopped");
    EXPECT_TRUE(contains(message, tpm->tcti())) << "the message must name the TCTI: " << message;
    // Creating one without a TPM: the same error, and no identity written.
    const auto fresh = work / "fresh";
    message = failure([&] { DeviceIdentity::create_in_tpm(fresh, options()); }, ErrorCode::tpm_unavailable, {},
                      "create while stopped");
    EXPECT_TRUE(contains(message, tpm->tcti())) << message;
    EXPECT_FALSE(fs::exists(fresh / "identity.tpm"));
    EXPECT_FALSE(fs::exists(fresh / "identity.pub"));
    // The same TPM back: the identity opens, and the folder of the failed creation can be used.
    tpm->start();
    EXPECT_EQ(private_key(DeviceIdentity::load(dir, options())), key);
    EXPECT_NO_THROW(DeviceIdentity::create_in_tpm(fresh, options()));
}

TEST_F(TpmIdentity, BadPcrSelectionIsUsageBeforeTheTpmIsReached) {
    tpm->stop();  // a TPM that is not there: reaching it would give tpm_unavailable
    for (const std::string pcrs : {"sha256:24", "foo:1", "sha256:1,1", "sha256:"}) {
        const auto dir = work / "device";
        failure([&] { DeviceIdentity::create_in_tpm(dir, options(pcrs)); }, ErrorCode::usage, {}, pcrs);
        EXPECT_FALSE(fs::exists(dir / "identity.tpm")) << pcrs;
        EXPECT_FALSE(fs::exists(dir / "identity.pub")) << pcrs;
    }
}

}  // namespace
