// SPDX-License-Identifier: Apache-2.0
// Licenses (docs/FORMAT.md §13): parsing and unwrapping a signed, device-bound wrap of a file key (issuing them is
// the publisher's: license_issuing.cpp).

#include "policy/license_record.hpp"

#include "policy/license_layout.hpp"

#include <algorithm>
#include <cstring>

#include "crypto/crypto.hpp"
#include "crypto/p256.hpp"
#include "format/byte_io.hpp"
#include "keys/device_agreement.hpp"
#include "keys/identity_secrets.hpp"
#include "keys/wrapped_key.hpp"
#include "ovseal/error.hpp"

namespace ovseal::keys {
namespace {

// The device and ephemeral keys' size, which is all that differs between the versions.
std::size_t device_key_size(std::uint16_t version) {
    return version == p256_license_version ? 33 : 32;
}
// Everything before the note: magic, version, note length, model id, D, window, ephemeral, wrapped key.
std::size_t fixed_size(std::uint16_t version) {
    return 8 + 2 + 2 + 32 + 2 * device_key_size(version) + 16 + 80;
}

[[noreturn]] void invalid(const std::string& why) {
    throw Error(ErrorCode::license_invalid, "the license is invalid: " + why);
}

}  // namespace

// "ovseal-v1 licence" (or "ovseal-v1 licence p256") || model_id || u64 not_before || u64 expires: the window is
// part of the derivation.
std::string wrap_info(std::uint16_t version, const std::array<std::uint8_t, 32>& model_id, std::uint64_t not_before,
                      std::uint64_t expires) {
    format::ByteWriter w;
    w.text(version == p256_license_version ? "ovseal-v1 licence p256" : "ovseal-v1 licence");
    w.bytes(model_id);
    w.u64(not_before);
    w.u64(expires);
    return format::as_string(w.buffer());
}

std::vector<std::uint8_t> signing_input(std::span<const std::uint8_t> signed_part) {
    format::ByteWriter w;
    w.text("ovseal-v1 licence");
    w.u8(0);
    w.bytes(signed_part);
    return std::move(w.buffer());
}

License parse_license(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < license_magic.size() || !std::equal(license_magic.begin(), license_magic.end(), bytes.begin())) {
        invalid("it is not an ovseal license file");
    }
    format::ByteReader r(bytes, ErrorCode::license_invalid);
    r.take(8, "magic");
    const std::uint16_t version = r.u16("version");
    if (version != x25519_license_version && version != p256_license_version) {
        throw Error(ErrorCode::unsupported_version,
                    "unsupported license version " + std::to_string(version) + "; upgrade ovseal");
    }
    const std::uint16_t note_length = r.u16("note length");
    if (note_length > max_license_note || bytes.size() != fixed_size(version) + note_length + signature_part) {
        invalid("its length does not match its layout");
    }
    License l;
    l.version = version;
    auto copy = [&](auto& field, const char* what) {
        auto b = r.take(field.size(), what);
        std::copy(b.begin(), b.end(), field.begin());
    };
    copy(l.model_id, "model id");
    const auto device = r.take(device_key_size(version), "device key");
    if (version == p256_license_version) {
        if (!crypto::p256_decompress(device)) invalid("its device key is not a P-256 point");
        l.device = DevicePublicKey::from_p256(device);
    } else {
        PublicKeyBytes x25519{};
        std::copy(device.begin(), device.end(), x25519.begin());
        l.device = DevicePublicKey::from_bytes(x25519);
    }
    l.not_before = r.u64("not before");
    l.expires = r.u64("expires");
    const auto ephemeral = r.take(device_key_size(version), "ephemeral key");
    l.ephemeral.assign(ephemeral.begin(), ephemeral.end());
    copy(l.wrapped, "wrapped key");
    l.note = format::as_string(r.take(note_length, "note"));
    if (r.u8("signature algorithm") != 1) invalid("its signature algorithm is not Ed25519");
    copy(l.signer, "signer key");
    const std::size_t signed_size = r.offset();
    copy(l.signature, "signature");
    if (l.not_before != 0 && l.expires != 0 && l.not_before >= l.expires) {
        invalid("its validity window is empty");
    }
    if (!crypto::ed25519_verify(l.signer, signing_input(bytes.first(signed_size)), l.signature)) {
        invalid("its signature does not verify (damaged or forged)");
    }
    return l;
}

memory::SecretBytes license_file_key(const License& license, const DeviceIdentity& identity) {
    DeviceAgreement device(identity);
    return license_file_key(license, device);
}

memory::SecretBytes license_file_key(const License& license, DeviceAgreement& device) {
    const auto okm = device_unwrap_keys(
        device, license.ephemeral, wrap_info(license.version, license.model_id, license.not_before, license.expires));
    if (!okm) invalid("its ephemeral key is unusable (a low-order or off-curve point)");
    auto result = unwrap_with(okm->secret(), license.wrapped);
    if (result.outcome != Unwrapped::Outcome::opened) {
        invalid("its wrapped file key does not open with this device's key (damaged or forged)");
    }
    return std::move(result.file_key);
}

}  // namespace ovseal::keys
