// SPDX-License-Identifier: Apache-2.0
// Key-ring files (include/ovseal/key_ring_config.hpp): schema version 1, relative paths, folders of licenses and
// publisher keys, and the refusals, each naming the field and never a value.

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace {

using namespace ovseal_test;
using ovseal::ErrorCode;

class KeyRingConfig : public ::testing::Test {
protected:
    TempDir dir;

    fs::path file(const std::string& json, const std::string& name = "keyring.json") {
        write_text(dir / name, json);
        return dir / name;
    }

    // The ovseal::Error reading `json` as a file gives; expects `code` and `field` in the message.
    void expect_refused(const std::string& json, ErrorCode code, const std::string& field) {
        const auto path = file(json, "refused.json");
        const auto error = error_of([&] { ovseal::load_key_ring_file(path); });
        ASSERT_TRUE(error) << json;
        EXPECT_EQ(error->code(), code) << json << ": " << error->what();
        EXPECT_NE(std::string(error->what()).find(field), std::string::npos) << error->what();
        EXPECT_NE(std::string(error->what()).find("refused.json"), std::string::npos) << error->what();
    }
};

TEST_F(KeyRingConfig, EveryFieldOfVersionOne) {
    const auto key = ovseal::Key::from_bytes(key_bytes(1));
    key.save(dir / "model.key");
    write_text(dir / "pass.txt", "a passphrase\n");
    fs::create_directories(dir / "licenses");
    write_text(dir / "licenses" / "b.lic", "not read until a file is opened");
    write_text(dir / "licenses" / "a.lic", "not read until a file is opened");
    write_text(dir / "licenses" / "notes.txt", "ignored");
    write_text(dir / "publisher.pub", signing_key(2).public_key().to_string() + "\n");
    const auto device = ovseal::DeviceIdentity::create(dir / "device");

    const auto ring = ovseal::load_key_ring_file(file(R"({
        "version": 1,
        "key_files": ["model.key"],
        "passphrase_file": "pass.txt",
        "identities": ["device"],
        "licenses": ["licenses/"],
        "trust": ["publisher.pub"],
        "allow_unsigned": true,
        "clock_state": "/var/lib/ovseal/clock",
        "clock_tolerance": 60})"));
    ASSERT_EQ(ring.keys.size(), 2u);
    EXPECT_EQ(ring.keys[0].kind(), ovseal::Key::Kind::key);
    EXPECT_EQ(ring.keys[1].kind(), ovseal::Key::Kind::passphrase);
    ASSERT_EQ(ring.identities.size(), 1u);
    EXPECT_EQ(ring.identities[0].public_key(), device.public_key());
    EXPECT_EQ(ring.licenses, (std::vector<fs::path>{dir / "licenses" / "a.lic", dir / "licenses" / "b.lic"}));
    ASSERT_EQ(ring.trusted.size(), 1u);
    EXPECT_EQ(ring.trusted[0], signing_key(2).public_key());
    EXPECT_TRUE(ring.allow_unsigned_device_files);
    EXPECT_EQ(ring.clock_state, fs::path("/var/lib/ovseal/clock"));
    EXPECT_EQ(ring.clock_tolerance_seconds, 60);
}

TEST_F(KeyRingConfig, OpensAModelWithTheDefaultsOfTheCli) {
    const auto key = ovseal::Key::from_bytes(key_bytes(3));
    key.save(dir / "model.key");
    const auto xml = write_model(make_mlp(64, 4), dir.path(), "mlp");
    ovseal::seal_model(xml, dir / "mlp.ovseal", {key});
    const auto ring = ovseal::load_key_ring_file(file(R"({"version": 1, "key_files": ["model.key"]})"));
    EXPECT_FALSE(ring.allow_unsigned_device_files);
    EXPECT_EQ(ring.clock_tolerance_seconds, 300);
    EXPECT_TRUE(ovseal::verify(dir / "mlp.ovseal", ring).verified);
}

TEST_F(KeyRingConfig, InlinePassphraseOnlyInProcess) {
    const std::string json = R"({"version": 1, "passphrase": "s3cret-words"})";
    const auto ring = ovseal::load_key_ring_json(json, {});
    ASSERT_EQ(ring.keys.size(), 1u);
    EXPECT_EQ(ring.keys[0].kind(), ovseal::Key::Kind::passphrase);
    const auto path = file(json);
    const auto error = error_of([&] { ovseal::load_key_ring_file(path); });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ErrorCode::usage);
    EXPECT_EQ(std::string(error->what()).find("s3cret"), std::string::npos) << error->what();
    const auto empty = error_of([&] { ovseal::load_key_ring_json(R"({"version": 1, "passphrase": ""})", {}); });
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->code(), ErrorCode::invalid_key);
}

TEST_F(KeyRingConfig, RelativePathsFollowTheBaseFolder) {
    ovseal::Key::from_bytes(key_bytes(5)).save(dir / "k.key");
    EXPECT_EQ(ovseal::load_key_ring_json(R"({"version": 1, "key_files": ["k.key"]})", dir.path()).keys.size(), 1u);
    const auto error =
        error_of([&] { ovseal::load_key_ring_json(R"({"version": 1, "key_files": ["k.key"]})", dir / "elsewhere"); });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ErrorCode::io);
}

TEST_F(KeyRingConfig, RefusesWhatVersionOneDoesNotSay) {
    expect_refused("{\"version\": 1, \"key_files\": [\"a\"", ErrorCode::usage, "not valid JSON");
    expect_refused(R"(["version", 1])", ErrorCode::usage, "JSON object");
    expect_refused(R"({"version": 1e400, "key_files": ["a"]})", ErrorCode::usage, "not valid JSON");
    expect_refused(R"({"key_files": ["a"]})", ErrorCode::usage, "\"version\"");
    expect_refused(R"({"version": 2, "key_files": ["a"]})", ErrorCode::usage, "\"version\"");
    expect_refused(R"({"version": "1", "key_files": ["a"]})", ErrorCode::usage, "\"version\"");
    expect_refused(R"({"version": 1, "key_files": ["a"], "colour": "blue"})", ErrorCode::usage, "\"colour\"");
    expect_refused(R"({"version": 1, "key_files": ["a"], "key_files": ["b"]})", ErrorCode::usage, "twice");
    expect_refused(R"({"version": 1, "key_files": "a"})", ErrorCode::usage, "\"key_files\"");
    expect_refused(R"({"version": 1, "key_files": [1]})", ErrorCode::usage, "\"key_files\"");
    expect_refused(R"({"version": 1, "key_files": [""]})", ErrorCode::usage, "\"key_files\"");
    expect_refused(R"({"version": 1, "passphrase_file": ["p"]})", ErrorCode::usage, "\"passphrase_file\"");
    expect_refused(R"({"version": 1, "key_files": ["a"], "allow_unsigned": "yes"})", ErrorCode::usage,
                   "\"allow_unsigned\"");
    expect_refused(R"({"version": 1, "key_files": ["a"], "clock_tolerance": -1})", ErrorCode::usage,
                   "\"clock_tolerance\"");
    expect_refused(R"({"version": 1, "key_files": ["a"], "clock_tolerance": 1.5})", ErrorCode::usage,
                   "\"clock_tolerance\"");
    expect_refused(R"({"version": 1, "key_files": ["a"], "tcti": 5})", ErrorCode::usage, "\"tcti\"");
    expect_refused(R"({"version": 1, "trust": ["p.pub"]})", ErrorCode::usage, "names nothing");
    expect_refused(R"({"version": 1, "key_files": ["absent.key"]})", ErrorCode::io, "absent.key");
}

TEST_F(KeyRingConfig, TrustFolderWithoutKeysIsRefused) {
    ovseal::Key::from_bytes(key_bytes(6)).save(dir / "k.key");
    fs::create_directories(dir / "empty");
    const auto error = error_of(
        [&] { ovseal::load_key_ring_file(file(R"({"version": 1, "key_files": ["k.key"], "trust": ["empty"]})")); });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ErrorCode::usage);
    EXPECT_NE(std::string(error->what()).find("trust list is empty"), std::string::npos);
}

TEST_F(KeyRingConfig, MissingFileIsAnIoError) {
    const auto error = error_of([&] { ovseal::load_key_ring_file(dir / "absent.json"); });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ErrorCode::io);
}

}  // namespace
