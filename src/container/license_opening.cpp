// SPDX-License-Identifier: Apache-2.0
// Step 2b of opening; see license_opening.hpp.

#include "container/license_opening.hpp"

#include <chrono>
#include <string>

#include "keys/identity_secrets.hpp"
#include "keys/secret_file.hpp"
#include "policy/clock_guard.hpp"
#include "policy/license_record.hpp"
#include "policy/tpm_clock_guard.hpp"
#include "policy/trust_list.hpp"

namespace ovseal::container {
namespace {

std::uint64_t now_seconds(const KeyRing& ring) {
    if (ring.now) return *ring.now;
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

// §13.3: one license, against the file's claimed model id and the ring's identities (`devices`, in ring order).
OpenedLicense open_license(const std::filesystem::path& path, const format::SignatureRecord& signature,
                           const KeyRing& ring, keys::DeviceAgreements& devices, std::uint64_t now) {
    const auto bytes = keys::read_secret_file(path, 4096, "license",
                                              ErrorCode::license_invalid);  // small; holds no secret, but bounded
    const keys::License license = keys::parse_license(bytes.secret());
    const auto signer = PublisherPublicKey::from_bytes(license.signer);
    if (!policy::is_trusted(ring.trusted, signer)) {
        throw Error(ErrorCode::untrusted_signer, "the license '" + path.string() + "' is signed by key " +
                                                     signer.key_id() + ", which is not in the trust list");
    }
    if (license.model_id != signature.model_id) {
        throw Error(ErrorCode::license_wrong_model, "the license '" + path.string() + "' is for another model");
    }
    std::optional<std::size_t> device;
    for (std::size_t d = 0; d < devices.size() && !device; ++d) {
        if (devices.identity(d).public_key() == license.device) device = d;
    }
    if (!device) {
        throw Error(ErrorCode::license_wrong_device, "the license '" + path.string() + "' is for device " +
                                                         license.device.to_string() + ", not this one");
    }
    if (license.not_before != 0 && now < license.not_before) {
        throw Error(ErrorCode::license_not_yet_valid, "the license '" + path.string() + "' is valid from " +
                                                          std::to_string(license.not_before) + " (now " +
                                                          std::to_string(now) + ")");
    }
    if (license.expires != 0 && now >= license.expires) {
        throw Error(ErrorCode::license_expired, "the license '" + path.string() + "' expired at " +
                                                    std::to_string(license.expires) + " (now " + std::to_string(now) +
                                                    "); ask the publisher for a new one");
    }
    return {keys::license_file_key(license, devices.use(*device)), license.signer, *device};
}

}  // namespace

LicenseOpening open_with_licenses(const KeyRing& ring, const format::SignatureRecord& signature,
                                  keys::DeviceAgreements& devices) {
    LicenseOpening result;
    const std::uint64_t now = now_seconds(ring);
    if (ring.clock_state) {
        // With a TPM-held identity, the TPM's clock anchors the guard; otherwise the file alone does.
        std::optional<std::size_t> in_tpm;
        for (std::size_t d = 0; d < devices.size() && !in_tpm; ++d) {
            if (devices.identity(d).secret(secret_access()).tpm_tcti) in_tpm = d;
        }
        if (in_tpm) {
            check_and_advance_clock_with_tpm(*ring.clock_state, now, ring.clock_tolerance_seconds,
                                             devices.use(*in_tpm));
        } else {
            check_and_advance_clock(*ring.clock_state, now, ring.clock_tolerance_seconds);
        }
    }
    for (const auto& license : ring.licenses) {
        try {
            result.opened = open_license(license, signature, ring, devices, now);
            break;
        } catch (const Error& e) {
            if (e.code() == ErrorCode::io) throw;
            if (!result.error) result.error = e;
        }
    }
    return result;
}

}  // namespace ovseal::container
