// SPDX-License-Identifier: Apache-2.0
// Step 3 of opening; see file_key_search.hpp.

#include "container/file_key_search.hpp"

namespace ovseal::container {
namespace {

std::string describe_stanzas(const std::vector<format::Stanza>& stanzas) {
    std::string out;
    for (const auto& s : stanzas) {
        out += out.empty() ? "" : ", ";
        const keys::StanzaType* type = keys::stanza_type_of(s.type);
        out += type != nullptr ? std::string(type->display_name()) : s.type;
    }
    return out;
}

std::string describe_ring(const KeyRing& ring) {
    std::string out;
    auto add = [&](const char* what) {
        if (out.find(what) == std::string::npos) out += (out.empty() ? "" : ", ") + std::string(what);
    };
    for (const auto& k : ring.keys) add(k.kind() == Key::Kind::key ? "key file" : "passphrase");
    if (!ring.identities.empty()) add("device identity");
    return out.empty() ? "keys" : out;
}

}  // namespace

FileKeySearch search_file_key(const std::vector<format::Stanza>& stanzas, const KeyRing& ring,
                              keys::DeviceAgreements& devices) {
    FileKeySearch result;
    for (const auto& identity : ring.identities) {
        result.choices.push_back(keys::choose_device_stanzas(identity.public_key(), stanzas));
    }
    const std::size_t members = ring.keys.size() + devices.size();
    for (std::size_t i = 0; i < stanzas.size() && !result.file_key; ++i) {
        const keys::StanzaType* type = keys::stanza_type_of(stanzas[i].type);
        if (type == nullptr) continue;  // a type this version does not know (§4)
        for (std::size_t m = 0; m < members && !result.file_key; ++m) {
            keys::StanzaIdentity identity;
            std::optional<std::size_t> device;
            if (m < ring.keys.size()) {
                identity.key = &ring.keys[m];
            } else {
                device = m - ring.keys.size();
                if (!result.choices[*device].tries[i]) continue;
                identity.device = &devices.use(*device);
            }
            if ((result.file_key = type->unwrap(identity, stanzas[i]))) result.device = device;
        }
    }
    return result;
}

std::string no_matching_key_message(const std::vector<format::Stanza>& stanzas, const KeyRing& ring,
                                    const std::vector<keys::DeviceStanzaChoice>& choices) {
    std::string message = "no matching key: the file opens with (" + describe_stanzas(stanzas) + ") and none of the " +
                          describe_ring(ring) + " given opens it; check that it is the one the model was sealed for";
    for (std::size_t d = 0; d < choices.size(); ++d) {
        if (choices[d].left_out == 0) continue;
        message += "; device " + ring.identities[d].public_key().key_id() + " tried " +
                   std::to_string(choices[d].tried) + " of the " +
                   std::to_string(choices[d].tried + choices[d].left_out) +
                   " device stanzas that may be its own and stopped there (at most " +
                   std::to_string(keys::max_device_stanza_tries) +
                   " per device, FORMAT.md §7.4; no writer puts two stanzas for one device in a file): a file "
                   "sealed by an ovseal older than format revision 5 to more than " +
                   std::to_string(keys::max_device_stanza_tries) +
                   " TPM devices opens only on some of them; ask its publisher to re-wrap it with `ovseal rewrap` "
                   "(remove the old device stanzas and add each device again with -r), which gives every device "
                   "a tagged stanza";
    }
    return message;
}

}  // namespace ovseal::container
