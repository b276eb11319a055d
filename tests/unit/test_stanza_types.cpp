// SPDX-License-Identifier: Apache-2.0
// The stanza type registry (keys/stanza_types/): every type of FORMAT §7 is registered once, under the names and
// display names the format and messages use, and each type wraps for its own recipients only, passes its own shape
// check, and unwraps for its own identities only.

#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crypto/random_source.hpp"
#include "keys/device_agreement.hpp"
#include "keys/stanzas.hpp"
#include "ovseal/error.hpp"
#include "ovseal/identity.hpp"
#include "ovseal/key.hpp"

namespace {

using namespace ovseal;

TEST(StanzaTypes, EveryTypeOfTheFormatIsRegisteredOnceUnderItsNames) {
    const std::vector<std::pair<std::string, std::string>> names = {
        {"key", "key file"},         {"scrypt", "passphrase"}, {"x25519", "device"},
        {"x25519-tagged", "device"}, {"p256", "device"},       {"p256-tagged", "device"},
    };
    std::set<const keys::StanzaType*> types;
    for (const auto& [name, display] : names) {
        const keys::StanzaType* type = keys::stanza_type_of(name);
        ASSERT_NE(type, nullptr) << name;
        EXPECT_EQ(type->display_name(), display) << name;
        types.insert(type);
        std::size_t readers = 0;
        for (const auto* t : keys::stanza_types()) readers += t->reads(name) ? 1 : 0;
        EXPECT_EQ(readers, 1u) << name;
    }
    EXPECT_EQ(types.size(), keys::stanza_types().size());
    EXPECT_EQ(keys::stanza_type_of("x25519-untagged"), nullptr);
    EXPECT_EQ(keys::stanza_type_of("KEY"), nullptr);
}

TEST(StanzaTypes, EachTypeWrapsAndUnwrapsForItsOwnOnly) {
    crypto::SystemRandom random;
    const std::vector<std::uint8_t> file_key(32, 0x5a);
    const Key key = Key::generate();
    const Key passphrase = Key::from_passphrase("stanza types");
    const DeviceIdentity x25519 = DeviceIdentity::from_bytes(std::vector<std::uint8_t>(32, 7));
    std::vector<std::uint8_t> scalar(32, 0);
    scalar[31] = 9;
    const DeviceIdentity p256 = DeviceIdentity::from_p256_bytes(scalar);

    std::vector<keys::StanzaRecipient> recipients = {
        {.key = &key},
        {.key = &passphrase, .scrypt_log2_n = 16},
        {.device = &x25519.public_key()},
        {.device = &x25519.public_key(), .form = keys::DeviceStanzaForm::untagged},
        {.device = &p256.public_key()},
        {.device = &p256.public_key(), .form = keys::DeviceStanzaForm::untagged},
    };
    const std::vector<std::string> expected = {"key", "scrypt", "x25519-tagged", "x25519", "p256-tagged", "p256"};
    keys::DeviceAgreement x25519_agreement(x25519);
    keys::DeviceAgreement p256_agreement(p256);
    const std::vector<keys::StanzaIdentity> identities = {
        {.key = &key}, {.key = &passphrase}, {.device = &x25519_agreement}, {.device = &p256_agreement}};
    const std::vector<std::size_t> owner = {0, 1, 2, 2, 3, 3};  // which identity opens each recipient's stanza

    for (std::size_t r = 0; r < recipients.size(); ++r) {
        std::optional<format::Stanza> stanza;
        for (const auto* type : keys::stanza_types()) {
            auto wrapped = type->wrap(recipients[r], file_key, random);
            if (!wrapped) continue;
            ASSERT_FALSE(stanza) << "two types wrap for recipient " << r;
            EXPECT_EQ(type, keys::stanza_type_of(wrapped->type));
            stanza = std::move(wrapped);
        }
        ASSERT_TRUE(stanza) << "no type wraps for recipient " << r;
        EXPECT_EQ(stanza->type, expected[r]);
        const keys::StanzaType* type = keys::stanza_type_of(stanza->type);
        EXPECT_NO_THROW(type->check_shape(*stanza, 0));
        for (std::size_t i = 0; i < identities.size(); ++i) {
            const auto opened = type->unwrap(identities[i], *stanza);
            EXPECT_EQ(opened.has_value(), i == owner[r]) << stanza->type << " tried by identity " << i;
            if (opened) {
                EXPECT_TRUE(
                    std::equal(file_key.begin(), file_key.end(), opened->secret().begin(), opened->secret().end()));
            }
        }
    }
}

TEST(StanzaTypes, APassphraseStanzaAfterAnotherIsRefusedBeforeItsShape) {
    const keys::StanzaType* type = keys::stanza_type_of("scrypt");
    ASSERT_NE(type, nullptr);
    const format::Stanza malformed{"scrypt", {}, {}};
    try {
        type->check_shape(malformed, 1);
        FAIL() << "a second passphrase stanza was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::malformed_header);
        EXPECT_NE(std::string(e.what()).find("more than one passphrase stanza"), std::string::npos) << e.what();
    }
}

}  // namespace
