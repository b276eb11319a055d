// SPDX-License-Identifier: Apache-2.0
// The device stanza types' shared code (docs/FORMAT.md §7.3–§7.5); see device_stanza.hpp.

#include "keys/stanza_types/device_stanza.hpp"

#include <algorithm>

#include "keys/device_agreement.hpp"
#include "keys/public_key_text.hpp"
#include "keys/wrapped_key.hpp"
#include "ovseal/error.hpp"

namespace ovseal::keys {

RecipientTag recipient_tag(const DevicePublicKey& device) {
    const auto digest = key_id_digest(device.bytes());  // the first 4 bytes of the key id (§12.3)
    RecipientTag tag{};
    std::copy_n(digest.begin(), tag.size(), tag.begin());
    return tag;
}

bool DeviceStanzaType::reads(std::string_view type) const {
    return type == m_spec.untagged_type || type == m_spec.tagged_type;
}

void DeviceStanzaType::check_shape(const format::Stanza& s, std::size_t) const {
    if (s.type == m_spec.untagged_type) {
        require_shape(
            s.args.size() == 1 && s.args[0].size() == m_spec.ephemeral_size && s.body.size() == wrapped_key_size,
            m_spec.untagged_shape);
    } else {
        require_shape(s.args.size() == 2 && s.args[0].size() == recipient_tag_size &&
                          s.args[1].size() == m_spec.ephemeral_size && s.body.size() == wrapped_key_size,
                      m_spec.tagged_shape);
    }
}

std::optional<format::Stanza> DeviceStanzaType::wrap(const StanzaRecipient& recipient,
                                                     std::span<const std::uint8_t> file_key,
                                                     crypto::RandomSource& random) const {
    if (recipient.device == nullptr || recipient.device->type() != m_spec.key_type) return std::nullopt;
    const DevicePublicKey& device = *recipient.device;
    EphemeralKeys ephemeral(random);  // one per stanza
    const auto keys = device_wrap_keys(device, m_spec.info, ephemeral);
    format::Stanza stanza;
    if (recipient.form == DeviceStanzaForm::tagged) {
        const auto tag = recipient_tag(device);
        stanza.type = m_spec.tagged_type;
        stanza.args = {{tag.begin(), tag.end()}, keys.ephemeral};
    } else {
        stanza.type = m_spec.untagged_type;
        stanza.args = {keys.ephemeral};
    }
    stanza.body = wrap_with(keys.okm.secret(), file_key);
    return stanza;
}

std::optional<memory::SecretBytes> DeviceStanzaType::unwrap(const StanzaIdentity& identity,
                                                            const format::Stanza& stanza) const {
    if (identity.device == nullptr) return std::nullopt;
    const auto& pub = identity.device->identity().public_key();
    if (pub.type() != m_spec.key_type) return std::nullopt;
    if (const auto tag = tag_of(stanza); tag && *tag != recipient_tag(pub)) {
        return std::nullopt;  // tagged for another device
    }
    // The ephemeral key argument: after the tag in a tagged stanza.
    const auto ephemeral = stanza.args[stanza.type == m_spec.tagged_type ? 1 : 0];
    const auto okm = device_unwrap_keys(*identity.device, ephemeral, m_spec.info);
    if (!okm) throw Error(ErrorCode::malformed_header, m_spec.unusable_ephemeral);
    return unwrap_body(okm->secret(), stanza);
}

std::optional<RecipientTag> DeviceStanzaType::tag_of(const format::Stanza& stanza) const {
    if (stanza.type != m_spec.tagged_type || stanza.args.empty() || stanza.args[0].size() != recipient_tag_size) {
        return std::nullopt;
    }
    RecipientTag tag{};
    std::copy(stanza.args[0].begin(), stanza.args[0].end(), tag.begin());
    return tag;
}

DeviceStanzaChoice DeviceStanzaType::choose(const DevicePublicKey& device,
                                            const std::vector<format::Stanza>& stanzas) const {
    DeviceStanzaChoice choice;
    choice.tries.assign(stanzas.size(), false);
    const auto own = recipient_tag(device);
    std::vector<std::size_t> tagged;    // tagged with this device's tag
    std::vector<std::size_t> untagged;  // of revisions 2 to 4: anyone's of this key type
    for (std::size_t i = 0; i < stanzas.size(); ++i) {
        if (!reads(stanzas[i].type)) continue;
        const auto tag = tag_of(stanzas[i]);
        if (!tag) {
            untagged.push_back(i);
        } else if (*tag == own) {
            tagged.push_back(i);
        }
    }
    const auto take = [&](std::size_t i) {
        if (choice.tried < max_device_stanza_tries) {
            choice.tries[i] = true;
            ++choice.tried;
        } else {
            ++choice.left_out;
        }
    };
    for (const std::size_t i : tagged) take(i);
    for (const std::size_t i : untagged) {
        if (m_spec.untagged_tries_counted) {
            take(i);
        } else {
            choice.tries[i] = true;
        }
    }
    return choice;
}

const DeviceStanzaType& device_stanza_type(DeviceKeyType type) {
    for (const StanzaType* t : stanza_types()) {
        const auto* device = dynamic_cast<const DeviceStanzaType*>(t);
        if (device != nullptr && device->key_type() == type) return *device;
    }
    throw Error(ErrorCode::internal, "no stanza type for this device key type");
}

}  // namespace ovseal::keys
