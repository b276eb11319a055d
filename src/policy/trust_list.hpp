// SPDX-License-Identifier: Apache-2.0
#pragma once

// The trust list's decisions when opening (docs/FORMAT.md §9 steps 2a, 5a and 7a, §12.3): which key rings need one,
// whether a file's signer is in it, whether a license-only file may open, and whether the signature verifies. The
// container reads every byte these decisions depend on, once, and hands that copy here: the trailer read at step 2a
// is the only one any later step uses, and the signature is verified under the trusted key chosen then, by value.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "crypto/crypto.hpp"
#include "format/header.hpp"
#include "ovseal/error.hpp"
#include "ovseal/identity.hpp"

namespace ovseal::policy {

/// Licenses, and device identities without allow_unsigned_device_files, open nothing without a trust list:
/// throws usage for such a ring.
void check_ring_policy(const KeyRing& ring);

/// True if `key` is in the trust list (whole keys are compared, never key ids).
bool is_trusted(const std::vector<PublisherPublicKey>& trusted, const PublisherPublicKey& key);

/// Step 2a: what a file signed by a trusted key carries. Nothing is authenticated yet; that happens at step 7a,
/// when every chunk has been hashed, against `signer` and this `record`.
struct TrustedSignature {
    std::vector<std::uint8_t> trailer;  // the trailer's bytes, the only copy any later step uses
    format::SignatureRecord record;
    PublisherPublicKey signer;  // the trust list's own key, by value
};
/// Keeps `trailer` (as read once) if it holds a signature by a key of `trusted`; throws signature_required or
/// untrusted_signer otherwise.
TrustedSignature require_trusted_signature(std::vector<std::uint8_t> trailer,
                                           const std::vector<PublisherPublicKey>& trusted);

/// Step 5a: a license-only file opens under a trust list only with a license signed by the file's own signer: a
/// copy re-wrapped by whoever learnt the file key, or licenses its holder signed with a key of its own, stay shut.
/// `license_signer` is the signer of the license that opened the file, if one did; `license_error` the first
/// license's failure, if any.
void check_license_only(const TrustedSignature& trusted, const std::optional<PublicKeyBytes>& license_signer,
                        const std::optional<Error>& license_error);

/// Step 7a: the signature record of the trailer read at step 2a verifies under `signer` (the trusted key chosen
/// then) over `message`, whose model id is `message_model_id`. Throws bad_signature.
void verify_trusted_signature(const PublisherPublicKey& signer, const std::optional<format::SignatureRecord>& record,
                              std::span<const std::uint8_t> message, const crypto::Bytes32& message_model_id);

}  // namespace ovseal::policy
