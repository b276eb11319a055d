// SPDX-License-Identifier: Apache-2.0
// Wrapping the file key into key, passphrase and device stanzas, and trying stanzas to unwrap it again.

#include "keys/stanzas.hpp"

#include <algorithm>
#include <map>
#include <string>

#include "keys/device_agreement.hpp"
#include "keys/public_key_text.hpp"
#include "ovseal/error.hpp"

namespace ovseal::keys {
namespace {

format::Stanza wrap_for(const StanzaRecipient& recipient, std::span<const std::uint8_t> file_key,
                        crypto::RandomSource& random) {
    for (const StanzaType* type : stanza_types()) {
        if (auto stanza = type->wrap(recipient, file_key, random)) return std::move(*stanza);
    }
    throw Error(ErrorCode::internal, "no stanza type wraps for this recipient");
}

std::optional<memory::SecretBytes> try_stanza(const StanzaIdentity& identity, const format::Stanza& stanza) {
    const StanzaType* type = stanza_type_of(stanza.type);
    return type != nullptr ? type->unwrap(identity, stanza) : std::nullopt;
}

}  // namespace

format::Stanza wrap_file_key(const Key& recipient, std::span<const std::uint8_t> file_key, unsigned scrypt_log2_n,
                             crypto::RandomSource& random) {
    return wrap_for({.key = &recipient, .scrypt_log2_n = scrypt_log2_n}, file_key, random);
}

format::Stanza wrap_file_key(const DevicePublicKey& device, std::span<const std::uint8_t> file_key,
                             crypto::RandomSource& random, DeviceStanzaForm form) {
    return wrap_for({.device = &device, .form = form}, file_key, random);
}

void refuse_repeated_devices(const std::vector<DevicePublicKey>& devices, const std::vector<format::Stanza>& existing) {
    for (std::size_t i = 0; i < devices.size(); ++i) {
        if (std::find(devices.begin(), devices.begin() + static_cast<std::ptrdiff_t>(i), devices[i]) !=
            devices.begin() + static_cast<std::ptrdiff_t>(i)) {
            throw Error(ErrorCode::usage,
                        "the device " + devices[i].to_string() + " is given twice: a file holds one stanza per device");
        }
        const auto tag = recipient_tag(devices[i]);
        for (std::size_t s = 0; s < existing.size(); ++s) {
            if (is_device_stanza_for(devices[i].type(), existing[s]) && stanza_tag(existing[s]) == tag) {
                throw Error(ErrorCode::usage,
                            "the file already has a stanza for the device " + devices[i].to_string() + " (stanza " +
                                std::to_string(s) + ", tagged " + hex(tag) +
                                "): a file holds one stanza per device; to replace it, remove that stanza too");
            }
        }
    }
}

bool is_device_stanza_for(DeviceKeyType type, const format::Stanza& stanza) {
    return device_stanza_type(type).reads(stanza.type);
}

std::optional<RecipientTag> stanza_tag(const format::Stanza& stanza) {
    const auto* type = dynamic_cast<const DeviceStanzaType*>(stanza_type_of(stanza.type));
    return type != nullptr ? type->tag_of(stanza) : std::nullopt;
}

DeviceStanzaChoice choose_device_stanzas(const DevicePublicKey& device, const std::vector<format::Stanza>& stanzas) {
    return device_stanza_type(device.type()).choose(device, stanzas);
}

std::optional<memory::SecretBytes> unwrap_file_key(const Key& identity, const format::Stanza& stanza) {
    return try_stanza({.key = &identity}, stanza);
}

std::optional<memory::SecretBytes> unwrap_file_key(DeviceAgreement& device, const format::Stanza& stanza) {
    return try_stanza({.device = &device}, stanza);
}

std::optional<memory::SecretBytes> unwrap_file_key(const DeviceIdentity& identity, const format::Stanza& stanza) {
    DeviceAgreement device(identity);
    return unwrap_file_key(device, stanza);
}

void check_known_stanzas(const std::vector<format::Stanza>& stanzas) {
    std::map<const StanzaType*, std::size_t> seen;  // stanzas of each type so far
    for (const auto& s : stanzas) {
        if (const StanzaType* type = stanza_type_of(s.type)) {
            type->check_shape(s, seen[type]++);
        }
    }
}

}  // namespace ovseal::keys
