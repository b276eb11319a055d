// SPDX-License-Identifier: Apache-2.0
// The `key` stanza (docs/FORMAT.md §7.1): a 256-bit key from a key file. okm = HKDF(key, salt, info, 64) with a
// fresh 32-byte salt per stanza.

#include <vector>

#include "keys/key_secret.hpp"
#include "keys/stanza_types/stanza_type.hpp"
#include "keys/stanzas.hpp"
#include "keys/wrapped_key.hpp"

namespace ovseal::keys {
namespace {

constexpr std::size_t salt_size = 32;
constexpr std::string_view info = "ovseal-v1 key stanza";

bool is_key_file(const Key* key) {
    return key != nullptr && key->kind() == Key::Kind::key;
}

memory::SecretBytes okm_for(const Key& key, const format::Stanza& stanza) {
    return stanza_okm(crypto::KeyView(key.secret(secret_access()).bytes), stanza.args[0], info);
}

class KeyFileStanza final : public StanzaType {
public:
    bool reads(std::string_view type) const override { return type == key_stanza_type; }
    std::string_view display_name() const override { return "key file"; }

    void check_shape(const format::Stanza& s, std::size_t) const override {
        require_shape(s.args.size() == 1 && s.args[0].size() == salt_size && s.body.size() == wrapped_key_size,
                      "a key stanza");
    }

    std::optional<format::Stanza> wrap(const StanzaRecipient& recipient, std::span<const std::uint8_t> file_key,
                                       crypto::RandomSource& random) const override {
        if (!is_key_file(recipient.key)) return std::nullopt;
        format::Stanza stanza;
        std::vector<std::uint8_t> salt(salt_size);
        random.fill(salt);
        stanza.type = key_stanza_type;
        stanza.args = {salt};
        stanza.body = wrap_with(okm_for(*recipient.key, stanza).secret(), file_key);
        return stanza;
    }

    std::optional<memory::SecretBytes> unwrap(const StanzaIdentity& identity,
                                              const format::Stanza& stanza) const override {
        if (!is_key_file(identity.key)) return std::nullopt;
        return unwrap_body(okm_for(*identity.key, stanza).secret(), stanza);
    }
};

}  // namespace

const StanzaType& key_file_stanza() {
    static const KeyFileStanza type;
    return type;
}

}  // namespace ovseal::keys
