// SPDX-License-Identifier: Apache-2.0
// The `scrypt` stanza (docs/FORMAT.md §7.2): a passphrase, stretched by scrypt with a work factor the stanza
// carries and a reader bounds (log2 N 16 to 20, r 8, p 1); a file holds at most one, so an open costs at most one
// scrypt.

#include <string>
#include <vector>

#include "crypto/crypto.hpp"
#include "keys/key_secret.hpp"
#include "keys/stanza_types/stanza_type.hpp"
#include "keys/stanzas.hpp"
#include "keys/wrapped_key.hpp"
#include "ovseal/error.hpp"

namespace ovseal::keys {
namespace {

constexpr std::size_t salt_size = 32;
constexpr unsigned scrypt_r = 8;
constexpr unsigned scrypt_p = 1;
constexpr std::string_view info = "ovseal-v1 scrypt stanza";
constexpr std::string_view salt_label = "ovseal-v1 scrypt";

bool is_passphrase(const Key* key) {
    return key != nullptr && key->kind() == Key::Kind::passphrase;
}

memory::SecretBytes okm_for(const Key& passphrase, const format::Stanza& stanza) {
    std::vector<std::uint8_t> labelled_salt(salt_label.begin(), salt_label.end());
    labelled_salt.insert(labelled_salt.end(), stanza.args[0].begin(), stanza.args[0].end());
    memory::SecretBytes k(32);
    crypto::scrypt(crypto::KeyView(passphrase.secret(secret_access()).bytes), labelled_salt, stanza.args[1][0],
                   scrypt_r, scrypt_p, k.secret());
    return stanza_okm(crypto::KeyView(k), {}, info);
}

class PassphraseStanza final : public StanzaType {
public:
    bool reads(std::string_view type) const override { return type == scrypt_stanza_type; }
    std::string_view display_name() const override { return "passphrase"; }

    void check_shape(const format::Stanza& s, std::size_t earlier) const override {
        if (earlier > 0) {
            throw Error(ErrorCode::malformed_header, "header is malformed: more than one passphrase stanza");
        }
        require_shape(s.args.size() == 2 && s.args[0].size() == salt_size && s.args[1].size() == 3 &&
                          s.body.size() == wrapped_key_size,
                      "a passphrase stanza");
        const auto& p = s.args[1];
        if (p[0] < min_scrypt_log2_n || p[0] > max_scrypt_log2_n || p[1] != scrypt_r || p[2] != scrypt_p) {
            throw Error(ErrorCode::malformed_header,
                        "header is malformed: passphrase stanza parameters are outside the allowed range (log2 N " +
                            std::to_string(min_scrypt_log2_n) + ".." + std::to_string(max_scrypt_log2_n) + ", r " +
                            std::to_string(scrypt_r) + ", p " + std::to_string(scrypt_p) + ")");
        }
    }

    std::optional<format::Stanza> wrap(const StanzaRecipient& recipient, std::span<const std::uint8_t> file_key,
                                       crypto::RandomSource& random) const override {
        if (!is_passphrase(recipient.key)) return std::nullopt;
        format::Stanza stanza;
        std::vector<std::uint8_t> salt(salt_size);
        random.fill(salt);
        const unsigned log2_n = recipient.scrypt_log2_n;
        if (log2_n < min_scrypt_log2_n || log2_n > max_scrypt_log2_n) {
            throw Error(ErrorCode::usage, "the scrypt work factor log2(N) must be between " +
                                              std::to_string(min_scrypt_log2_n) + " and " +
                                              std::to_string(max_scrypt_log2_n));
        }
        stanza.type = scrypt_stanza_type;
        stanza.args = {salt, {static_cast<std::uint8_t>(log2_n), scrypt_r, scrypt_p}};
        stanza.body = wrap_with(okm_for(*recipient.key, stanza).secret(), file_key);
        return stanza;
    }

    std::optional<memory::SecretBytes> unwrap(const StanzaIdentity& identity,
                                              const format::Stanza& stanza) const override {
        if (!is_passphrase(identity.key)) return std::nullopt;
        return unwrap_body(okm_for(*identity.key, stanza).secret(), stanza);
    }
};

}  // namespace

const StanzaType& passphrase_stanza() {
    static const PassphraseStanza type;
    return type;
}

}  // namespace ovseal::keys
