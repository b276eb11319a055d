// SPDX-License-Identifier: Apache-2.0
// Issuing device licenses for a signed model after verifying it, and reading a license's public terms.

#include "ovseal/license.hpp"

#include "container/opened_container.hpp"
#include "crypto/crypto.hpp"
#include "crypto/random_source.hpp"
#include "policy/license_record.hpp"
#include "keys/public_key_text.hpp"
#include "keys/secret_file.hpp"
#include "ovseal/error.hpp"

namespace ovseal {

std::vector<std::vector<std::uint8_t>> issue_licenses(const std::filesystem::path& sealed, const KeyRing& ring,
                                                      const std::vector<DevicePublicKey>& devices,
                                                      const LicenseTerms& terms, const SigningKey& signer) {
    const auto header = container::read_unverified_header(sealed);
    if (!header.signature) {
        throw Error(ErrorCode::signature_required,
                    "licenses are issued only for signed models: seal the model with --sign first");
    }
    // The license binds the model id: verify every chunk and the signature (which covers the id) first.
    KeyRing check = ring;
    if (check.trusted.empty()) {
        check.trusted = {PublisherPublicKey::from_bytes(header.signature->signer)};
    }
    const auto file = container::OpenedContainer::open(sealed, check, container::OpenPurpose::republish);
    file.verify_payload();
    const auto& id = file.signature()->model_id;
    if (file.body().metadata.license_only && signer.public_key().bytes() != file.signature()->signer) {
        throw Error(ErrorCode::usage,
                    "the model is license-only: devices accept only licenses signed by the key "
                    "that signed it (" +
                        PublisherPublicKey::from_bytes(file.signature()->signer).key_id() +
                        "); sign the licenses with that key");
    }

    // One ephemeral key per batch and key type: each device's shared secret, and so each wrap key, still differs.
    crypto::SystemRandom random;
    keys::EphemeralKeys ephemeral(random);
    std::vector<std::vector<std::uint8_t>> licenses;
    licenses.reserve(devices.size());
    for (const auto& device : devices) {
        licenses.push_back(keys::issue_license(id, file.file_key(secret_access()), device, terms.not_before,
                                               terms.expires, terms.note, signer, ephemeral));
    }
    return licenses;
}

LicenseInfo inspect_license(const std::filesystem::path& path) {
    const auto bytes = keys::read_secret_file(path, 4096, "license", ErrorCode::license_invalid);
    const auto l = keys::parse_license(bytes.secret());
    return {keys::hex(l.model_id), l.device, l.not_before, l.expires, l.note, PublisherPublicKey::from_bytes(l.signer),
            bytes.size()};
}

}  // namespace ovseal
