#include "keys/stanzas.hpp"

#include <string>

#include "crypto/crypto.hpp"
#include "keys/device_agreement.hpp"
#include "keys/key_secret.hpp"
#include "keys/wrapped_key.hpp"
#include "ovseal/error.hpp"

namespace ovseal::keys {
namespace {

constexpr std::size_t salt_size = 32;
constexpr unsigned scrypt_r = 8;
constexpr unsigned scrypt_p = 1;

constexpr std::string_view key_stanza_info = "ovseal-v1 key stanza";
constexpr std::string_view scrypt_stanza_info = "ovseal-v1 scrypt stanza";
constexpr std::string_view x25519_stanza_info = "ovseal-v1 x25519 stanza";
constexpr std::string_view p256_stanza_info = "ovseal-v1 p256 stanza";
constexpr std::string_view scrypt_salt_label = "ovseal-v1 scrypt";

memory::SecretBytes derive_okm(std::span<const std::uint8_t> k, std::span<const std::uint8_t> salt,
                               std::string_view info) {
    memory::SecretBytes okm(64);
    crypto::hkdf_sha256(k, salt, info, okm.secret());
    return okm;
}

memory::SecretBytes okm_for(const Key& key, const format::Stanza& stanza) {
    if (key.kind() == Key::Kind::key) {
        return derive_okm(key.secret().bytes.secret(), stanza.args[0], key_stanza_info);
    }
    std::vector<std::uint8_t> labelled_salt(scrypt_salt_label.begin(), scrypt_salt_label.end());
    labelled_salt.insert(labelled_salt.end(), stanza.args[0].begin(), stanza.args[0].end());
    memory::SecretBytes k(32);
    crypto::scrypt(key.secret().bytes.secret(), labelled_salt, stanza.args[1][0], scrypt_r, scrypt_p, k.secret());
    return derive_okm(k.secret(), {}, scrypt_stanza_info);
}

std::optional<memory::SecretBytes> finish_unwrap(std::span<const std::uint8_t> okm, const format::Stanza& stanza) {
    auto result = unwrap_with(okm, stanza.body);
    switch (result.outcome) {
    case Unwrapped::Outcome::not_mine: return std::nullopt;
    case Unwrapped::Outcome::opened: return std::move(result.file_key);
    case Unwrapped::Outcome::damaged: break;
    }
    throw Error(ErrorCode::header_auth_failed, "header authentication failed: the " + stanza.type +
                                                   " stanza matches this key but its wrapped file key was modified");
}

void require_shape(bool ok, const char* what) {
    if (!ok) {
        throw Error(ErrorCode::malformed_header, std::string("header is malformed: ") + what + " has the wrong shape");
    }
}

}  // namespace

format::Stanza wrap_file_key(const Key& recipient, std::span<const std::uint8_t> file_key, unsigned scrypt_log2_n,
                             crypto::RandomSource& random) {
    format::Stanza stanza;
    std::vector<std::uint8_t> salt(salt_size);
    random.fill(salt);
    if (recipient.kind() == Key::Kind::key) {
        stanza.type = key_stanza_type;
        stanza.args = {salt};
    } else {
        if (scrypt_log2_n < min_scrypt_log2_n || scrypt_log2_n > max_scrypt_log2_n) {
            throw Error(ErrorCode::usage, "the scrypt work factor log2(N) must be between 16 and 20");
        }
        stanza.type = scrypt_stanza_type;
        stanza.args = {salt, {static_cast<std::uint8_t>(scrypt_log2_n), scrypt_r, scrypt_p}};
    }
    stanza.body = wrap_with(okm_for(recipient, stanza).secret(), file_key);
    return stanza;
}

format::Stanza wrap_file_key(const DevicePublicKey& device, std::span<const std::uint8_t> file_key,
                             crypto::RandomSource& random) {
    const bool p256 = device.type() == DeviceKeyType::p256;
    EphemeralKeys ephemeral(random);  // one per stanza
    const auto keys = device_wrap_keys(device, p256 ? p256_stanza_info : x25519_stanza_info, ephemeral);
    format::Stanza stanza;
    stanza.type = p256 ? p256_stanza_type : x25519_stanza_type;
    stanza.args = {keys.ephemeral};
    stanza.body = wrap_with(keys.okm.secret(), file_key);
    return stanza;
}

std::optional<memory::SecretBytes> unwrap_file_key(const Key& identity, const format::Stanza& stanza) {
    const bool mine = (identity.kind() == Key::Kind::key && stanza.type == key_stanza_type) ||
                      (identity.kind() == Key::Kind::passphrase && stanza.type == scrypt_stanza_type);
    if (!mine) {
        return std::nullopt;
    }
    return finish_unwrap(okm_for(identity, stanza).secret(), stanza);
}

std::optional<memory::SecretBytes> unwrap_file_key(DeviceAgreement& device, const format::Stanza& stanza) {
    const bool p256 = device.identity().public_key().type() == DeviceKeyType::p256;
    if (stanza.type != (p256 ? p256_stanza_type : x25519_stanza_type)) {
        return std::nullopt;
    }
    const auto okm = device_unwrap_keys(device, stanza.args[0], p256 ? p256_stanza_info : x25519_stanza_info);
    if (!okm) {
        throw Error(ErrorCode::malformed_header, p256 ? "header is malformed: a p256 stanza's ephemeral key is not a "
                                                        "point on the curve"
                                                      : "header is malformed: an x25519 stanza has a low-order "
                                                        "ephemeral key");
    }
    return finish_unwrap(okm->secret(), stanza);
}

std::optional<memory::SecretBytes> unwrap_file_key(const DeviceIdentity& identity, const format::Stanza& stanza) {
    DeviceAgreement device(identity);
    return unwrap_file_key(device, stanza);
}

void check_known_stanzas(const std::vector<format::Stanza>& stanzas) {
    int scrypt_stanzas = 0;
    for (const auto& s : stanzas) {
        if (s.type == key_stanza_type) {
            require_shape(s.args.size() == 1 && s.args[0].size() == salt_size && s.body.size() == wrapped_key_size,
                          "a key stanza");
        } else if (s.type == x25519_stanza_type) {
            require_shape(s.args.size() == 1 && s.args[0].size() == 32 && s.body.size() == wrapped_key_size,
                          "an x25519 stanza");
        } else if (s.type == p256_stanza_type) {
            require_shape(s.args.size() == 1 && s.args[0].size() == 33 && s.body.size() == wrapped_key_size,
                          "a p256 stanza");
        } else if (s.type == scrypt_stanza_type) {
            if (++scrypt_stanzas > 1) {
                throw Error(ErrorCode::malformed_header, "header is malformed: more than one passphrase stanza");
            }
            require_shape(s.args.size() == 2 && s.args[0].size() == salt_size && s.args[1].size() == 3 &&
                              s.body.size() == wrapped_key_size,
                          "a passphrase stanza");
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
