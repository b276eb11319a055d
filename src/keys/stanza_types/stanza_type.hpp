// SPDX-License-Identifier: Apache-2.0
#pragma once

// One stanza type of docs/FORMAT.md §7, as age has one file per recipient type: each type (one file in this folder)
// owns how it wraps the file key for a recipient, how an identity unwraps it, the shape step 2 of §9 checks, the
// name messages give it and its limits. The registry (registry.cpp) lists them, one line per type.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/key_view.hpp"
#include "ovseal/defaults.hpp"
#include "crypto/random_source.hpp"
#include "format/header.hpp"
#include "memory/secret_bytes.hpp"
#include "ovseal/identity.hpp"
#include "ovseal/key.hpp"

namespace ovseal::keys {

class DeviceAgreement;

/// Device stanzas are written tagged (revision 5); the untagged form of revisions 2 to 4 is for test vectors
/// and tests of older files only.
enum class DeviceStanzaForm { tagged, untagged };

/// Whom a stanza is written for (age's Recipient): a key file or passphrase, or a device.
struct StanzaRecipient {
    const Key* key = nullptr;
    const DevicePublicKey* device = nullptr;
    unsigned scrypt_log2_n = default_scrypt_log2_n;  // for a passphrase
    DeviceStanzaForm form = DeviceStanzaForm::tagged;
};

/// Who tries a stanza when opening (age's Identity): a key file or passphrase, or a device's agreements.
struct StanzaIdentity {
    const Key* key = nullptr;
    DeviceAgreement* device = nullptr;
};

class StanzaType {
public:
    virtual ~StanzaType() = default;
    /// True for each stanza type name (§4) this type reads, e.g. "x25519" and "x25519-tagged".
    virtual bool reads(std::string_view type) const = 0;
    /// How messages name what opens it: "key file", "passphrase", "device".
    virtual std::string_view display_name() const = 0;
    /// Step 2 of §9 for a stanza this type reads; `earlier` counts the stanzas of this type before it. Throws
    /// malformed_header.
    virtual void check_shape(const format::Stanza& stanza, std::size_t earlier) const = 0;
    /// The stanza wrapping `file_key` for `recipient`, or nothing if the recipient is of another type.
    virtual std::optional<format::Stanza> wrap(const StanzaRecipient& recipient, std::span<const std::uint8_t> file_key,
                                               crypto::RandomSource& random) const = 0;
    /// Tries a stanza this type reads: nothing if `identity` is of another type or the stanza is not its own, the
    /// file key, or an error (header_auth_failed when the stanza matches but its wrapped key was damaged).
    virtual std::optional<memory::SecretBytes> unwrap(const StanzaIdentity& identity,
                                                      const format::Stanza& stanza) const = 0;
};

/// Every stanza type this version knows, in registry order.
const std::vector<const StanzaType*>& stanza_types();
/// The type that reads `type`, or nullptr for one this version does not know (§4: such stanzas are ignored).
const StanzaType* stanza_type_of(std::string_view type);

// What every type shares (§7): okm = HKDF(k, salt, info, 64); the body wraps the file key under okm.

memory::SecretBytes stanza_okm(crypto::KeyView k, std::span<const std::uint8_t> salt, std::string_view info);
/// Unwraps a stanza's body under `okm`: nothing (not mine), the file key, or header_auth_failed (damaged).
std::optional<memory::SecretBytes> unwrap_body(std::span<const std::uint8_t> okm, const format::Stanza& stanza);
/// Throws malformed_header "`what` has the wrong shape" unless `ok`.
void require_shape(bool ok, const char* what);

}  // namespace ovseal::keys
