#include "keys/license.hpp"

#include <algorithm>
#include <cstring>

#include "crypto/crypto.hpp"
#include "format/byte_io.hpp"
#include "keys/identity_secrets.hpp"
#include "keys/wrapped_key.hpp"
#include "ovseal/error.hpp"

namespace ovseal::keys {
namespace {

constexpr std::array<std::uint8_t, 8> license_magic = {0x89, 'O', 'V', 'L', 'I', 'C', 'E', '\n'};
constexpr std::uint16_t license_version = 1;
constexpr std::size_t fixed_size = 204;      // everything before the note
constexpr std::size_t signature_part = 97;  // algorithm, signer key, signature

[[noreturn]] void invalid(const std::string& why) {
    throw Error(ErrorCode::license_invalid, "the licence is invalid: " + why);
}

// "ovseal-v1 licence" || model_id || u64 not_before || u64 expires: the window is part of the derivation.
std::string wrap_info(const std::array<std::uint8_t, 32>& model_id, std::uint64_t not_before, std::uint64_t expires) {
    format::ByteWriter w;
    w.text("ovseal-v1 licence");
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

}  // namespace

License parse_license(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < license_magic.size() ||
        !std::equal(license_magic.begin(), license_magic.end(), bytes.begin())) {
        invalid("it is not an ovseal licence file");
    }
    format::ByteReader r(bytes, ErrorCode::license_invalid);
    r.take(8, "magic");
    const std::uint16_t version = r.u16("version");
    if (version != license_version) {
        throw Error(ErrorCode::unsupported_version,
                    "unsupported licence version " + std::to_string(version) + "; upgrade ovseal");
    }
    const std::uint16_t note_length = r.u16("note length");
    if (note_length > max_license_note || bytes.size() != fixed_size + note_length + signature_part) {
        invalid("its length does not match its layout");
    }
    License l;
    auto copy = [&](auto& field, const char* what) {
        auto b = r.take(field.size(), what);
        std::copy(b.begin(), b.end(), field.begin());
    };
    copy(l.model_id, "model id");
    copy(l.device, "device key");
    l.not_before = r.u64("not before");
    l.expires = r.u64("expires");
    copy(l.ephemeral, "ephemeral key");
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

std::vector<std::uint8_t> issue_license(const std::array<std::uint8_t, 32>& model_id,
                                        std::span<const std::uint8_t> file_key, const DevicePublicKey& device,
                                        std::uint64_t not_before, std::uint64_t expires, const std::string& note,
                                        const SigningKey& signer, crypto::RandomSource& random) {
    memory::SecretBytes ephemeral(32);
    random.fill(ephemeral.secret());
    return issue_license(model_id, file_key, device, not_before, expires, note, signer,
                         crypto::X25519Key(ephemeral.secret()));
}

std::vector<std::uint8_t> issue_license(const std::array<std::uint8_t, 32>& model_id,
                                        std::span<const std::uint8_t> file_key, const DevicePublicKey& device,
                                        std::uint64_t not_before, std::uint64_t expires, const std::string& note,
                                        const SigningKey& signer, const crypto::X25519Key& ephemeral) {
    if (note.size() > max_license_note) {
        throw Error(ErrorCode::usage, "a licence note is at most 1024 bytes");
    }
    if (not_before != 0 && expires != 0 && not_before >= expires) {
        throw Error(ErrorCode::usage, "the licence would never be valid: --not-before is not before --expires");
    }
    const auto keys = device_wrap_keys(device.bytes(), wrap_info(model_id, not_before, expires), ephemeral);
    const auto wrapped = wrap_with(keys.okm.secret(), file_key);
    format::ByteWriter w;
    w.bytes(license_magic);
    w.u16(license_version);
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
    const auto signature = signer.secret().signer->sign(signing_input(w.buffer()));
    w.bytes(signature);
    return std::move(w.buffer());
}

memory::SecretBytes license_file_key(const License& license, const DeviceIdentity& identity) {
    const auto okm = device_unwrap_keys(identity, license.ephemeral,
                                        wrap_info(license.model_id, license.not_before, license.expires));
    if (!okm) invalid("its ephemeral key is a low-order point");
    auto result = unwrap_with(okm->secret(), license.wrapped);
    if (result.outcome != Unwrapped::Outcome::opened) {
        invalid("its wrapped file key does not open with this device's key (damaged or forged)");
    }
    return std::move(result.file_key);
}

}  // namespace ovseal::keys
