#include "keys/stanzas.hpp"

#include <string>
#include <string_view>

#include "crypto/crypto.hpp"
#include "keys/key_secret.hpp"
#include "ovseal/error.hpp"

namespace ovseal::keys {
namespace {

constexpr std::string_view key_type = "key";
constexpr std::string_view scrypt_type = "scrypt";
constexpr std::size_t salt_size = 32;
constexpr std::size_t body_size = 32 + 32 + crypto::gcm_tag_size;
constexpr unsigned scrypt_r = 8;
constexpr unsigned scrypt_p = 1;

constexpr std::string_view key_stanza_info = "ovseal-v1 key stanza";
constexpr std::string_view scrypt_stanza_info = "ovseal-v1 scrypt stanza";
constexpr std::string_view scrypt_salt_label = "ovseal-v1 scrypt";

// okm[0:32] wraps the file key, okm[32:64] commits to the stanza key (FORMAT.md §7).
struct StanzaKeys {
    memory::SecretBytes okm{64};
    std::span<const std::uint8_t> wrap_key() const { return okm.secret().first(32); }
    std::span<const std::uint8_t> commitment() const { return okm.secret().subspan(32, 32); }
};

StanzaKeys derive_stanza_keys(std::span<const std::uint8_t> k, std::span<const std::uint8_t> salt,
                              std::string_view info) {
    StanzaKeys keys;
    crypto::hkdf_sha256(k, salt, info, keys.okm.secret());
    return keys;
}

memory::SecretBytes scrypt_stanza_secret(const Key& passphrase, std::span<const std::uint8_t> salt,
                                         unsigned log2_n) {
    std::vector<std::uint8_t> labelled_salt(scrypt_salt_label.begin(), scrypt_salt_label.end());
    labelled_salt.insert(labelled_salt.end(), salt.begin(), salt.end());
    memory::SecretBytes k(32);
    crypto::scrypt(passphrase.secret().bytes.secret(), labelled_salt, log2_n, scrypt_r, scrypt_p, k.secret());
    return k;
}

StanzaKeys stanza_keys_for(const Key& key, const format::Stanza& stanza) {
    if (key.kind() == Key::Kind::key) {
        return derive_stanza_keys(key.secret().bytes.secret(), stanza.args[0], key_stanza_info);
    }
    const auto& params = stanza.args[1];
    auto k = scrypt_stanza_secret(key, stanza.args[0], params[0]);
    return derive_stanza_keys(k.secret(), {}, scrypt_stanza_info);
}

const std::uint8_t zero_nonce[crypto::gcm_nonce_size] = {};

}  // namespace

format::Stanza wrap_file_key(const Key& recipient, std::span<const std::uint8_t> file_key, unsigned scrypt_log2_n,
                             crypto::RandomSource& random) {
    format::Stanza stanza;
    std::vector<std::uint8_t> salt(salt_size);
    random.fill(salt);
    if (recipient.kind() == Key::Kind::key) {
        stanza.type = key_type;
        stanza.args = {salt};
    } else {
        if (scrypt_log2_n < min_scrypt_log2_n || scrypt_log2_n > max_scrypt_log2_n) {
            throw Error(ErrorCode::usage, "the scrypt work factor log2(N) must be between 16 and 20");
        }
        stanza.type = scrypt_type;
        stanza.args = {salt, {static_cast<std::uint8_t>(scrypt_log2_n), scrypt_r, scrypt_p}};
    }
    const StanzaKeys keys = stanza_keys_for(recipient, stanza);
    stanza.body.resize(body_size);
    std::copy(keys.commitment().begin(), keys.commitment().end(), stanza.body.begin());
    crypto::Aes256Gcm gcm(keys.wrap_key());
    auto out = std::span(stanza.body).subspan(32);
    gcm.seal(zero_nonce, {}, file_key, out.first(32), out.subspan<32, crypto::gcm_tag_size>());
    return stanza;
}

std::optional<memory::SecretBytes> unwrap_file_key(const Key& identity, const format::Stanza& stanza) {
    const bool mine = (identity.kind() == Key::Kind::key && stanza.type == key_type) ||
                      (identity.kind() == Key::Kind::passphrase && stanza.type == scrypt_type);
    if (!mine) {
        return std::nullopt;
    }
    const StanzaKeys keys = stanza_keys_for(identity, stanza);
    const auto body = std::span<const std::uint8_t>(stanza.body);
    if (!crypto::equal_constant_time(keys.commitment(), body.first(32))) {
        return std::nullopt;
    }
    memory::SecretBytes file_key(32);
    crypto::Aes256Gcm gcm(keys.wrap_key());
    const auto wrapped = body.subspan(32);
    if (!gcm.open(zero_nonce, {}, wrapped.first(32), wrapped.subspan<32, crypto::gcm_tag_size>(),
                  file_key.secret())) {
        throw Error(ErrorCode::header_auth_failed,
                    "header authentication failed: the " + stanza.type +
                        " stanza matches this key but its wrapped file key was modified");
    }
    return file_key;
}

void check_known_stanzas(const std::vector<format::Stanza>& stanzas) {
    int scrypt_stanzas = 0;
    for (const auto& s : stanzas) {
        if (s.type == key_type) {
            if (s.args.size() != 1 || s.args[0].size() != salt_size || s.body.size() != body_size) {
                throw Error(ErrorCode::malformed_header, "header is malformed: a key stanza has the wrong shape");
            }
        } else if (s.type == scrypt_type) {
            if (++scrypt_stanzas > 1) {
                throw Error(ErrorCode::malformed_header, "header is malformed: more than one passphrase stanza");
            }
            if (s.args.size() != 2 || s.args[0].size() != salt_size || s.args[1].size() != 3 ||
                s.body.size() != body_size) {
                throw Error(ErrorCode::malformed_header,
                            "header is malformed: a passphrase stanza has the wrong shape");
            }
            const auto& p = s.args[1];
            if (p[0] < min_scrypt_log2_n || p[0] > max_scrypt_log2_n || p[1] != scrypt_r || p[2] != scrypt_p) {
                throw Error(ErrorCode::malformed_header,
                            "header is malformed: passphrase stanza parameters are outside the allowed range "
                            "(log2 N 16..20, r 8, p 1)");
            }
        }
    }
}

}  // namespace ovseal::keys
