// SPDX-License-Identifier: Apache-2.0
#pragma once

// What the two device stanza types (x25519.cpp, p256.cpp; docs/FORMAT.md §7.3–§7.5) share: an ephemeral key agreed
// with the device key, an untagged form (revisions 2 to 4) and a tagged one (revision 5) naming the device by a
// recipient tag, and the bound of §7.4 on how many of them one device identity tries in one open.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "keys/stanza_types/stanza_type.hpp"

namespace ovseal::keys {

/// A tagged device stanza names its device by a recipient tag: the first 4 bytes of the device's key id.
constexpr std::size_t recipient_tag_size = 4;
using RecipientTag = std::array<std::uint8_t, recipient_tag_size>;
RecipientTag recipient_tag(const DevicePublicKey& device);

/// The most device stanzas one identity tries in one open (§7.4): each may cost a TPM agreement.
constexpr std::size_t max_device_stanza_tries = 8;

/// The stanzas one device identity tries in one open (§7.4), by stanza index; `left_out` counts the stanzas it
/// could have tried beyond the bound.
struct DeviceStanzaChoice {
    std::vector<bool> tries;  // by stanza index
    std::size_t tried = 0;    // counted tries
    std::size_t left_out = 0;
};

/// What tells one device stanza type from the other.
struct DeviceStanzaSpec {
    DeviceKeyType key_type;
    std::string_view untagged_type;  // written by revisions 2 to 4 only
    std::string_view tagged_type;    // revision 5
    std::string_view info;           // the HKDF info of okm
    std::size_t ephemeral_size;
    bool untagged_tries_counted;  // whether untagged stanzas count toward the bound of §7.4
    const char* untagged_shape;   // "an x25519 stanza": for the malformed_header message
    const char* tagged_shape;
    const char* unusable_ephemeral;  // the malformed_header message for an ephemeral key no agreement accepts
};

class DeviceStanzaType : public StanzaType {
public:
    explicit DeviceStanzaType(const DeviceStanzaSpec& spec) : m_spec(spec) {}
    DeviceKeyType key_type() const noexcept { return m_spec.key_type; }
    std::string_view tagged_type() const noexcept { return m_spec.tagged_type; }

    bool reads(std::string_view type) const override;
    std::string_view display_name() const override { return "device"; }
    void check_shape(const format::Stanza& stanza, std::size_t earlier) const override;
    std::optional<format::Stanza> wrap(const StanzaRecipient& recipient, std::span<const std::uint8_t> file_key,
                                       crypto::RandomSource& random) const override;
    /// Tries the stanza if it is untagged or tagged with the identity's tag (the bound of §7.4 is the caller's:
    /// choose).
    std::optional<memory::SecretBytes> unwrap(const StanzaIdentity& identity,
                                              const format::Stanza& stanza) const override;

    /// The tag of a tagged stanza of this type (already checked by check_shape), or nothing.
    std::optional<RecipientTag> tag_of(const format::Stanza& stanza) const;
    /// §7.4: of this type, the stanzas tagged with the device's tag, then the untagged ones, at most
    /// max_device_stanza_tries counted tries in all.
    DeviceStanzaChoice choose(const DevicePublicKey& device, const std::vector<format::Stanza>& stanzas) const;

private:
    DeviceStanzaSpec m_spec;
};

/// The device stanza type of a key type.
const DeviceStanzaType& device_stanza_type(DeviceKeyType type);

}  // namespace ovseal::keys
