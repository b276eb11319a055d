// SPDX-License-Identifier: Apache-2.0
// Keys and secrets have types of their own: these checks fail to compile if a key could be passed where a message
// goes (or the other way round), or a secret reached without secret_access(), and test that the typed API still
// computes what the untyped one did.

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>

#include "crypto/crypto.hpp"
#include "container/opened_container.hpp"
#include "crypto/p256.hpp"
#include "ovseal/identity.hpp"
#include "ovseal/key.hpp"
#include "ovseal/secret_access.hpp"

namespace {

using Bytes = std::span<const std::uint8_t>;
using ovseal::crypto::KeyView;

// A key is made explicitly from bytes; bytes never become a key, nor a key bytes, on their own.
static_assert(std::is_constructible_v<KeyView, Bytes>);
static_assert(!std::is_convertible_v<Bytes, KeyView>);
static_assert(!std::is_convertible_v<KeyView, Bytes>);
static_assert(!std::is_convertible_v<const ovseal::memory::SecretBytes&, KeyView>);

// hmac_sha256(key, message) with the two swapped, or with a bare span as the key, does not compile.
static_assert(std::is_invocable_v<decltype(ovseal::crypto::hmac_sha256), KeyView, Bytes>);
static_assert(!std::is_invocable_v<decltype(ovseal::crypto::hmac_sha256), Bytes, KeyView>);
static_assert(!std::is_invocable_v<decltype(ovseal::crypto::hmac_sha256), Bytes, Bytes>);
static_assert(!std::is_invocable_v<decltype(ovseal::crypto::ed25519_sign), Bytes, KeyView>);
static_assert(!std::is_invocable_v<decltype(ovseal::crypto::ed25519_sign), Bytes, Bytes>);
static_assert(!std::is_invocable_v<decltype(ovseal::crypto::hkdf_sha256), Bytes, Bytes, std::string_view,
                                   std::span<std::uint8_t>>);
static_assert(!std::is_invocable_v<decltype(ovseal::crypto::x25519_shared), Bytes, Bytes>);
static_assert(!std::is_constructible_v<ovseal::crypto::Aes256Gcm, Bytes>);
static_assert(!std::is_constructible_v<ovseal::crypto::X25519Key, Bytes>);
static_assert(!std::is_constructible_v<ovseal::crypto::Ed25519Signer, Bytes>);
static_assert(!std::is_constructible_v<ovseal::crypto::P256Key, Bytes>);

TEST(SecretTypes, KeyViewOfSecretBytesIsTheSameKeyAsItsBytes) {
    std::array<std::uint8_t, 32> raw{};
    for (std::size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<std::uint8_t>(i);
    const auto secret = ovseal::memory::SecretBytes::copy_of(raw);
    const std::array<std::uint8_t, 3> message{'a', 'b', 'c'};
    EXPECT_EQ(ovseal::crypto::hmac_sha256(KeyView(secret), message),
              ovseal::crypto::hmac_sha256(KeyView(raw), message));
    EXPECT_EQ(KeyView(secret).subkey(8, 4).bytes()[0], 8);
    EXPECT_EQ(KeyView(secret).subkey(8, 4).size(), 4u);
}

}  // namespace

// Reaching a secret takes the token that secret_access() makes (greppable); without it, no call compiles.
namespace {

static_assert(!std::is_default_constructible_v<ovseal::SecretAccess>);
static_assert(std::is_invocable_v<decltype(&ovseal::Key::secret), const ovseal::Key&, ovseal::SecretAccess>);
static_assert(!std::is_invocable_v<decltype(&ovseal::Key::secret), const ovseal::Key&>);
static_assert(!std::is_invocable_v<decltype(&ovseal::DeviceIdentity::secret), const ovseal::DeviceIdentity&>);
static_assert(!std::is_invocable_v<decltype(&ovseal::SigningKey::secret), const ovseal::SigningKey&>);
static_assert(!std::is_invocable_v<decltype(&ovseal::container::OpenedContainer::file_key),
                                   const ovseal::container::OpenedContainer&>);

TEST(SecretTypes, TakingTypedTextWipesIt) {
    std::string typed = "correct horse";
    const auto secret = ovseal::memory::SecretBytes::take(typed);
    EXPECT_EQ(secret.secret_text(), "correct horse");
    EXPECT_EQ(typed, std::string(13, '\0'));
    std::string again = "correct horse";
    EXPECT_TRUE(secret.same_as(ovseal::memory::SecretBytes::take(again)));
    std::string other = "correct hors!";
    EXPECT_FALSE(secret.same_as(ovseal::memory::SecretBytes::take(other)));
    std::string shorter = "correct";
    EXPECT_FALSE(secret.same_as(ovseal::memory::SecretBytes::take(shorter)));
}

}  // namespace
