#pragma once

// The recipient/identity extension point (docs/FORMAT.md §7): a recipient wraps the file key into a stanza when
// sealing; an identity tries stanzas when opening, with three outcomes: not mine (nothing), the file key, or a
// fatal error (thrown).

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/random_source.hpp"
#include "format/header.hpp"
#include "memory/secret_bytes.hpp"
#include "ovseal/identity.hpp"
#include "ovseal/key.hpp"

namespace ovseal::keys {

class DeviceAgreement;

constexpr std::string_view key_stanza_type = "key";
constexpr std::string_view scrypt_stanza_type = "scrypt";
constexpr std::string_view x25519_stanza_type = "x25519";
constexpr std::string_view p256_stanza_type = "p256";

constexpr unsigned default_scrypt_log2_n = 18;
constexpr unsigned min_scrypt_log2_n = 16;
constexpr unsigned max_scrypt_log2_n = 20;

/// Wraps `file_key` for a key file or passphrase. `scrypt_log2_n` applies to passphrases.
format::Stanza wrap_file_key(const Key& recipient, std::span<const std::uint8_t> file_key, unsigned scrypt_log2_n,
                             crypto::RandomSource& random);
/// Wraps `file_key` for a device.
format::Stanza wrap_file_key(const DevicePublicKey& device, std::span<const std::uint8_t> file_key,
                             crypto::RandomSource& random);

/// Tries one stanza. Throws header_auth_failed when the stanza matches but its wrapped key was damaged.
std::optional<memory::SecretBytes> unwrap_file_key(const Key& identity, const format::Stanza& stanza);
std::optional<memory::SecretBytes> unwrap_file_key(DeviceAgreement& device, const format::Stanza& stanza);
/// The same with an agreement of its own (one stanza alone).
std::optional<memory::SecretBytes> unwrap_file_key(const DeviceIdentity& identity, const format::Stanza& stanza);

/// Step 2 of opening: the known stanza types have the right shape, and there is at most one scrypt stanza.
/// Throws malformed_header.
void check_known_stanzas(const std::vector<format::Stanza>& stanzas);

}  // namespace ovseal::keys
