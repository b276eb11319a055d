// SPDX-License-Identifier: Apache-2.0
// Device identities: creating and loading their folders (key file or TPM) and their public keys' text form.

#include <string>

#include "crypto/crypto.hpp"
#include "crypto/p256.hpp"
#include "keys/identity_secrets.hpp"
#include "keys/key_secret.hpp"
#include "keys/public_key_text.hpp"
#include "keys/secret_file.hpp"
#include "tpm/tpm_identity.hpp"
#include "ovseal/error.hpp"
#include "ovseal/output_file.hpp"

namespace ovseal {
namespace {

constexpr std::string_view device_private_prefix = "OVSEAL-X25519-PRIVATE-1:";
constexpr const char* private_file = "identity";
constexpr const char* public_file = "identity.pub";

}  // namespace

DevicePublicKey::DevicePublicKey(DeviceKeyType type, std::span<const std::uint8_t> key) : m_type(type) {
    std::copy(key.begin(), key.end(), m_key.begin());
}

DevicePublicKey DevicePublicKey::parse(std::string_view text) {
    if (text.starts_with(keys::p256_device_key_prefix)) {
        return from_p256(keys::parse_public_key_text(keys::p256_device_key_prefix, text, "device public key", 33));
    }
    return from_bytes(keys::parse_public_key_text(keys::device_key_prefix, text, "device public key"));
}

DevicePublicKey DevicePublicKey::from_p256(std::span<const std::uint8_t> point) {
    if (!crypto::p256_decompress(point)) {
        throw Error(ErrorCode::invalid_key, "not a valid device public key (not a point on the P-256 curve)");
    }
    return DevicePublicKey(DeviceKeyType::p256, point);
}

std::string DevicePublicKey::to_string() const {
    return keys::public_key_text(m_type == DeviceKeyType::p256 ? keys::p256_device_key_prefix : keys::device_key_prefix,
                                 bytes());
}

std::string DevicePublicKey::key_id() const {
    return keys::key_id(bytes());
}

namespace {

// Refuses to overwrite any identity in `dir`, then creates it (mode 0700).
void prepare_identity_folder(const std::filesystem::path& dir) {
    std::error_code ec;
    for (const char* name : {private_file, keys::tpm_identity_file, public_file}) {
        if (std::filesystem::exists(dir / name, ec)) {
            throw Error(ErrorCode::io, "'" + (dir / name).string() +
                                           "' already exists; refusing to overwrite a "
                                           "device identity");
        }
    }
    std::filesystem::create_directories(dir, ec);
    // Only a folder is made private: a file, a device or a FIFO named by -o is refused untouched.
    if (!std::filesystem::is_directory(dir, ec)) {
        throw Error(ErrorCode::io, "cannot create the device identity folder '" + dir.string() +
                                       "': the name is taken by something that is not a folder");
    }
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace, ec);
}

std::shared_ptr<const DeviceIdentity::Secret> x25519_secret(memory::SecretBytes private_key) {
    auto secret = std::make_shared<DeviceIdentity::Secret>();
    secret->private_key = std::move(private_key);
    return secret;
}

void write_public_file(const std::filesystem::path& dir, const DevicePublicKey& pub) {
    const std::string text = pub.to_string() + "\n";
    write_output_file(dir / public_file, text, {.what = "the device's public key file"});
}

}  // namespace

DeviceIdentity DeviceIdentity::create(const std::filesystem::path& dir) {
    prepare_identity_folder(dir);
    memory::SecretBytes private_key(32);
    crypto::random_bytes(private_key.secret());
    const auto pub = DevicePublicKey::from_bytes(crypto::x25519_public_key(crypto::KeyView(private_key)));
    keys::write_key_file(dir / private_file,
                         "# ovseal device identity (X25519 private key). Never copy it off this device.\n",
                         device_private_prefix, private_key.secret(), "a device identity");
    write_public_file(dir, pub);
    return DeviceIdentity(x25519_secret(std::move(private_key)), pub);
}

DeviceIdentity DeviceIdentity::create_in_tpm(const std::filesystem::path& dir, const TpmOptions& tpm) {
    prepare_identity_folder(dir);
    memory::SecretBytes private_key(32);
    crypto::random_bytes(private_key.secret());
    const auto pub = DevicePublicKey::from_bytes(crypto::x25519_public_key(crypto::KeyView(private_key)));
    keys::write_tpm_identity(dir / keys::tpm_identity_file,
                             {keys::TpmIdentityKind::sealed_x25519, keys::seal_in_tpm(private_key.secret(), tpm)});
    write_public_file(dir, pub);
    auto secret = std::make_shared<Secret>();
    secret->private_key = std::move(private_key);
    secret->tpm_tcti = tpm.tcti;
    return DeviceIdentity(std::move(secret), pub);
}

DeviceIdentity DeviceIdentity::create_p256_in_tpm(const std::filesystem::path& dir, const TpmOptions& tpm) {
    prepare_identity_folder(dir);
    auto pub = DevicePublicKey::from_bytes({});
    auto blob = keys::create_p256_in_tpm(tpm, pub);
    keys::write_tpm_identity(dir / keys::tpm_identity_file, {keys::TpmIdentityKind::p256, blob});
    write_public_file(dir, pub);
    auto secret = std::make_shared<Secret>();
    secret->tpm_p256 = TpmDeviceKey{std::move(blob), tpm.tcti};
    secret->tpm_tcti = tpm.tcti;
    return DeviceIdentity(std::move(secret), pub);
}

DeviceIdentity DeviceIdentity::from_p256_bytes(std::span<const std::uint8_t> private_scalar) {
    auto secret = std::make_shared<Secret>();
    secret->p256 = std::make_shared<const crypto::P256Key>(crypto::KeyView(private_scalar));
    const auto pub = DevicePublicKey::from_p256(secret->p256->public_key());
    return DeviceIdentity(std::move(secret), pub);
}

DeviceIdentity DeviceIdentity::from_bytes(std::span<const std::uint8_t> private_key) {
    if (private_key.size() != 32) throw Error(ErrorCode::invalid_key, "a device private key is 32 bytes");
    auto secret = memory::SecretBytes::copy_of(private_key);
    const auto pub = DevicePublicKey::from_bytes(crypto::x25519_public_key(crypto::KeyView(secret)));
    return DeviceIdentity(x25519_secret(std::move(secret)), pub);
}

DeviceIdentity DeviceIdentity::load(const std::filesystem::path& dir, const TpmOptions& tpm) {
    std::error_code ec;
    if (!std::filesystem::exists(dir / private_file, ec) &&
        std::filesystem::exists(dir / keys::tpm_identity_file, ec)) {
        auto file = keys::read_tpm_identity(dir / keys::tpm_identity_file);
        if (file.kind == keys::TpmIdentityKind::p256) {
            // Nothing to unseal: the TPM computes each agreement. Check once that this TPM holds the key, so that
            // a missing TPM, changed PCRs or another machine are reported here, not as "no matching key".
            const auto pub = keys::p256_public_key_of(file.blob);
            auto secret = std::make_shared<Secret>();
            secret->tpm_p256 = TpmDeviceKey{std::move(file.blob), tpm.tcti};
            secret->tpm_tcti = tpm.tcti;
            DeviceIdentity identity(std::move(secret), pub);
            keys::check_tpm_key(identity);
            return identity;
        }
        auto private_key = keys::unseal_from_tpm(file.blob, tpm);
        if (private_key.size() != 32) {
            throw Error(ErrorCode::invalid_key, "the TPM returned a device key of the wrong size from '" +
                                                    (dir / keys::tpm_identity_file).string() + "'");
        }
        const auto pub = DevicePublicKey::from_bytes(crypto::x25519_public_key(crypto::KeyView(private_key)));
        auto secret = std::make_shared<Secret>();
        secret->private_key = std::move(private_key);
        secret->tpm_tcti = tpm.tcti;
        return DeviceIdentity(std::move(secret), pub);
    }
    static constexpr keys::KeyLineForm form[] = {{device_private_prefix, 32}};
    auto line = keys::read_key_file(dir / private_file, form, "an ovseal device identity",
                                    "create one with `ovseal device init -o DIR`");
    const auto pub = DevicePublicKey::from_bytes(crypto::x25519_public_key(crypto::KeyView(line.secret)));
    return DeviceIdentity(x25519_secret(std::move(line.secret)), pub);
}

}  // namespace ovseal
