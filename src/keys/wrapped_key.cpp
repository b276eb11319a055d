#include "keys/wrapped_key.hpp"

#include <algorithm>

#include "crypto/crypto.hpp"
#include "keys/identity_secrets.hpp"
#include "ovseal/error.hpp"

namespace ovseal::keys {
namespace {

const std::uint8_t zero_nonce[crypto::gcm_nonce_size] = {};

bool all_zero(std::span<const std::uint8_t> b) {
    return std::all_of(b.begin(), b.end(), [](std::uint8_t v) { return v == 0; });
}

memory::SecretBytes okm_from_shared(const memory::SecretBytes& shared, const PublicKeyBytes& ephemeral,
                                    const PublicKeyBytes& device, std::string_view info) {
    std::uint8_t salt[64];
    std::copy(ephemeral.begin(), ephemeral.end(), salt);
    std::copy(device.begin(), device.end(), salt + 32);
    memory::SecretBytes okm(64);
    crypto::hkdf_sha256(shared.secret(), salt, info, okm.secret());
    return okm;
}

}  // namespace

std::vector<std::uint8_t> wrap_with(std::span<const std::uint8_t> okm, std::span<const std::uint8_t> file_key) {
    std::vector<std::uint8_t> wrapped(wrapped_key_size);
    std::copy_n(okm.begin() + 32, 32, wrapped.begin());
    crypto::Aes256Gcm gcm(okm.first(32));
    auto out = std::span(wrapped).subspan(32);
    gcm.seal(zero_nonce, {}, file_key, out.first(32), out.subspan<32, crypto::gcm_tag_size>());
    return wrapped;
}

Unwrapped unwrap_with(std::span<const std::uint8_t> okm, std::span<const std::uint8_t> wrapped) {
    if (wrapped.size() != wrapped_key_size || !crypto::equal_constant_time(okm.subspan(32, 32), wrapped.first(32))) {
        return {Unwrapped::Outcome::not_mine, {}};
    }
    memory::SecretBytes file_key(32);
    crypto::Aes256Gcm gcm(okm.first(32));
    const auto body = wrapped.subspan(32);
    if (!gcm.open(zero_nonce, {}, body.first(32), body.subspan<32, crypto::gcm_tag_size>(), file_key.secret())) {
        return {Unwrapped::Outcome::damaged, {}};
    }
    return {Unwrapped::Outcome::opened, std::move(file_key)};
}

DeviceWrap device_wrap_keys(const PublicKeyBytes& device, std::string_view info, crypto::RandomSource& random) {
    memory::SecretBytes ephemeral_private(32);
    random.fill(ephemeral_private.secret());
    return device_wrap_keys(device, info, crypto::X25519Key(ephemeral_private.secret()));
}

DeviceWrap device_wrap_keys(const PublicKeyBytes& device, std::string_view info, const crypto::X25519Key& ephemeral) {
    const auto shared = ephemeral.agree(device);
    if (all_zero(shared.secret())) {
        throw Error(ErrorCode::invalid_key, "the device public key is unusable (a low-order X25519 point)");
    }
    return {ephemeral.public_key(), okm_from_shared(shared, ephemeral.public_key(), device, info)};
}

std::optional<memory::SecretBytes> device_unwrap_keys(const DeviceIdentity& identity, const PublicKeyBytes& ephemeral,
                                                      std::string_view info) {
    const auto shared = crypto::x25519_shared(identity.secret().private_key.secret(), ephemeral);
    if (all_zero(shared.secret())) {
        return std::nullopt;
    }
    return okm_from_shared(shared, ephemeral, identity.public_key().bytes(), info);
}

}  // namespace ovseal::keys
