// SPDX-License-Identifier: Apache-2.0
// Issuing licenses (docs/FORMAT.md §13.2): the publisher's side, left out of the device runtime (ovseal_runtime).

#include "format/byte_io.hpp"
#include "keys/device_agreement.hpp"
#include "keys/identity_secrets.hpp"
#include "keys/wrapped_key.hpp"
#include "ovseal/error.hpp"
#include "policy/license_layout.hpp"
#include "policy/license_record.hpp"

namespace ovseal::keys {

std::vector<std::uint8_t> issue_license(const std::array<std::uint8_t, 32>& model_id,
                                        std::span<const std::uint8_t> file_key, const DevicePublicKey& device,
                                        std::uint64_t not_before, std::uint64_t expires, const std::string& note,
                                        const SigningKey& signer, crypto::RandomSource& random) {
    EphemeralKeys ephemeral(random);
    return issue_license(model_id, file_key, device, not_before, expires, note, signer, ephemeral);
}

std::vector<std::uint8_t> issue_license(const std::array<std::uint8_t, 32>& model_id,
                                        std::span<const std::uint8_t> file_key, const DevicePublicKey& device,
                                        std::uint64_t not_before, std::uint64_t expires, const std::string& note,
                                        const SigningKey& signer, EphemeralKeys& ephemeral) {
    if (note.size() > max_license_note) {
        throw Error(ErrorCode::usage, "a license note is at most 1024 bytes");
    }
    if (not_before != 0 && expires != 0 && not_before >= expires) {
        throw Error(ErrorCode::usage, "the license would never be valid: --not-before is not before --expires");
    }
    const std::uint16_t version = device.type() == DeviceKeyType::p256 ? p256_license_version : x25519_license_version;
    const auto keys = device_wrap_keys(device, wrap_info(version, model_id, not_before, expires), ephemeral);
    const auto wrapped = wrap_with(keys.okm.secret(), file_key);
    format::ByteWriter w;
    w.bytes(license_magic);
    w.u16(version);
    w.u16(static_cast<std::uint16_t>(note.size()));
    w.bytes(model_id);
    w.bytes(device.bytes());
    w.u64(not_before);
    w.u64(expires);
    w.bytes(keys.ephemeral);
    w.bytes(wrapped);
    w.text(note);
    w.u8(1);
    w.bytes(signer.public_key().bytes());
    const auto signature = signer.secret(secret_access()).signer->sign(signing_input(w.buffer()));
    w.bytes(signature);
    return std::move(w.buffer());
}

}  // namespace ovseal::keys
