// SPDX-License-Identifier: Apache-2.0
#pragma once

// The recipient/identity extension point (docs/FORMAT.md §7): a recipient wraps the file key into a stanza when
// sealing; an identity tries stanzas when opening, with three outcomes: not mine (nothing), the file key, or a
// fatal error (thrown). Each stanza type is one file of keys/stanza_types/; these functions find the type a
// recipient, identity or stanza belongs to.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/random_source.hpp"
#include "format/header.hpp"
#include "keys/stanza_types/device_stanza.hpp"
#include "keys/stanza_types/stanza_type.hpp"
#include "memory/secret_bytes.hpp"
#include "ovseal/identity.hpp"
#include "ovseal/key.hpp"

namespace ovseal::keys {

class DeviceAgreement;

constexpr std::string_view key_stanza_type = "key";
constexpr std::string_view scrypt_stanza_type = "scrypt";
constexpr std::string_view x25519_stanza_type = "x25519";  // untagged: written by revisions 2 to 4 only
constexpr std::string_view p256_stanza_type = "p256";      // untagged: written by revisions 3 and 4 only
constexpr std::string_view x25519_tagged_stanza_type = "x25519-tagged";
constexpr std::string_view p256_tagged_stanza_type = "p256-tagged";

/// Wraps `file_key` for a key file or passphrase. `scrypt_log2_n` applies to passphrases.
format::Stanza wrap_file_key(const Key& recipient, std::span<const std::uint8_t> file_key, unsigned scrypt_log2_n,
                             crypto::RandomSource& random);
/// Wraps `file_key` for a device.
format::Stanza wrap_file_key(const DevicePublicKey& device, std::span<const std::uint8_t> file_key,
                             crypto::RandomSource& random, DeviceStanzaForm form = DeviceStanzaForm::tagged);

/// A writer puts at most one stanza for a device in a file: throws usage if `devices` names one twice, or one
/// that a stanza of `existing` (the file being re-wrapped) is already tagged for.
void refuse_repeated_devices(const std::vector<DevicePublicKey>& devices,
                             const std::vector<format::Stanza>& existing = {});

/// True for a device stanza, tagged or not, of key type `type`.
bool is_device_stanza_for(DeviceKeyType type, const format::Stanza& stanza);
/// The tag of a tagged device stanza (already checked by check_known_stanzas), or nothing.
std::optional<RecipientTag> stanza_tag(const format::Stanza& stanza);

/// The stanzas one device identity tries in one open (§7.4): of its key type, those tagged with its tag, then
/// the untagged ones, at most max_device_stanza_tries in all; untagged x25519 stanzas besides, uncounted (a
/// try is one X25519 in memory).
DeviceStanzaChoice choose_device_stanzas(const DevicePublicKey& device, const std::vector<format::Stanza>& stanzas);

/// Tries one stanza. Throws header_auth_failed when the stanza matches but its wrapped key was damaged. A device
/// stanza of the identity's type is tried if it is untagged or tagged with its tag (the bound of §7.4 is the
/// caller's: choose_device_stanzas).
std::optional<memory::SecretBytes> unwrap_file_key(const Key& identity, const format::Stanza& stanza);
std::optional<memory::SecretBytes> unwrap_file_key(DeviceAgreement& device, const format::Stanza& stanza);
/// The same with an agreement of its own (one stanza alone).
std::optional<memory::SecretBytes> unwrap_file_key(const DeviceIdentity& identity, const format::Stanza& stanza);

/// Step 2 of opening: the known stanza types have the right shape, and there is at most one scrypt stanza.
/// Throws malformed_header.
void check_known_stanzas(const std::vector<format::Stanza>& stanzas);

}  // namespace ovseal::keys
