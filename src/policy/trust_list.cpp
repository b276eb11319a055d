// SPDX-License-Identifier: Apache-2.0
// The trust list's decisions when opening; see trust_list.hpp.

#include "policy/trust_list.hpp"

#include <algorithm>

namespace ovseal::policy {

void check_ring_policy(const KeyRing& ring) {
    if (!ring.trusted.empty()) return;
    if (!ring.licenses.empty()) {
        throw Error(ErrorCode::usage,
                    "licenses are accepted only from trusted publishers: give the publisher's "
                    "public key with --trust PUBLISHER.pub");
    }
    if (!ring.identities.empty() && !ring.allow_unsigned_device_files) {
        throw Error(ErrorCode::usage,
                    "a device identity opens only models signed by a trusted publisher: give --trust PUBLISHER.pub "
                    "(or --allow-unsigned for an unsigned model sealed to this device)");
    }
}

bool is_trusted(const std::vector<PublisherPublicKey>& trusted, const PublisherPublicKey& key) {
    return std::find(trusted.begin(), trusted.end(), key) != trusted.end();
}

TrustedSignature require_trusted_signature(std::vector<std::uint8_t> trailer,
                                           const std::vector<PublisherPublicKey>& trusted) {
    const auto parsed = format::parse_trailer(trailer);
    if (!parsed.signature) {
        throw Error(ErrorCode::signature_required,
                    "the model is not signed, and a trust list was given: only models signed by a trusted publisher "
                    "are opened");
    }
    const auto claimed = PublisherPublicKey::from_bytes(parsed.signature->signer);
    const auto found = std::find(trusted.begin(), trusted.end(), claimed);
    if (found == trusted.end()) {
        throw Error(ErrorCode::untrusted_signer,
                    "the model is signed by key " + claimed.key_id() + ", which is not in the trust list");
    }
    return {std::move(trailer), *parsed.signature, *found};
}

void check_license_only(const TrustedSignature& trusted, const std::optional<PublicKeyBytes>& license_signer,
                        const std::optional<Error>& license_error) {
    if (license_signer && *license_signer == trusted.signer.bytes()) return;
    if (license_signer) {
        throw Error(ErrorCode::license_required,
                    "the publisher sealed this model to open only through a license it signed itself, and this "
                    "license is signed by key " +
                        PublisherPublicKey::from_bytes(*license_signer).key_id() +
                        ", not by the model's publisher key " + trusted.signer.key_id());
    }
    if (license_error) throw *license_error;  // the reader's own license failed: that is what to fix
    throw Error(ErrorCode::license_required,
                "the publisher sealed this model to open only through a license: give this device's license "
                "(--license) and identity; a key file, passphrase or device key does not open it under a trust list");
}

void verify_trusted_signature(const PublisherPublicKey& signer, const std::optional<format::SignatureRecord>& record,
                              std::span<const std::uint8_t> message, const crypto::Bytes32& message_model_id) {
    if (!record || record->signer != signer.bytes() || message_model_id != record->model_id ||
        !crypto::ed25519_verify(signer.bytes(), message, record->signature)) {
        throw Error(ErrorCode::bad_signature,
                    "the publisher signature does not verify: the model was changed after it was signed");
    }
}

}  // namespace ovseal::policy
