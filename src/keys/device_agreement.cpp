// SPDX-License-Identifier: Apache-2.0
// One device identity's key agreements during an open, reusing one loaded TPM key for every stanza it tries.

#include "keys/device_agreement.hpp"

#include <algorithm>

#include "crypto/crypto.hpp"
#include "crypto/p256.hpp"
#include "keys/identity_secrets.hpp"
#include "ovseal/error.hpp"

namespace ovseal::keys {

DeviceAgreement::DeviceAgreement(DeviceIdentity identity) : m_identity(std::move(identity)) {}

DeviceAgreement::~DeviceAgreement() {
    m_tpm_key.reset();  // flushed on the connection it was loaded on
}

DeviceAgreement::DeviceAgreement(DeviceAgreement&&) noexcept = default;

tpm::Tpm& DeviceAgreement::tpm() {
    const auto& tcti = m_identity.secret(secret_access()).tpm_tcti;
    if (!tcti) throw Error(ErrorCode::internal, "a TPM operation for an identity that is not in a TPM");
    if (!m_tpm) m_tpm = std::make_unique<tpm::Tpm>(*tcti);
    return *m_tpm;
}

std::optional<memory::SecretBytes> DeviceAgreement::shared(std::span<const std::uint8_t> ephemeral) {
    const auto& secret = m_identity.secret(secret_access());
    if (m_identity.public_key().type() == DeviceKeyType::x25519) {
        auto result = crypto::x25519_shared(crypto::KeyView(secret.private_key), ephemeral);
        const auto bytes = result.secret();
        if (std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; })) return std::nullopt;
        return result;
    }
    if (secret.p256) return secret.p256->agree(ephemeral);
    const auto affine = crypto::p256_decompress(ephemeral);
    if (!affine) return std::nullopt;
    if (!m_tpm_key) {
        auto& connection = tpm();
        m_tpm_key = std::make_unique<tpm::Tpm::EcdhKey>(connection, secret.tpm_p256->blob);
    }
    return m_tpm_key->agree(*affine);
}

std::uint64_t DeviceAgreement::tpm_clock() {
    return tpm().read_clock();
}

void DeviceAgreement::release_tpm() noexcept {
    m_tpm_key.reset();
    m_tpm.reset();
}

DeviceAgreements::DeviceAgreements(const std::vector<DeviceIdentity>& identities) {
    m_devices.reserve(identities.size());
    for (const auto& identity : identities) m_devices.emplace_back(identity);
}

DeviceAgreement& DeviceAgreements::use(std::size_t index) {
    auto& device = m_devices.at(index);
    // Only a P-256 key held by a TPM keeps objects loaded there (a sealed X25519 key is unsealed when loaded).
    if (device.identity().secret(secret_access()).tpm_p256 && m_in_tpm != index) {
        if (m_in_tpm) m_devices[*m_in_tpm].release_tpm();
        m_in_tpm = index;
    }
    return device;
}

void DeviceAgreements::release() noexcept {
    for (auto& device : m_devices) device.release_tpm();
    m_in_tpm.reset();
}

}  // namespace ovseal::keys
