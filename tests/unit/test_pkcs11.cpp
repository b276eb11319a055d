// SPDX-License-Identifier: Apache-2.0
// Publisher signing keys in a PKCS#11 token, against a real SoftHSM2 token in a private folder: signatures the
// software verifier accepts byte for byte, sealing and licensing with a token key, opening on the device side
// with only the public key, and the errors for a wrong PIN, a missing key, a missing module or token.

#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "crypto/crypto.hpp"
#include "keys/identity_secrets.hpp"
#include "pkcs11/ed25519_objects.hpp"
#include "pkcs11/module.hpp"
#include "pkcs11/session.hpp"
#include "ovseal/environment.hpp"
#include "softhsm_token.hpp"
#include "test_support.hpp"

namespace {

using namespace ovseal_test;
using ovseal::ErrorCode;
using ovseal::SigningKey;

constexpr const char* token_label = "ovseal-unit";
constexpr const char* user_pin = "u5eR-97Qz";

std::span<const std::uint8_t> bytes_of(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

ovseal::crypto::Signature64 sign(const SigningKey& key, std::string_view message) {
    return key.secret(ovseal::secret_access()).signer->sign(bytes_of(message));
}

class Pkcs11 : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (SoftHsmToken::missing().empty()) token = std::make_unique<SoftHsmToken>(token_label, user_pin);
    }
    static void TearDownTestSuite() { token.reset(); }
    void SetUp() override {
        if (!token) GTEST_SKIP() << SoftHsmToken::missing();
        ::unsetenv("OVSEAL_PKCS11_PIN");
        ::unsetenv("OVSEAL_PKCS11_MODULE");
    }

    static ovseal::Pkcs11Options options() { return token->options(); }
    /// The module and no PIN: what a device-side or CI tool reading public keys has.
    static ovseal::Pkcs11Options module_only() {
        ovseal::Pkcs11Options o;
        o.module = SoftHsmToken::module;
        return o;
    }
    static ovseal::Pkcs11Options options_with_pin(const std::string& pin) {
        auto o = options();
        o.pin = ovseal::Key::from_passphrase(pin);
        return o;
    }

    /// Puts an Ed25519 private key (seed) and a public key object (public_key) with LABEL into the token through
    /// C_CreateObject, the way an existing key is imported into an HSM.
    static void import_key(const std::string& label, std::span<const std::uint8_t> seed,
                           const ovseal::PublicKeyBytes& public_key) {
        using namespace ovseal::pkcs11;
        auto module = Module::load(SoftHsmToken::module);
        Uri uri;
        uri.token = token_label;
        Session session(module, find_token(*module, uri), true);
        const auto pin = ovseal::memory::SecretBytes::copy_of(bytes_of(user_pin));
        session.login(&pin);
        CK_OBJECT_CLASS private_class = CKO_PRIVATE_KEY, public_class = CKO_PUBLIC_KEY;
        CK_KEY_TYPE type = CKK_EC_EDWARDS;
        CK_BBOOL yes = CK_TRUE;
        auto params = ed25519_params_oid();
        auto point = encode_ec_point(public_key);
        std::vector<std::uint8_t> value(seed.begin(), seed.end());
        std::string name = label;
        CK_ATTRIBUTE private_template[] = {
            {CKA_CLASS, &private_class, sizeof private_class},
            {CKA_KEY_TYPE, &type, sizeof type},
            {CKA_TOKEN, &yes, sizeof yes},
            {CKA_PRIVATE, &yes, sizeof yes},
            {CKA_SENSITIVE, &yes, sizeof yes},
            {CKA_SIGN, &yes, sizeof yes},
            {CKA_LABEL, name.data(), name.size()},
            {CKA_EC_PARAMS, params.data(), params.size()},
            {CKA_VALUE, value.data(), value.size()},
        };
        CK_ATTRIBUTE public_template[] = {
            {CKA_CLASS, &public_class, sizeof public_class},
            {CKA_KEY_TYPE, &type, sizeof type},
            {CKA_TOKEN, &yes, sizeof yes},
            {CKA_VERIFY, &yes, sizeof yes},
            {CKA_LABEL, name.data(), name.size()},
            {CKA_EC_PARAMS, params.data(), params.size()},
            {CKA_EC_POINT, point.data(), point.size()},
        };
        CK_OBJECT_HANDLE handle = 0;
        auto& api = module->api();
        ASSERT_EQ(api.C_CreateObject(session.handle(), private_template, std::size(private_template), &handle), CKR_OK);
        ASSERT_EQ(api.C_CreateObject(session.handle(), public_template, std::size(public_template), &handle), CKR_OK);
    }

    static inline std::unique_ptr<SoftHsmToken> token;
};

TEST_F(Pkcs11, ImportedSeedSignsByteForByteLikeTheSoftwareKey) {
    const auto seed = key_bytes(301);
    const SigningKey software = SigningKey::from_bytes(seed);
    import_key("imported", seed, software.public_key().bytes());
    const SigningKey in_token = SigningKey::from_pkcs11(token->uri("imported"), options());
    EXPECT_TRUE(in_token.in_token());
    EXPECT_FALSE(software.in_token());
    EXPECT_EQ(in_token.public_key(), software.public_key());
    // Ed25519 is deterministic: the token and OpenSSL must produce the same 64 bytes.
    for (const std::string& message : {std::string(), std::string("ovseal"), std::string(10000, 'x')}) {
        const auto from_token = sign(in_token, message);
        EXPECT_EQ(from_token, sign(software, message)) << message.size();
        EXPECT_TRUE(ovseal::crypto::ed25519_verify(software.public_key().bytes(), bytes_of(message), from_token));
    }
    // Named by its public key object too, without a PIN.
    EXPECT_EQ(ovseal::PublisherPublicKey::from_pkcs11(token->uri("imported"), module_only()), software.public_key());
}

TEST_F(Pkcs11, GeneratedKeyStaysInTheTokenAndSealsAndLicensesWhatDevicesOpen) {
    const std::string label = "publisher-2027";
    const std::string uri = token->uri(label);
    const SigningKey publisher = SigningKey::generate_in_token(uri, options());
    EXPECT_TRUE(publisher.in_token());
    // What the devices trust: read from the token's public object, without a PIN.
    const auto trusted = ovseal::PublisherPublicKey::from_pkcs11(uri, module_only());
    EXPECT_EQ(trusted, publisher.public_key());
    {  // The private key is sensitive and not extractable; its value cannot be read.
        using namespace ovseal::pkcs11;
        auto module = Module::load(SoftHsmToken::module);
        Uri u = parse_uri(uri);
        Session session(module, find_token(*module, u), false);
        const auto pin = ovseal::memory::SecretBytes::copy_of(bytes_of(user_pin));
        session.login(&pin);
        const auto key = find_private_key(session, u);
        EXPECT_EQ(session.attribute(key, CKA_SENSITIVE), std::vector<std::uint8_t>{CK_TRUE});
        EXPECT_EQ(session.attribute(key, CKA_EXTRACTABLE), std::vector<std::uint8_t>{CK_FALSE});
        EXPECT_EQ(session.attribute(key, CKA_TOKEN), std::vector<std::uint8_t>{CK_TRUE});
        EXPECT_FALSE(session.attribute(key, CKA_VALUE).has_value());
        // ovseal asks for the OID; SoftHSM2 2.6 stores the curve's name instead. Either is Ed25519.
        const auto params = session.attribute(key, CKA_EC_PARAMS);
        ASSERT_TRUE(params.has_value());
        EXPECT_TRUE(is_ed25519_params(*params));
        EXPECT_EQ(session.attribute(key, CKA_LABEL), std::vector<std::uint8_t>(label.begin(), label.end()));
    }

    TempDir dir;
    const auto xml = write_model(make_mlp(96, 31), dir.path(), "mlp");
    const auto file_key = ovseal::Key::from_bytes(key_bytes(302));
    ovseal::SealOptions o;
    o.chunk_size = 64 * 1024;
    o.sign = publisher;
    const auto sealed = dir / "model.ovseal";
    ovseal::seal_model(xml, sealed, {file_key}, o);
    const auto device = device_identity(303);
    const auto licenses = ovseal::issue_licenses(sealed, ovseal::KeyRing({file_key}), {device.public_key()},
                                                 {0, 0, "token-signed"}, publisher);
    ASSERT_EQ(licenses.size(), 1u);
    write_bytes(dir / "device.lic", licenses[0]);
    EXPECT_EQ(ovseal::inspect_license(dir / "device.lic").signer, trusted);

    // The device: its identity, the license and the trusted public key; nothing of the publisher's secrets.
    ovseal::KeyRing ring;
    ring.identities = {device};
    ring.licenses = {dir / "device.lic"};
    ring.trusted = {trusted};
    ov::Core core;
    const auto plain = infer(core.compile_model(xml.string(), "CPU"));
    expect_same_outputs(plain, infer(ovseal::compile_model(core, sealed, ring, "CPU")));
    EXPECT_TRUE(ovseal::verify(sealed, ring).signature_verified);
    // Another publisher's key in the trust list instead: refused.
    ring.trusted = {signing_key(304).public_key()};
    EXPECT_EQ(error_of([&] { ovseal::verify(sealed, ring); })->code(), ErrorCode::untrusted_signer);
}

TEST_F(Pkcs11, SignsFromManyThreads) {
    const SigningKey key = SigningKey::generate_in_token(token->uri("threads"), options());
    std::vector<std::thread> threads;
    std::atomic<int> verified = 0;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 25; ++i) {
                const std::string message = std::to_string(t) + "/" + std::to_string(i);
                if (ovseal::crypto::ed25519_verify(key.public_key().bytes(), bytes_of(message), sign(key, message))) {
                    ++verified;
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(verified, 100);
}

TEST_F(Pkcs11, WrongPinIsLoginFailedAndNeverShown) {
    const std::string wrong = "Xq7#Lm2@Zt";
    const auto error = error_of([&] { SigningKey::from_pkcs11(token->uri("imported"), options_with_pin(wrong)); });
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code(), ErrorCode::token_login_failed) << error->what();
    EXPECT_NE(std::string(error->what()).find(token_label), std::string::npos) << error->what();
    expect_clean_message(*error, bytes_of(wrong));
    expect_clean_message(*error, bytes_of(user_pin));
}

TEST_F(Pkcs11, NoPinAtAllIsLoginFailed) {
    auto o = options();
    o.pin.reset();
    const auto error = error_of([&] { SigningKey::from_pkcs11(token->uri("whatever"), o); });
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code(), ErrorCode::token_login_failed) << error->what();
    EXPECT_NE(std::string(error->what()).find("PIN"), std::string::npos) << error->what();
}

TEST_F(Pkcs11, PinSourcesInTheirOrder) {
    SigningKey::generate_in_token(token->uri("pins"), options());
    TempDir dir;
    write_text(dir / "pin", std::string(user_pin) + "\n");
    write_text(dir / "wrong", "not-the-pin\n");
    auto code = [&](const std::string& uri, const ovseal::Pkcs11Options& o) {
        try {
            SigningKey::from_pkcs11(uri, o);
            return ErrorCode::ok;
        } catch (const ovseal::Error& e) {
            return e.code();
        }
    };
    auto with_file = [&](const fs::path& file) {
        auto o = options();
        o.pin.reset();
        o.pin_file = file;
        return o;
    };
    const std::string uri = token->uri("pins");
    // The URI's pin-value / pin-source win over the options.
    EXPECT_EQ(code(uri + "?pin-value=" + user_pin, options_with_pin("wrong")), ErrorCode::ok);
    EXPECT_EQ(code(uri + "?pin-source=file:" + (dir / "pin").string(), options_with_pin("wrong")), ErrorCode::ok);
    EXPECT_EQ(code(uri + "?pin-source=file://" + (dir / "pin").string(), options_with_pin("wrong")), ErrorCode::ok);
    EXPECT_EQ(code(uri + "?pin-source=" + (dir / "wrong").string(), options()), ErrorCode::token_login_failed);
    // Then Pkcs11Options::pin, then the PIN file.
    auto both = with_file(dir / "wrong");
    both.pin = ovseal::Key::from_passphrase(user_pin);
    EXPECT_EQ(code(uri, both), ErrorCode::ok);
    EXPECT_EQ(code(uri, with_file(dir / "pin")), ErrorCode::ok);
    EXPECT_EQ(code(uri, with_file(dir / "missing")), ErrorCode::io);
    // Then the environment, as the CLI and the Python package map it (ovseal::with_environment), then the prompt
    // (asked with the token's label).
    ::setenv("OVSEAL_PKCS11_PIN", "not-the-pin", 1);
    EXPECT_EQ(code(uri, ovseal::with_environment(with_file(dir / "pin"))), ErrorCode::ok);  // the file wins
    auto none = with_file({});
    EXPECT_EQ(code(uri, ovseal::with_environment(none)), ErrorCode::token_login_failed);
    ::setenv("OVSEAL_PKCS11_PIN", user_pin, 1);
    EXPECT_EQ(code(uri, ovseal::with_environment(none)), ErrorCode::ok);
    // The library itself reads no environment variable: without with_environment the PIN is not there.
    EXPECT_EQ(code(uri, none), ErrorCode::token_login_failed);
    ::unsetenv("OVSEAL_PKCS11_PIN");
    std::string asked;
    none.prompt = [&](const std::string& prompt) {
        asked = prompt;
        return std::string(user_pin);
    };
    EXPECT_EQ(code(uri, none), ErrorCode::ok);
    EXPECT_NE(asked.find(token_label), std::string::npos) << asked;
}

TEST_F(Pkcs11, MissingKeyNamesTheLabelAndToken) {
    const auto error = error_of([&] { SigningKey::from_pkcs11(token->uri("no-such-key"), options()); });
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code(), ErrorCode::token_key_missing) << error->what();
    EXPECT_NE(std::string(error->what()).find("no-such-key"), std::string::npos) << error->what();
    EXPECT_NE(std::string(error->what()).find(token_label), std::string::npos) << error->what();
    const auto by_id = error_of(
        [&] { SigningKey::from_pkcs11("pkcs11:token=" + std::string(token_label) + ";id=%de%ad", options()); });
    ASSERT_TRUE(by_id.has_value());
    EXPECT_EQ(by_id->code(), ErrorCode::token_key_missing);
    EXPECT_NE(std::string(by_id->what()).find("dead"), std::string::npos) << by_id->what();
    EXPECT_EQ(error_of([&] { ovseal::PublisherPublicKey::from_pkcs11(token->uri("no-such-key"), options()); })->code(),
              ErrorCode::token_key_missing);
}

TEST_F(Pkcs11, MissingModuleOrTokenIsUnavailable) {
    auto o = options();
    o.module = "/nonexistent/libpkcs11.so";
    auto error = error_of([&] { SigningKey::from_pkcs11(token->uri("imported"), o); });
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code(), ErrorCode::token_unavailable);
    EXPECT_NE(std::string(error->what()).find("/nonexistent/libpkcs11.so"), std::string::npos) << error->what();
    // A library that is not a PKCS#11 module (a bare name goes through the loader's search path).
    o.module = "libc.so.6";
    error = error_of([&] { SigningKey::from_pkcs11(token->uri("imported"), o); });
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code(), ErrorCode::token_unavailable);
    EXPECT_NE(std::string(error->what()).find("C_GetFunctionList"), std::string::npos) << error->what();
    // The URI's module-path wins over the options.
    EXPECT_EQ(error_of([&] {
                  SigningKey::from_pkcs11(token->uri("imported") + "?module-path=/nonexistent/p11.so", options());
              })->code(),
              ErrorCode::token_unavailable);
    // No token with that label: the message names the tokens there are.
    error = error_of([&] { SigningKey::from_pkcs11("pkcs11:token=absent;object=imported", options()); });
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code(), ErrorCode::token_unavailable);
    EXPECT_NE(std::string(error->what()).find(token_label), std::string::npos) << error->what();
    // The environment (mapped by ovseal::with_environment, as the CLI and the Python package do) names the
    // module when nothing else does; an explicit module wins over it.
    o.module.clear();
    ::setenv("OVSEAL_PKCS11_MODULE", "/nonexistent/from-env.so", 1);
    error = error_of([&] { SigningKey::from_pkcs11(token->uri("imported"), ovseal::with_environment(o)); });
    const auto explicit_module = ovseal::with_environment(options());
    // The library itself reads no environment variable: the plain options go on to SoftHSM2's module, which
    // holds the token (or, where it is not installed, fail without naming the variable's module).
    std::string without_mapping = "opened";
    try {
        SigningKey::from_pkcs11(token->uri("imported"), o);
    } catch (const ovseal::Error& e) {
        without_mapping = e.what();
    }
    ::unsetenv("OVSEAL_PKCS11_MODULE");
    ASSERT_TRUE(error.has_value());
    EXPECT_NE(std::string(error->what()).find("from-env.so"), std::string::npos) << error->what();
    EXPECT_EQ(explicit_module.module, options().module);
    EXPECT_EQ(without_mapping.find("from-env.so"), std::string::npos) << without_mapping;
}

TEST_F(Pkcs11, TokenKeyCannotBeSavedAndLabelsAreNotReused) {
    const SigningKey key = SigningKey::generate_in_token(token->uri("unique"), options());
    TempDir dir;
    EXPECT_EQ(error_of([&] { key.save(dir / "copy.key"); })->code(), ErrorCode::usage);
    EXPECT_FALSE(fs::exists(dir / "copy.key"));
    EXPECT_FALSE(fs::exists(dir / "copy.key.pub"));
    const auto again = error_of([&] { SigningKey::generate_in_token(token->uri("unique"), options()); });
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->code(), ErrorCode::usage);
    EXPECT_NE(std::string(again->what()).find("already"), std::string::npos) << again->what();
    // The first key is untouched.
    EXPECT_EQ(SigningKey::from_pkcs11(token->uri("unique"), options()).public_key(), key.public_key());
}

TEST_F(Pkcs11, PublicKeyObjectOfAnotherKeyIsCaughtAtTheFirstSignature) {
    import_key("mismatched", key_bytes(305), SigningKey::from_bytes(key_bytes(306)).public_key().bytes());
    const SigningKey key = SigningKey::from_pkcs11(token->uri("mismatched"), options());
    const auto error = error_of([&] { sign(key, "first"); });
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code(), ErrorCode::token_failed) << error->what();
    EXPECT_NE(std::string(error->what()).find("mismatched"), std::string::npos) << error->what();
}

TEST_F(Pkcs11, ModuleIsSharedAndInitialisedAgainAfterTheLastUser) {
    {
        const SigningKey a = SigningKey::generate_in_token(token->uri("shared-a"), options());
        const SigningKey b = SigningKey::generate_in_token(token->uri("shared-b"), options());
        EXPECT_NE(a.public_key(), b.public_key());
        EXPECT_TRUE(ovseal::crypto::ed25519_verify(a.public_key().bytes(), bytes_of("m"), sign(a, "m")));
        EXPECT_TRUE(ovseal::crypto::ed25519_verify(b.public_key().bytes(), bytes_of("m"), sign(b, "m")));
    }
    // Both are gone, so the module was finalised; the next use initialises it again.
    const SigningKey again = SigningKey::from_pkcs11(token->uri("shared-a"), options());
    EXPECT_TRUE(ovseal::crypto::ed25519_verify(again.public_key().bytes(), bytes_of("n"), sign(again, "n")));
}

}  // namespace
