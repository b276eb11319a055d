#include "keys/stanzas.hpp"

#include <algorithm>
#include <string>

#include "crypto/crypto.hpp"
#include "keys/device_agreement.hpp"
#include "keys/key_secret.hpp"
#include "keys/public_key_text.hpp"
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
    crypto::hkdf_sha256(crypto::KeyView(k), salt, info, okm.secret());
    return okm;
}

memory::SecretBytes okm_for(const Key& key, const format::Stanza& stanza) {
    if (key.kind() == Key::Kind::key) {
        return derive_okm(key.secret().bytes.secret(), stanza.args[0], key_stanza_info);
    }
    std::vector<std::uint8_t> labelled_salt(scrypt_salt_label.begin(), scrypt_salt_label.end());
    labelled_salt.insert(labelled_salt.end(), stanza.args[0].begin(), stanza.args[0].end());
    memory::SecretBytes k(32);
    crypto::scrypt(crypto::KeyView(key.secret().bytes), labelled_salt, stanza.args[1][0], scrypt_r, scrypt_p, k.secret());
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

bool tagged_type(std::string_view type) {
    return type == x25519_tagged_stanza_type || type == p256_tagged_stanza_type;
}

// The ephemeral key argument: after the tag in a tagged stanza.
std::span<const std::uint8_t> ephemeral_of(const format::Stanza& stanza) {
    return stanza.args[tagged_type(stanza.type) ? 1 : 0];
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

RecipientTag recipient_tag(const DevicePublicKey& device) {
    const auto digest = key_id_digest(device.bytes());  // the first 4 bytes of the key id (§12.3)
    RecipientTag tag{};
    std::copy_n(digest.begin(), tag.size(), tag.begin());
    return tag;
}

format::Stanza wrap_file_key(const DevicePublicKey& device, std::span<const std::uint8_t> file_key,
                             crypto::RandomSource& random, DeviceStanzaForm form) {
    const bool p256 = device.type() == DeviceKeyType::p256;
    EphemeralKeys ephemeral(random);  // one per stanza
    const auto keys = device_wrap_keys(device, p256 ? p256_stanza_info : x25519_stanza_info, ephemeral);
    format::Stanza stanza;
    if (form == DeviceStanzaForm::tagged) {
        const auto tag = recipient_tag(device);
        stanza.type = p256 ? p256_tagged_stanza_type : x25519_tagged_stanza_type;
        stanza.args = {{tag.begin(), tag.end()}, keys.ephemeral};
    } else {
        stanza.type = p256 ? p256_stanza_type : x25519_stanza_type;
        stanza.args = {keys.ephemeral};
    }
    stanza.body = wrap_with(keys.okm.secret(), file_key);
    return stanza;
}

void refuse_repeated_devices(const std::vector<DevicePublicKey>& devices, const std::vector<format::Stanza>& existing) {
    for (std::size_t i = 0; i < devices.size(); ++i) {
        if (std::find(devices.begin(), devices.begin() + static_cast<std::ptrdiff_t>(i), devices[i]) !=
            devices.begin() + static_cast<std::ptrdiff_t>(i)) {
            throw Error(ErrorCode::usage, "the device " + devices[i].to_string() +
                                              " is given twice: a file holds one stanza per device");
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
    return type == DeviceKeyType::p256
               ? stanza.type == p256_stanza_type || stanza.type == p256_tagged_stanza_type
               : stanza.type == x25519_stanza_type || stanza.type == x25519_tagged_stanza_type;
}

std::optional<RecipientTag> stanza_tag(const format::Stanza& stanza) {
    if (!tagged_type(stanza.type) || stanza.args.empty() || stanza.args[0].size() != recipient_tag_size) {
        return std::nullopt;
    }
    RecipientTag tag{};
    std::copy(stanza.args[0].begin(), stanza.args[0].end(), tag.begin());
    return tag;
}

DeviceStanzaChoice choose_device_stanzas(const DevicePublicKey& device, const std::vector<format::Stanza>& stanzas) {
    DeviceStanzaChoice choice;
    choice.tries.assign(stanzas.size(), false);
    const auto own = recipient_tag(device);
    std::vector<std::size_t> tagged;    // tagged with this device's tag
    std::vector<std::size_t> untagged;  // of revisions 2 to 4: anyone's of this key type
    for (std::size_t i = 0; i < stanzas.size(); ++i) {
        if (!is_device_stanza_for(device.type(), stanzas[i])) continue;
        const auto tag = stanza_tag(stanzas[i]);
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
        // An untagged X25519 stanza costs one X25519 in memory: all are tried, uncounted, so that older files
        // sealed to many X25519 devices keep opening on every one of them.
        if (device.type() == DeviceKeyType::x25519) {
            choice.tries[i] = true;
        } else {
            take(i);
        }
    }
    return choice;
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
    const auto& pub = device.identity().public_key();
    const bool p256 = pub.type() == DeviceKeyType::p256;
    if (!is_device_stanza_for(pub.type(), stanza)) {
        return std::nullopt;
    }
    if (const auto tag = stanza_tag(stanza); tag && *tag != recipient_tag(pub)) {
        return std::nullopt;  // tagged for another device
    }
    const auto okm = device_unwrap_keys(device, ephemeral_of(stanza), p256 ? p256_stanza_info : x25519_stanza_info);
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
        } else if (s.type == x25519_tagged_stanza_type) {
            require_shape(s.args.size() == 2 && s.args[0].size() == recipient_tag_size && s.args[1].size() == 32 &&
                              s.body.size() == wrapped_key_size,
                          "an x25519-tagged stanza");
        } else if (s.type == p256_tagged_stanza_type) {
            require_shape(s.args.size() == 2 && s.args[0].size() == recipient_tag_size && s.args[1].size() == 33 &&
                              s.body.size() == wrapped_key_size,
                          "a p256-tagged stanza");
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
