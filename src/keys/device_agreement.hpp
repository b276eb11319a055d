// SPDX-License-Identifier: Apache-2.0
#pragma once

// One device identity's key agreements during one open (docs/FORMAT.md §7.4): every stanza it tries, a license
// and the TPM-anchored clock guard. A key in a TPM is loaded at the first agreement and kept for the others (one
// TPM connection, storage primary, loaded key and salted session per open, not one per stanza) and flushed when
// this goes; X25519 keys and P-256 keys in software agree in memory.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "memory/secret_bytes.hpp"
#include "ovseal/identity.hpp"
#include "tpm/tpm.hpp"

namespace ovseal::keys {

class DeviceAgreement {
public:
    explicit DeviceAgreement(DeviceIdentity identity);
    ~DeviceAgreement();
    DeviceAgreement(DeviceAgreement&&) noexcept;
    DeviceAgreement& operator=(DeviceAgreement&&) = delete;

    const DeviceIdentity& identity() const noexcept { return m_identity; }

    /// The shared secret with `ephemeral` as stanzas and licenses carry it (X25519: 32 bytes, the X25519
    /// result; P-256: a 33-byte compressed point, the x-coordinate of d * ephemeral), or nothing if the key is
    /// unusable (an all-zero X25519 result, a point not on the curve). A TPM's errors propagate.
    std::optional<memory::SecretBytes> shared(std::span<const std::uint8_t> ephemeral);

    /// The TPM clock of a TPM-held identity's TPM (both forms), on the same connection.
    std::uint64_t tpm_clock();

    /// Flushes the loaded key and closes the connection (the next agreement sets them up again).
    void release_tpm() noexcept;

private:
    tpm::Tpm& tpm();

    DeviceIdentity m_identity;
    std::unique_ptr<tpm::Tpm> m_tpm;               // connected at the first TPM use
    std::unique_ptr<tpm::Tpm::EcdhKey> m_tpm_key;  // loaded at the first agreement; flushed before m_tpm goes
};

/// The agreements of every identity of a key ring during one open. At most one identity's TPM key is loaded at a
/// time, because a TPM reached without a resource manager has about three object slots: using another TPM-held
/// P-256 identity releases the one before (a new set-up, which the bound of §7.4 keeps rare).
class DeviceAgreements {
public:
    explicit DeviceAgreements(const std::vector<DeviceIdentity>& identities);
    std::size_t size() const noexcept { return m_devices.size(); }
    const DeviceIdentity& identity(std::size_t index) const { return m_devices.at(index).identity(); }
    /// Identity `index`'s agreement, for its next agreements.
    DeviceAgreement& use(std::size_t index);
    /// Flushes every TPM object.
    void release() noexcept;

private:
    std::vector<DeviceAgreement> m_devices;
    std::optional<std::size_t> m_in_tpm;  // the identity whose TPM key may be loaded
};

}  // namespace ovseal::keys
