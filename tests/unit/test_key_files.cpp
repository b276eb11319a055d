// SPDX-License-Identifier: Apache-2.0
// Key files (Key::save / Key::from_key_file) and passphrase files.

#include <gtest/gtest.h>

#include <sys/stat.h>

#include "test_support.hpp"

namespace {

using namespace ovseal_test;
using ovseal::ErrorCode;

std::vector<std::uint8_t> text(const std::string& s) {
    return {s.begin(), s.end()};
}

class KeyFiles : public ::testing::Test {
protected:
    TempDir dir;
    ov::Core core;
};

TEST_F(KeyFiles, SaveWritesMode0600AndLoadsBack) {
    const auto bytes = key_bytes(9);
    const auto key = ovseal::Key::from_bytes(bytes);
    const auto path = dir / "my.key";
    key.save(path);

    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);

    // The file holds the key as 64 hex digits (and nothing else secret).
    const auto content = read_bytes(path);
    const std::string s(content.begin(), content.end());
    std::string hex;
    for (auto b : bytes) {
        static constexpr char d[] = "0123456789abcdef";
        hex += d[b >> 4];
        hex += d[b & 15];
    }
    EXPECT_NE(s.find("OVSEAL-KEY-1:" + hex), std::string::npos);

    // A sealed model opens with the loaded key, and the outputs match.
    const auto loaded = ovseal::Key::from_key_file(path);
    EXPECT_EQ(loaded.kind(), ovseal::Key::Kind::key);
    const auto xml = write_model(make_mlp(), dir.path(), "mlp");
    ovseal::seal_model(xml, dir / "mlp.ovseal", {key});
    expect_same_outputs(infer(core.compile_model(xml.string(), "CPU")),
                        infer(ovseal::compile_model(core, dir / "mlp.ovseal", loaded)));
    // And the other way round: sealed with the loaded key, opened with raw bytes.
    ovseal::seal_model(xml, dir / "mlp2.ovseal", {loaded});
    EXPECT_TRUE(ovseal::verify(dir / "mlp2.ovseal", {ovseal::Key::from_bytes(bytes)}).verified);
}

TEST_F(KeyFiles, SaveRefusesToOverwrite) {
    const auto path = dir / "taken.key";
    ovseal::Key::generate().save(path);
    const auto before = read_bytes(path);
    expect_failure([&] { ovseal::Key::generate().save(path); }, {ErrorCode::io}, {}, "existing key file");
    EXPECT_EQ(read_bytes(path), before);

    write_bytes(dir / "other.txt", text("not a key"));
    expect_failure([&] { ovseal::Key::generate().save(dir / "other.txt"); }, {ErrorCode::io}, {}, "existing file");
    EXPECT_EQ(read_bytes(dir / "other.txt"), text("not a key"));

    expect_failure([&] { ovseal::Key::generate().save(dir / "no" / "such" / "dir.key"); }, {ErrorCode::io}, {},
                   "missing folder");
}

TEST_F(KeyFiles, PassphraseCannotBeSaved) {
    expect_failure([&] { ovseal::Key::from_passphrase("secret").save(dir / "p.key"); }, {ErrorCode::usage}, {},
                   "passphrase save");
    EXPECT_FALSE(fs::exists(dir / "p.key"));
}

TEST_F(KeyFiles, LoadAcceptsCommentsAndCrLf) {
    const auto bytes = key_bytes(3);
    std::string hex;
    for (auto b : bytes) {
        static constexpr char d[] = "0123456789ABCDEF";
        hex += d[b >> 4];
        hex += d[b & 15];
    }
    write_bytes(dir / "k", text("# comment\r\n\r\nOVSEAL-KEY-1:" + hex + "\r\n# trailing\n"));
    const auto key = ovseal::Key::from_key_file(dir / "k");
    const auto xml = write_model(make_mlp(), dir.path(), "mlp");
    ovseal::seal_model(xml, dir / "m.ovseal", {ovseal::Key::from_bytes(bytes)});
    EXPECT_TRUE(ovseal::verify(dir / "m.ovseal", {key}).verified);
}

TEST_F(KeyFiles, LoadRejectsNonKeyFiles) {
    const std::string good_hex(64, 'a');
    const std::vector<std::string> bad = {
        "",
        "# only a comment\n",
        "OVSEAL-KEY-1:" + good_hex.substr(0, 63) + "\n",
        "OVSEAL-KEY-1:" + good_hex + "0\n",
        "OVSEAL-KEY-1:" + good_hex.substr(0, 62) + "zz\n",
        "OVSEAL-KEY-2:" + good_hex + "\n",
        "OVSEAL-KEY-1:" + good_hex + "\nOVSEAL-KEY-1:" + good_hex + "\n",
        "OVSEAL-KEY-1:" + good_hex + "\ngarbage\n",
        std::string(5000, '#'),
    };
    for (std::size_t i = 0; i < bad.size(); ++i) {
        const auto path = dir / ("bad" + std::to_string(i));
        write_bytes(path, text(bad[i]));
        expect_failure([&] { ovseal::Key::from_key_file(path); }, {ErrorCode::invalid_key}, {},
                       "bad key file " + std::to_string(i));
    }
    expect_failure([&] { ovseal::Key::from_key_file(dir / "missing"); }, {ErrorCode::io}, {}, "missing key file");
}

TEST_F(KeyFiles, PassphraseFileStripsOneNewline) {
    write_bytes(dir / "p1", text("hunter2\r\n"));
    write_bytes(dir / "p2", text("hunter2\n\n"));
    write_bytes(dir / "empty", text("\n"));
    expect_failure([&] { ovseal::Key::from_passphrase_file(dir / "empty"); }, {ErrorCode::invalid_key}, {},
                   "empty passphrase file");
    expect_failure([&] { ovseal::Key::from_passphrase(""); }, {ErrorCode::invalid_key}, {}, "empty passphrase");
    EXPECT_EQ(ovseal::Key::from_passphrase_file(dir / "p1").kind(), ovseal::Key::Kind::passphrase);

    const auto xml = write_model(make_mlp(), dir.path(), "mlp");
    ovseal::SealOptions options;
    options.scrypt_log2_n = 16;
    ovseal::seal_model(xml, dir / "m.ovseal", {ovseal::Key::from_passphrase("hunter2")}, options);
    EXPECT_TRUE(ovseal::verify(dir / "m.ovseal", {ovseal::Key::from_passphrase_file(dir / "p1")}).verified);
    // "hunter2\n\n" loses only one newline, so it is another passphrase.
    expect_failure([&] { ovseal::verify(dir / "m.ovseal", {ovseal::Key::from_passphrase_file(dir / "p2")}); },
                   {ErrorCode::no_matching_key}, text("hunter2"), "extra newline");
}

}  // namespace

namespace {

using namespace ovseal_test;
using ovseal::ErrorCode;

TEST(PassphraseSealing, WorkFactorOutOfRangeIsUsage) {
    TempDir dir;
    const auto xml = write_model(make_mlp(), dir.path(), "mlp");
    for (unsigned log2_n : {0u, 15u, 21u}) {
        ovseal::SealOptions options;
        options.scrypt_log2_n = log2_n;
        expect_failure(
            [&] { ovseal::seal_model(xml, dir / "m.ovseal", {ovseal::Key::from_passphrase("pw")}, options); },
            {ErrorCode::usage}, {}, "log2 N " + std::to_string(log2_n));
        EXPECT_FALSE(fs::exists(dir / "m.ovseal"));
    }
    // A key recipient does not use the work factor.
    ovseal::SealOptions options;
    options.scrypt_log2_n = 15;
    ovseal::seal_model(xml, dir / "k.ovseal", {ovseal::Key::from_bytes(key_bytes(1))}, options);
    EXPECT_TRUE(ovseal::verify(dir / "k.ovseal", {ovseal::Key::from_bytes(key_bytes(1))}).verified);
}

TEST(PassphraseSealing, TwoPassphrasesAreRefusedAsUsage) {
    // A file holds at most one scrypt stanza (FORMAT.md §7.2): asking for two is a caller error, not a
    // malformed header, and no file is written.
    TempDir dir;
    const auto xml = write_model(make_mlp(), dir.path(), "mlp");
    ovseal::SealOptions options;
    options.scrypt_log2_n = 16;
    expect_failure(
        [&] {
            ovseal::seal_model(xml, dir / "m.ovseal",
                               {ovseal::Key::from_passphrase("one"), ovseal::Key::from_passphrase("two")}, options);
        },
        {ErrorCode::usage}, {}, "two passphrases");
    EXPECT_FALSE(fs::exists(dir / "m.ovseal"));
}

}  // namespace
