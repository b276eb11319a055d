// SPDX-License-Identifier: Apache-2.0
// Device identities, publisher signing keys and the text forms of their keys (docs/FORMAT.md §7.3, §12.3, §14).

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <set>
#include <string>

#include "crypto/crypto.hpp"
#include "test_support.hpp"

namespace {

using namespace ovseal_test;
using ovseal::ErrorCode;

constexpr std::string_view device_prefix = "ovseal-x25519:";
constexpr std::string_view publisher_prefix = "ovseal-ed25519:";
constexpr std::string_view base64url_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

unsigned mode_of(const fs::path& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
}

bool is_lower_hex(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The one key line of a key file: the text after `prefix`, or "" if there is none.
std::string key_line_value(const fs::path& path, std::string_view prefix) {
    const std::string text = read_text(path);
    std::size_t pos = 0;
    std::string found;
    while (pos < text.size()) {
        const auto end = std::min(text.find('\n', pos), text.size());
        const std::string line = text.substr(pos, end - pos);
        if (line.starts_with(prefix)) found = line.substr(prefix.size());
        pos = end + 1;
    }
    return found;
}

// Every ovseal::Error code thrown by `f`, or ok.
ErrorCode code_of(const std::function<void()>& f) {
    const auto e = error_of(f);
    return e ? e->code() : ErrorCode::ok;
}

// ---------------------------------------------------------------------------------------------------------------
// Device identities

TEST(DeviceIdentity, CreateWritesPrivateFile0600AndPublicFileAndLoadsBack) {
    TempDir dir;
    const auto where = dir / "device";
    const auto created = ovseal::DeviceIdentity::create(where);
    ASSERT_TRUE(fs::is_regular_file(where / "identity"));
    ASSERT_TRUE(fs::is_regular_file(where / "identity.pub"));
    EXPECT_EQ(mode_of(where / "identity"), 0600u);

    // §14: OVSEAL-X25519-PRIVATE-1: + 64 lowercase hex digits; the public key is X25519 of it.
    const std::string hex = key_line_value(where / "identity", "OVSEAL-X25519-PRIVATE-1:");
    ASSERT_EQ(hex.size(), 64u);
    EXPECT_TRUE(is_lower_hex(hex));
    const auto priv = from_hex(hex);
    EXPECT_EQ(to_hex(ovseal::crypto::x25519_public_key(ovseal::crypto::KeyView(priv))),
              to_hex(created.public_key().bytes()));
    EXPECT_EQ(ovseal::DeviceIdentity::from_bytes(priv).public_key(), created.public_key());

    // identity.pub holds the public key's text form.
    std::string pub_text = read_text(where / "identity.pub");
    while (!pub_text.empty() && (pub_text.back() == '\n' || pub_text.back() == '\r')) pub_text.pop_back();
    EXPECT_EQ(pub_text, created.public_key().to_string());
    EXPECT_EQ(ovseal::DevicePublicKey::parse(pub_text), created.public_key());

    const auto loaded = ovseal::DeviceIdentity::load(where);
    EXPECT_EQ(loaded.public_key(), created.public_key());
}

TEST(DeviceIdentity, CreateRefusesToOverwriteAnExistingIdentity) {
    TempDir dir;
    const auto where = dir / "device";
    const auto first = ovseal::DeviceIdentity::create(where);
    const auto private_before = read_bytes(where / "identity");
    const auto public_before = read_bytes(where / "identity.pub");
    const auto e = error_of([&] { ovseal::DeviceIdentity::create(where); });
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->code(), ErrorCode::io) << e->what();
    EXPECT_EQ(read_bytes(where / "identity"), private_before);
    EXPECT_EQ(read_bytes(where / "identity.pub"), public_before);
    EXPECT_EQ(ovseal::DeviceIdentity::load(where).public_key(), first.public_key());
}

// identity.hpp: create "refuses to overwrite" — that includes an identity.pub already in the folder (for example
// another device's public key copied there).
TEST(DeviceIdentity, CreateRefusesToOverwriteAnExistingPublicFile) {
    TempDir dir;
    const auto where = dir / "device";
    fs::create_directories(where);
    const std::string other = device_identity(4242).public_key().to_string() + "\n";
    write_text(where / "identity.pub", other);
    const auto e = error_of([&] { ovseal::DeviceIdentity::create(where); });
    if (e) {
        EXPECT_EQ(e->code(), ErrorCode::io) << e->what();
    }
    EXPECT_EQ(read_text(where / "identity.pub"), other) << "DeviceIdentity::create overwrote an existing identity.pub";
}

TEST(DeviceIdentity, TwoIdentitiesDiffer) {
    TempDir dir;
    const auto a = ovseal::DeviceIdentity::create(dir / "a");
    const auto b = ovseal::DeviceIdentity::create(dir / "b");
    EXPECT_NE(a.public_key(), b.public_key());
    EXPECT_NE(a.public_key().key_id(), b.public_key().key_id());
}

TEST(DeviceIdentity, LoadMissingOrBadFiles) {
    TempDir dir;
    EXPECT_EQ(code_of([&] { ovseal::DeviceIdentity::load(dir / "nowhere"); }), ErrorCode::io);

    fs::create_directories(dir / "bad");
    write_text(dir / "bad" / "identity", "OVSEAL-X25519-PRIVATE-1:" + std::string(63, 'a') + "\n");
    EXPECT_EQ(code_of([&] { ovseal::DeviceIdentity::load(dir / "bad"); }), ErrorCode::invalid_key);

    // A key file (OVSEAL-KEY-1) is not a device identity.
    fs::create_directories(dir / "keyfile");
    ovseal::Key::generate().save(dir / "keyfile" / "identity");
    EXPECT_EQ(code_of([&] { ovseal::DeviceIdentity::load(dir / "keyfile"); }), ErrorCode::invalid_key);

    // Comments are allowed, and hex is accepted in upper case.
    fs::create_directories(dir / "upper");
    std::string hex = to_hex(key_bytes(77));
    std::transform(hex.begin(), hex.end(), hex.begin(), [](char c) { return static_cast<char>(std::toupper(c)); });
    write_text(dir / "upper" / "identity", "# a comment\n\nOVSEAL-X25519-PRIVATE-1:" + hex + "\n");
    EXPECT_EQ(ovseal::DeviceIdentity::load(dir / "upper").public_key(), device_identity(77).public_key());
}

TEST(DeviceIdentity, FromBytesIsDeterministicAndChecksTheLength) {
    EXPECT_EQ(device_identity(5).public_key(), device_identity(5).public_key());
    EXPECT_NE(device_identity(5).public_key(), device_identity(6).public_key());
    EXPECT_EQ(code_of([] { ovseal::DeviceIdentity::from_bytes(std::vector<std::uint8_t>(31, 1)); }),
              ErrorCode::invalid_key);
    EXPECT_EQ(code_of([] { ovseal::DeviceIdentity::from_bytes(std::vector<std::uint8_t>(33, 1)); }),
              ErrorCode::invalid_key);

    // RFC 7748 §6.1, Alice's key pair.
    const auto alice = ovseal::DeviceIdentity::from_bytes(
        from_hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
    EXPECT_EQ(to_hex(alice.public_key().bytes()), "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
}

// ---------------------------------------------------------------------------------------------------------------
// Text forms of public keys (§14)

TEST(PublicKeyText, DeviceKeyRoundTripAndLayout) {
    const auto key = device_identity(9).public_key();
    const std::string text = key.to_string();
    ASSERT_TRUE(text.starts_with(device_prefix)) << text;
    ASSERT_EQ(text.size(), device_prefix.size() + 48) << text;
    EXPECT_EQ(ovseal::DevicePublicKey::parse(text), key);
    EXPECT_EQ(ovseal::DevicePublicKey::parse(text + "\n"), key);
    EXPECT_EQ(ovseal::DevicePublicKey::parse(text + "\r\n"), key);
    ovseal::PublicKeyBytes raw{};
    std::copy(key.bytes().begin(), key.bytes().end(), raw.begin());
    EXPECT_EQ(ovseal::DevicePublicKey::from_bytes(raw).to_string(), text);

    // base64url without padding of key || SHA-256(prefix || key)[0:4].
    const auto decoded = ovseal::crypto::base64url_decode(std::string_view(text).substr(device_prefix.size()));
    ASSERT_TRUE(decoded.has_value());
    ASSERT_EQ(decoded->size(), 36u);
    EXPECT_TRUE(std::equal(key.bytes().begin(), key.bytes().end(), decoded->begin()));
    std::vector<std::uint8_t> message(device_prefix.begin(), device_prefix.end());
    message.insert(message.end(), key.bytes().begin(), key.bytes().end());
    const auto digest = ovseal::crypto::sha256(message);
    EXPECT_TRUE(std::equal(digest.begin(), digest.begin() + 4, decoded->begin() + 32));
}

TEST(PublicKeyText, EveryOneCharacterTypoIsInvalidKey) {
    for (const std::string& text :
         {device_identity(10).public_key().to_string(), signing_key(10).public_key().to_string()}) {
        const bool device = text.starts_with(device_prefix);
        const std::size_t start = device ? device_prefix.size() : publisher_prefix.size();
        for (std::size_t i = start; i < text.size(); ++i) {
            for (char replacement : {'A', 'z', '0', '_'}) {
                if (text[i] == replacement) continue;
                std::string typo = text;
                typo[i] = replacement;
                const auto code = code_of([&] {
                    if (device) {
                        ovseal::DevicePublicKey::parse(typo);
                    } else {
                        ovseal::PublisherPublicKey::parse(typo);
                    }
                });
                EXPECT_EQ(code, ErrorCode::invalid_key) << "typo at " << i << ": " << typo;
            }
        }
        // A character outside the alphabet.
        std::string bad = text;
        bad[start + 5] = '+';
        EXPECT_EQ(code_of([&] {
                      if (device)
                          ovseal::DevicePublicKey::parse(bad);
                      else
                          ovseal::PublisherPublicKey::parse(bad);
                  }),
                  ErrorCode::invalid_key);
    }
}

TEST(PublicKeyText, WrongPrefixIsInvalidKey) {
    const std::string device = device_identity(11).public_key().to_string();
    const std::string publisher = signing_key(11).public_key().to_string();
    // Each kind refuses the other's text.
    EXPECT_EQ(code_of([&] { ovseal::PublisherPublicKey::parse(device); }), ErrorCode::invalid_key);
    EXPECT_EQ(code_of([&] { ovseal::DevicePublicKey::parse(publisher); }), ErrorCode::invalid_key);
    // The prefix is part of the checksum: the same base64 under the other prefix does not verify.
    const std::string body = device.substr(device_prefix.size());
    EXPECT_EQ(code_of([&] { ovseal::PublisherPublicKey::parse(std::string(publisher_prefix) + body); }),
              ErrorCode::invalid_key);
    for (const char* prefix : {"ovseal-X25519:", "Ovseal-x25519:", "ovseal-x25519=", "x25519:", ""}) {
        EXPECT_EQ(code_of([&] { ovseal::DevicePublicKey::parse(std::string(prefix) + body); }), ErrorCode::invalid_key)
            << prefix;
    }
    EXPECT_EQ(code_of([&] { ovseal::DevicePublicKey::parse(" " + device); }), ErrorCode::invalid_key);
}

TEST(PublicKeyText, WrongLengthIsInvalidKey) {
    const std::string text = device_identity(12).public_key().to_string();
    for (const std::string& bad :
         {text.substr(0, text.size() - 1), text + "A", text + "AAAA", text.substr(0, text.size() - 4),
          std::string(device_prefix), text.substr(0, device_prefix.size() + 43)}) {
        EXPECT_EQ(code_of([&] { ovseal::DevicePublicKey::parse(bad); }), ErrorCode::invalid_key) << bad;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Publisher keys

TEST(PublisherPublicKey, ParseToStringAndKeyId) {
    const auto a = signing_key(20).public_key();
    const auto b = signing_key(21).public_key();
    const std::string text = a.to_string();
    ASSERT_TRUE(text.starts_with(publisher_prefix));
    EXPECT_EQ(text.size(), publisher_prefix.size() + 48);
    EXPECT_EQ(ovseal::PublisherPublicKey::parse(text), a);
    EXPECT_NE(a, b);

    const std::string id = a.key_id();
    EXPECT_EQ(id.size(), 16u);
    EXPECT_TRUE(is_lower_hex(id)) << id;
    EXPECT_EQ(id, ovseal::PublisherPublicKey::parse(text).key_id());
    EXPECT_NE(id, b.key_id());
    // §12.3: the first 8 bytes of SHA-256("ovseal-v1 key id" || key).
    const std::string label = "ovseal-v1 key id";
    std::vector<std::uint8_t> message(label.begin(), label.end());
    message.insert(message.end(), a.bytes().begin(), a.bytes().end());
    const auto digest = ovseal::crypto::sha256(message);
    EXPECT_EQ(id, to_hex(std::span(digest).first(8)));
    // Device keys use the same id.
    const auto d = device_identity(20).public_key();
    ovseal::PublicKeyBytes raw{};
    std::copy(d.bytes().begin(), d.bytes().end(), raw.begin());
    EXPECT_EQ(d.key_id(), ovseal::PublisherPublicKey::from_bytes(raw).key_id());
}

TEST(PublisherPublicKey, LoadFromPubFile) {
    TempDir dir;
    const auto signer = signing_key(22);
    write_text(dir / "p.pub", "# publisher P\n\n" + signer.public_key().to_string() + "\n");
    EXPECT_EQ(ovseal::PublisherPublicKey::load(dir / "p.pub"), signer.public_key());
    write_text(dir / "crlf.pub", signer.public_key().to_string() + "\r\n");
    EXPECT_EQ(ovseal::PublisherPublicKey::load(dir / "crlf.pub"), signer.public_key());

    EXPECT_EQ(code_of([&] { ovseal::PublisherPublicKey::load(dir / "missing.pub"); }), ErrorCode::io);
    write_text(dir / "empty.pub", "");
    EXPECT_EQ(code_of([&] { ovseal::PublisherPublicKey::load(dir / "empty.pub"); }), ErrorCode::invalid_key);
    write_text(dir / "device.pub", device_identity(22).public_key().to_string() + "\n");
    EXPECT_EQ(code_of([&] { ovseal::PublisherPublicKey::load(dir / "device.pub"); }), ErrorCode::invalid_key);
}

// ---------------------------------------------------------------------------------------------------------------
// Signing keys

TEST(SigningKey, FromBytesIsDeterministic) {
    EXPECT_EQ(signing_key(30).public_key(), signing_key(30).public_key());
    EXPECT_NE(signing_key(30).public_key(), signing_key(31).public_key());
    EXPECT_NE(ovseal::SigningKey::generate().public_key(), ovseal::SigningKey::generate().public_key());
    EXPECT_EQ(code_of([] { ovseal::SigningKey::from_bytes(std::vector<std::uint8_t>(31, 1)); }),
              ErrorCode::invalid_key);
    EXPECT_EQ(code_of([] { ovseal::SigningKey::from_bytes({}); }), ErrorCode::invalid_key);

    // RFC 8032 §7.1, test 1.
    const auto rfc =
        ovseal::SigningKey::from_bytes(from_hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
    EXPECT_EQ(to_hex(rfc.public_key().bytes()), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
}

TEST(SigningKey, SaveAndLoadPlain) {
    TempDir dir;
    const auto seed = key_bytes(32);
    const auto signer = ovseal::SigningKey::from_bytes(seed);
    const auto path = dir / "publisher.key";
    signer.save(path);
    EXPECT_EQ(mode_of(path), 0600u);
    EXPECT_EQ(key_line_value(path, "OVSEAL-ED25519-PRIVATE-1:"), to_hex(seed));
    ASSERT_TRUE(fs::is_regular_file(dir / "publisher.key.pub"));
    EXPECT_EQ(ovseal::PublisherPublicKey::load(dir / "publisher.key.pub"), signer.public_key());

    EXPECT_EQ(ovseal::SigningKey::load(path).public_key(), signer.public_key());
    // A passphrase given for a plain file is not needed and does no harm.
    EXPECT_EQ(ovseal::SigningKey::load(path, ovseal::Key::from_passphrase("unused")).public_key(), signer.public_key());

    // Refuses to overwrite, the key file or its .pub.
    const auto before = read_bytes(path);
    EXPECT_EQ(code_of([&] { signing_key(33).save(path); }), ErrorCode::io);
    EXPECT_EQ(read_bytes(path), before);
    EXPECT_EQ(ovseal::SigningKey::load(path).public_key(), signer.public_key());
    write_text(dir / "other.key.pub", "keep me\n");
    EXPECT_EQ(code_of([&] { signing_key(33).save(dir / "other.key"); }), ErrorCode::io);
    EXPECT_EQ(read_text(dir / "other.key.pub"), "keep me\n");
    EXPECT_FALSE(fs::exists(dir / "other.key"));
}

TEST(SigningKey, SaveAndLoadWithPassphrase) {
    TempDir dir;
    const auto seed = key_bytes(34);
    const auto signer = ovseal::SigningKey::from_bytes(seed);
    const auto path = dir / "protected.key";
    const auto passphrase = ovseal::Key::from_passphrase("correct horse battery staple");
    signer.save(path, passphrase, 16);
    EXPECT_EQ(mode_of(path), 0600u);
    const std::string text = read_text(path);
    EXPECT_EQ(text.find(to_hex(seed)), std::string::npos) << "the seed is stored in the clear";
    const std::string blob = key_line_value(path, "OVSEAL-ED25519-ENCRYPTED-1:");
    ASSERT_EQ(blob.size(), 2u * (32 + 1 + 32 + 16)) << text;
    EXPECT_EQ(blob.substr(64, 2), "10");  // log2_n = 16
    EXPECT_EQ(ovseal::PublisherPublicKey::load(dir / "protected.key.pub"), signer.public_key());

    EXPECT_EQ(ovseal::SigningKey::load(path, passphrase).public_key(), signer.public_key());
    EXPECT_EQ(ovseal::SigningKey::load(path, ovseal::Key::from_passphrase("correct horse battery staple")).public_key(),
              signer.public_key());

    expect_failure([&] { ovseal::SigningKey::load(path, ovseal::Key::from_passphrase("wrong horse")); },
                   {ErrorCode::no_matching_key}, {}, "wrong passphrase");
    expect_failure([&] { ovseal::SigningKey::load(path); }, {ErrorCode::usage}, {}, "no passphrase");
    const auto key_file = ovseal::Key::from_bytes(key_bytes(35));
    expect_failure([&] { ovseal::SigningKey::load(path, key_file); }, {ErrorCode::usage}, {},
                   "a key, not a passphrase");

    // A damaged ciphertext reads as a wrong passphrase (the tag does not verify).
    std::string damaged = text;
    const auto at =
        damaged.find("OVSEAL-ED25519-ENCRYPTED-1:") + std::string("OVSEAL-ED25519-ENCRYPTED-1:").size() + 70;
    damaged[at] = damaged[at] == '0' ? '1' : '0';
    write_text(dir / "damaged.key", damaged);
    expect_failure([&] { ovseal::SigningKey::load(dir / "damaged.key", passphrase); }, {ErrorCode::no_matching_key}, {},
                   "damaged ciphertext");
}

TEST(SigningKey, LoadRejectsOtherFiles) {
    TempDir dir;
    EXPECT_EQ(code_of([&] { ovseal::SigningKey::load(dir / "missing.key"); }), ErrorCode::io);
    ovseal::Key::generate().save(dir / "plain.key");
    EXPECT_EQ(code_of([&] { ovseal::SigningKey::load(dir / "plain.key"); }), ErrorCode::invalid_key);
    write_text(dir / "short.key", "OVSEAL-ED25519-PRIVATE-1:" + std::string(62, '0') + "\n");
    EXPECT_EQ(code_of([&] { ovseal::SigningKey::load(dir / "short.key"); }), ErrorCode::invalid_key);
    write_text(dir / "two.key", "OVSEAL-ED25519-PRIVATE-1:" + to_hex(key_bytes(1)) +
                                    "\nOVSEAL-ED25519-PRIVATE-1:" + to_hex(key_bytes(2)) + "\n");
    EXPECT_EQ(code_of([&] { ovseal::SigningKey::load(dir / "two.key"); }), ErrorCode::invalid_key);
    // A device identity file is not a signing key, and a signing key is not a device identity.
    fs::create_directories(dir / "dev");
    ovseal::DeviceIdentity::create(dir / "dev");
    EXPECT_EQ(code_of([&] { ovseal::SigningKey::load(dir / "dev" / "identity"); }), ErrorCode::invalid_key);
    fs::create_directories(dir / "dev2");
    signing_key(40).save(dir / "dev2" / "identity");
    EXPECT_EQ(code_of([&] { ovseal::DeviceIdentity::load(dir / "dev2"); }), ErrorCode::invalid_key);
}

TEST(SigningKey, SaveRefusesAnOutOfRangeWorkFactor) {
    TempDir dir;
    const auto pass = ovseal::Key::from_passphrase("pass");
    EXPECT_NE(code_of([&] { signing_key(41).save(dir / "low.key", pass, 15); }), ErrorCode::ok);
    EXPECT_NE(code_of([&] { signing_key(41).save(dir / "high.key", pass, 21); }), ErrorCode::ok);
}

}  // namespace
