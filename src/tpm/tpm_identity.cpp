// SPDX-License-Identifier: Apache-2.0
// Device identities held by a TPM: the identity.tpm file, sealing and unsealing, and keys derived from them.

#include "tpm/tpm_identity.hpp"

#include "keys/secret_file.hpp"

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/crypto.hpp"
#include "crypto/p256.hpp"
#include "keys/device_agreement.hpp"
#include "keys/identity_secrets.hpp"
#include "keys/public_key_text.hpp"
#include "ovseal/error.hpp"
#include "ovseal/output_file.hpp"

namespace ovseal::keys {
namespace {

constexpr std::string_view x25519_header = "OVSEAL-TPM-X25519-1";
constexpr std::string_view p256_header = "OVSEAL-TPM-P256-1";
constexpr std::size_t max_area_size = 2048;  // a TPM2B_PUBLIC or TPM2B_PRIVATE is well under this

// `remedy` names the `device init` flag that makes this kind of identity again ("" while the kind is unknown).
Error malformed(const std::filesystem::path& path, const std::string& why, std::string_view remedy = "") {
    const std::string how = remedy.empty() ? "`ovseal device init --tpm-p256 -o DIR` (or --tpm)"
                                           : "`ovseal device init " + std::string(remedy) + " -o DIR`";
    return Error(ErrorCode::invalid_key, "'" + path.string() + "' is not a valid TPM-held device identity (" + why +
                                             "); re-provision the device with " + how);
}

std::vector<std::uint8_t> parse_area(const std::filesystem::path& path, const std::string& line, std::string_view name,
                                     std::string_view remedy) {
    const std::string prefix = std::string(name) + " ";
    if (line.rfind(prefix, 0) != 0) {
        throw malformed(path, "expected the line '" + std::string(name) + " <hex>'", remedy);
    }
    const std::string_view digits = std::string_view(line).substr(prefix.size());
    if (digits.empty() || digits.size() % 2 != 0 || digits.size() / 2 > max_area_size) {
        throw malformed(path, std::string(name) + " has a bad length", remedy);
    }
    std::vector<std::uint8_t> bytes(digits.size() / 2);
    if (!parse_hex(digits, bytes)) throw malformed(path, std::string(name) + " is not hex", remedy);
    return bytes;
}

}  // namespace

tpm::SealedBlob seal_in_tpm(std::span<const std::uint8_t> private_key, const TpmOptions& options) {
    const auto pcrs = options.pcrs.empty() ? tpm::PcrSelection{} : tpm::parse_pcr_selection(options.pcrs);
    tpm::Tpm tpm(options.tcti);
    auto blob = tpm.seal(private_key, pcrs);
    // Unseal once before the key is used anywhere: a blob that cannot be opened must not be given out.
    const auto check = tpm.unseal(blob);
    if (check.size() != private_key.size() ||
        !std::equal(private_key.begin(), private_key.end(), check.secret().begin())) {
        throw Error(ErrorCode::tpm_failed, "the TPM returned a different key than it sealed");
    }
    return blob;
}

memory::SecretBytes unseal_from_tpm(const tpm::SealedBlob& blob, const TpmOptions& options) {
    tpm::Tpm tpm(options.tcti);
    return tpm.unseal(blob);
}

tpm::SealedBlob create_p256_in_tpm(const TpmOptions& options, DevicePublicKey& public_key) {
    const auto pcrs = options.pcrs.empty() ? tpm::PcrSelection{} : tpm::parse_pcr_selection(options.pcrs);
    tpm::Tpm tpm(options.tcti);
    std::array<std::uint8_t, 64> point{};
    auto blob = tpm.create_ecdh_key(pcrs, point);
    const auto compressed = crypto::p256_compress(std::span(point).first(32), std::span(point).subspan(32));
    if (!compressed) throw Error(ErrorCode::tpm_failed, "the TPM returned a public key that is not on the P-256 curve");
    public_key = DevicePublicKey::from_p256(*compressed);
    return blob;
}

void check_tpm_key(const DeviceIdentity& identity) {
    const auto& key = *identity.secret(secret_access()).tpm_p256;
    const auto point = crypto::p256_decompress(identity.public_key().bytes());
    if (!point) throw Error(ErrorCode::internal, "a P-256 identity without a valid public key");
    tpm::Tpm tpm(key.tcti);
    (void)tpm.ecdh(key.blob, *point);  // a SecretBytes, wiped as it goes
}

namespace {

// The first of 02 || SHA-256(label || u8 i), i = 0, 1, ..., that is a point (§13.4, §16.4). Nobody knows its
// discrete logarithm, so d * Q is as secret as d.
crypto::P256Affine domain_point(const std::string& label) {
    for (unsigned i = 0; i < 256; ++i) {
        std::vector<std::uint8_t> message(label.begin(), label.end());
        message.push_back(static_cast<std::uint8_t>(i));
        const auto digest = crypto::sha256(message);
        std::array<std::uint8_t, 33> point{0x02};
        std::copy(digest.begin(), digest.end(), point.begin() + 1);
        if (const auto affine = crypto::p256_decompress(point)) return *affine;
    }
    throw Error(ErrorCode::internal, "no point for " + label);
}

// HKDF(s, empty, info, 32), s the device's X25519 private key, or for a P-256 identity the x-coordinate of d * Q,
// Q the domain point of `point_label` (computed by the TPM for a key that lives in one, on `device`'s session).
memory::SecretBytes device_derived_key(DeviceAgreement& device, const std::string& point_label,
                                       const std::string& info) {
    const auto& identity = device.identity();
    std::optional<memory::SecretBytes> device_secret;
    if (identity.public_key().type() == DeviceKeyType::x25519) {
        device_secret = memory::SecretBytes::copy_of(identity.secret(secret_access()).private_key.secret());
    } else {
        const auto q = domain_point(point_label);
        const auto compressed = crypto::p256_compress(std::span(q).first(32), std::span(q).subspan(32));
        device_secret = device.shared(*compressed);
        if (!device_secret) throw Error(ErrorCode::internal, "the point for " + point_label + " is not usable");
    }
    memory::SecretBytes key(32);
    crypto::hkdf_sha256(crypto::KeyView(*device_secret), {}, info, key.secret());
    return key;
}

}  // namespace

memory::SecretBytes clock_guard_key(DeviceAgreement& device) {
    return device_derived_key(device, "ovseal-v1 clock guard point", "ovseal-v1 clock guard");
}

memory::SecretBytes cache_device_secret(const DeviceIdentity& identity) {
    DeviceAgreement device(identity);
    return device_derived_key(device, "ovseal-v1 cache device point", "ovseal-v1 cache device");
}

DevicePublicKey p256_public_key_of(const tpm::SealedBlob& blob) {
    const auto point = tpm::ecc_public_point(blob);
    const auto compressed =
        point ? crypto::p256_compress(std::span(*point).first(32), std::span(*point).subspan(32)) : std::nullopt;
    if (!compressed) throw Error(ErrorCode::invalid_key, "the TPM identity's public area holds no P-256 key");
    return DevicePublicKey::from_p256(*compressed);
}

void write_tpm_identity(const std::filesystem::path& path, const TpmIdentityFile& file) {
    const auto& blob = file.blob;
    const bool p256 = file.kind == TpmIdentityKind::p256;
    std::string text = p256 ? "# ovseal device identity: a P-256 key that lives in this machine's TPM 2.0 and never "
                              "leaves it.\n"
                            : "# ovseal device identity: an X25519 private key sealed by this machine's TPM 2.0.\n";
    text += "# It opens nothing on any other machine (or after this TPM is cleared).\n";
    text += std::string(p256 ? p256_header : x25519_header) + "\n";
    text += "pcrs " + (blob.pcrs.empty() ? std::string("none") : tpm::to_string(blob.pcrs)) + "\n";
    text += "public " + hex(blob.public_area) + "\n";
    text += "private " + hex(blob.private_area) + "\n";
    if (!blob.primary_name.empty()) text += "primary " + hex(blob.primary_name) + "\n";
    write_output_file(path, text, {.mode = 0600, .if_exists = IfExists::refuse, .what = "a TPM device identity"});
}

TpmIdentityFile read_tpm_identity(const std::filesystem::path& path) {
    if (!tpm::supported_by_this_build()) {
        throw Error(ErrorCode::tpm_unavailable,
                    "'" + path.string() +
                        "' is a device identity held by a TPM, and this ovseal runtime was built without TPM "
                        "support (OVSEAL_RUNTIME_TPM=OFF): link an ovseal runtime built with it");
    }
    std::string text;
    try {
        const auto bytes = read_secret_file(path, 1 << 16, "a TPM device identity");  // the TPM's blobs; bounded
        text.assign(bytes.secret().begin(), bytes.secret().end());
    } catch (const Error& e) {
        if (e.code() == ErrorCode::io) throw;
        throw malformed(path, "unexpected content");
    }
    std::istringstream in(text);
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        if (lines.size() == 5 || line.size() > 2 * max_area_size + 16) throw malformed(path, "unexpected content");
        lines.push_back(line);
    }
    if (lines.size() < 4) throw malformed(path, "it is incomplete");
    if (lines[0] != x25519_header && lines[0] != p256_header) {
        throw malformed(path,
                        "the first line is neither " + std::string(x25519_header) + " nor " + std::string(p256_header));
    }
    const auto kind = lines[0] == p256_header ? TpmIdentityKind::p256 : TpmIdentityKind::sealed_x25519;
    const std::string_view remedy = kind == TpmIdentityKind::p256 ? "--tpm-p256" : "--tpm";
    if (lines[1].rfind("pcrs ", 0) != 0) throw malformed(path, "expected the line 'pcrs <selection>|none'", remedy);
    tpm::SealedBlob blob;
    const std::string pcrs = lines[1].substr(5);
    if (pcrs != "none") {
        try {
            blob.pcrs = tpm::parse_pcr_selection(pcrs);
        } catch (const Error&) {
            throw malformed(path, "bad PCR selection", remedy);
        }
    }
    blob.public_area = parse_area(path, lines[2], "public", remedy);
    blob.private_area = parse_area(path, lines[3], "private", remedy);
    if (lines.size() == 5) {
        // The storage primary's name: SHA-256 (000b) and its digest. Files written before it was recorded have
        // four lines; their primary is not checked.
        blob.primary_name = parse_area(path, lines[4], "primary", remedy);
        if (blob.primary_name.size() != tpm::primary_name_size || blob.primary_name[0] != 0x00 ||
            blob.primary_name[1] != 0x0b) {
            throw malformed(path, "primary is not a SHA-256 name (000b and 32 bytes)", remedy);
        }
    }
    if (!tpm::well_formed(blob)) throw malformed(path, "its public or private area is not a TPM structure", remedy);
    if (kind == TpmIdentityKind::p256) {
        const auto point = tpm::ecc_public_point(blob);
        if (!point || !crypto::p256_compress(std::span(*point).first(32), std::span(*point).subspan(32))) {
            throw malformed(path, "its public area holds no P-256 key", remedy);
        }
    }
    return {kind, std::move(blob)};
}

}  // namespace ovseal::keys
