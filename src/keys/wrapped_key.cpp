// SPDX-License-Identifier: Apache-2.0
// Wrapping and unwrapping a file key with derived key material, and the device key agreements that feed it.

#include "keys/wrapped_key.hpp"

#include <algorithm>
#include <vector>

#include "crypto/crypto.hpp"
#include "keys/device_agreement.hpp"
#include "ovseal/error.hpp"

namespace ovseal::keys {
namespace {

const std::uint8_t zero_nonce[crypto::gcm_nonce_size] = {};

bool all_zero(std::span<const std::uint8_t> b) {
    return std::all_of(b.begin(), b.end(), [](std::uint8_t v) { return v == 0; });
}

memory::SecretBytes okm_from_shared(const memory::SecretBytes& shared, std::span<const std::uint8_t> ephemeral,
                                    std::span<const std::uint8_t> device, std::string_view info) {
    std::vector<std::uint8_t> salt(ephemeral.begin(), ephemeral.end());
    salt.insert(salt.end(), device.begin(), device.end());
    memory::SecretBytes okm(64);
    crypto::hkdf_sha256(crypto::KeyView(shared), salt, info, okm.secret());
    return okm;
}

}  // namespace

std::vector<std::uint8_t> wrap_with(std::span<const std::uint8_t> okm, std::span<const std::uint8_t> file_key) {
    std::vector<std::uint8_t> wrapped(wrapped_key_size);
    std::copy_n(okm.begin() + 32, 32, wrapped.begin());
    crypto::Aes256Gcm gcm{crypto::KeyView(okm.first(32))};
    auto out = std::span(wrapped).subspan(32);
    gcm.seal(zero_nonce, {}, file_key, out.first(32), out.subspan<32, crypto::gcm_tag_size>());
    return wrapped;
}

Unwrapped unwrap_with(std::span<const std::uint8_t> okm, std::span<const std::uint8_t> wrapped) {
    if (wrapped.size() != wrapped_key_size || !crypto::equal_constant_time(okm.subspan(32, 32), wrapped.first(32))) {
        return {Unwrapped::Outcome::not_mine, {}};
    }
    memory::SecretBytes file_key(32);
    crypto::Aes256Gcm gcm{crypto::KeyView(okm.first(32))};
    const auto body = wrapped.subspan(32);
    if (!gcm.open(zero_nonce, {}, body.first(32), body.subspan<32, crypto::gcm_tag_size>(), file_key.secret())) {
        return {Unwrapped::Outcome::damaged, {}};
    }
    return {Unwrapped::Outcome::opened, std::move(file_key)};
}

const crypto::X25519Key& EphemeralKeys::x25519() {
    if (!m_x25519) {
        memory::SecretBytes scalar(32);
        m_random.fill(scalar.secret());
        m_x25519 = std::make_unique<crypto::X25519Key>(crypto::KeyView(scalar));
    }
    return *m_x25519;
}

const crypto::P256Key& EphemeralKeys::p256() {
    if (!m_p256) {
        memory::SecretBytes scalar(32);
        do {
            m_random.fill(scalar.secret());
        } while (!crypto::p256_scalar_in_range(crypto::KeyView(scalar)));
        m_p256 = std::make_unique<crypto::P256Key>(crypto::KeyView(scalar));
    }
    return *m_p256;
}

DeviceWrap device_wrap_keys(const DevicePublicKey& device, std::string_view info, EphemeralKeys& ephemeral) {
    if (device.type() == DeviceKeyType::p256) {
        const auto& key = ephemeral.p256();
        auto shared = key.agree(device.bytes());
        if (!shared) throw Error(ErrorCode::invalid_key, "the device public key is not a P-256 point");
        const auto& pub = key.public_key();
        return {{pub.begin(), pub.end()}, okm_from_shared(*shared, pub, device.bytes(), info)};
    }
    const auto& key = ephemeral.x25519();
    const auto shared = key.agree(device.bytes());
    if (all_zero(shared.secret())) {
        throw Error(ErrorCode::invalid_key, "the device public key is unusable (a low-order X25519 point)");
    }
    const auto& pub = key.public_key();
    return {{pub.begin(), pub.end()}, okm_from_shared(shared, pub, device.bytes(), info)};
}

std::optional<memory::SecretBytes> device_unwrap_keys(DeviceAgreement& device, std::span<const std::uint8_t> ephemeral,
                                                      std::string_view info) {
    const auto shared = device.shared(ephemeral);
    if (!shared) return std::nullopt;
    return okm_from_shared(*shared, ephemeral, device.identity().public_key().bytes(), info);
}

}  // namespace ovseal::keys
