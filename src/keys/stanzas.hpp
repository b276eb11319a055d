#pragma once

// The recipient/identity extension point (docs/FORMAT.md §7): a Key wraps the file key into a stanza when
// sealing, and tries to unwrap stanzas when opening.

#include <optional>
#include <span>
#include <vector>

#include "crypto/random_source.hpp"
#include "format/header.hpp"
#include "memory/secret_bytes.hpp"
#include "ovseal/key.hpp"

namespace ovseal::keys {

constexpr unsigned default_scrypt_log2_n = 18;
constexpr unsigned min_scrypt_log2_n = 16;
constexpr unsigned max_scrypt_log2_n = 20;

/// Wraps `file_key` for `recipient`. `scrypt_log2_n` applies to passphrases.
format::Stanza wrap_file_key(const Key& recipient, std::span<const std::uint8_t> file_key, unsigned scrypt_log2_n,
                             crypto::RandomSource& random);

/// Tries one stanza: the file key, or nothing if the stanza is not for this key ("not mine").
/// Throws header_auth_failed when the stanza matches the key but its wrapped key was damaged.
std::optional<memory::SecretBytes> unwrap_file_key(const Key& identity, const format::Stanza& stanza);

/// Step 2 of opening: the known stanza types have the right shape, and there is at most one scrypt stanza.
/// Throws malformed_header.
void check_known_stanzas(const std::vector<format::Stanza>& stanzas);

}  // namespace ovseal::keys
