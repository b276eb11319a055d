// SPDX-License-Identifier: Apache-2.0
// Publisher signing keys: generating, loading and saving, optionally passphrase-protected. The publisher's, left
// out of the device runtime (ovseal_runtime); public keys are publisher_public_key.cpp.

#include <string>

#include "crypto/crypto.hpp"
#include "keys/identity_secrets.hpp"
#include "keys/key_secret.hpp"
#include "keys/public_key_text.hpp"
#include "keys/secret_file.hpp"
#include "ovseal/defaults.hpp"
#include "ovseal/error.hpp"
#include "ovseal/output_file.hpp"

namespace ovseal {
namespace {

constexpr std::string_view plain_prefix = "OVSEAL-ED25519-PRIVATE-1:";
constexpr std::string_view encrypted_prefix = "OVSEAL-ED25519-ENCRYPTED-1:";
constexpr std::size_t encrypted_size = 32 + 1 + 32 + 16;  // salt, log2 N, ciphertext, tag
constexpr std::string_view scrypt_label = "ovseal-v1 signing key";
const std::uint8_t zero_nonce[crypto::gcm_nonce_size] = {};

memory::SecretBytes passphrase_key(const Key& passphrase, std::span<const std::uint8_t> salt, unsigned log2_n) {
    if (passphrase.kind() != Key::Kind::passphrase) {
        throw Error(ErrorCode::usage, "a signing key is protected by a passphrase, not a key file");
    }
    if (log2_n < min_scrypt_log2_n || log2_n > max_scrypt_log2_n) {
        throw Error(ErrorCode::invalid_key, "the signing key file's scrypt work factor is outside " +
                                                std::to_string(min_scrypt_log2_n) + ".." +
                                                std::to_string(max_scrypt_log2_n));
    }
    std::vector<std::uint8_t> labelled(scrypt_label.begin(), scrypt_label.end());
    labelled.insert(labelled.end(), salt.begin(), salt.end());
    memory::SecretBytes k(32);
    crypto::scrypt(crypto::KeyView(passphrase.secret(secret_access()).bytes), labelled, log2_n, 8, 1, k.secret());
    return k;
}

// The software key: OpenSSL, with the key parsed once (license issuance signs thousands of messages a second).
class SoftwareSigner final : public Signer {
public:
    explicit SoftwareSigner(crypto::KeyView seed) : m_key(seed) {}
    crypto::Signature64 sign(std::span<const std::uint8_t> message) const override { return m_key.sign(message); }

private:
    crypto::Ed25519Signer m_key;
};

}  // namespace

SigningKey::Secret::Secret(memory::SecretBytes s)
    : seed(std::move(s)), signer(std::make_unique<SoftwareSigner>(crypto::KeyView(seed))) {}

SigningKey SigningKey::generate() {
    memory::SecretBytes seed(32);
    crypto::random_bytes(seed.secret());
    const auto pub = PublisherPublicKey::from_bytes(crypto::ed25519_public_key(crypto::KeyView(seed)));
    return SigningKey(std::make_shared<const Secret>(std::move(seed)), pub);
}

SigningKey SigningKey::from_bytes(std::span<const std::uint8_t> seed) {
    if (seed.size() != 32) throw Error(ErrorCode::invalid_key, "an Ed25519 seed is 32 bytes");
    auto secret = memory::SecretBytes::copy_of(seed);
    const auto pub = PublisherPublicKey::from_bytes(crypto::ed25519_public_key(crypto::KeyView(secret)));
    return SigningKey(std::make_shared<const Secret>(std::move(secret)), pub);
}

SigningKey SigningKey::load(const std::filesystem::path& path, const std::optional<Key>& passphrase) {
    static constexpr keys::KeyLineForm forms[] = {{plain_prefix, 32}, {encrypted_prefix, encrypted_size}};
    auto line =
        keys::read_key_file(path, forms, "an ovseal signing key", "create one with `ovseal keygen --signing -o FILE`");
    memory::SecretBytes seed(32);
    if (line.form == 0) {
        seed = std::move(line.secret);
    } else {
        if (!passphrase) {
            throw Error(ErrorCode::usage, "the signing key '" + path.string() +
                                              "' is protected by a passphrase: give it with --signing-passphrase-file");
        }
        const auto blob = line.secret.secret();
        const auto k = passphrase_key(*passphrase, blob.first(32), blob[32]);
        crypto::Aes256Gcm gcm{crypto::KeyView(k)};
        if (!gcm.open(zero_nonce, {}, blob.subspan(33, 32), blob.subspan(65).first<16>(), seed.secret())) {
            throw Error(ErrorCode::no_matching_key,
                        "wrong passphrase for the signing key '" + path.string() + "' (or the file is damaged)");
        }
    }
    const auto pub = PublisherPublicKey::from_bytes(crypto::ed25519_public_key(crypto::KeyView(seed)));
    return SigningKey(std::make_shared<const Secret>(std::move(seed)), pub);
}

bool SigningKey::in_token() const noexcept {
    return m_secret->in_token();
}

void SigningKey::save(const std::filesystem::path& path, const std::optional<Key>& passphrase,
                      unsigned scrypt_log2_n) const {
    if (in_token()) {
        throw Error(ErrorCode::usage,
                    "a signing key in a PKCS#11 token cannot be saved to a file: it never leaves "
                    "the token (its public key is PublisherPublicKey::from_pkcs11)");
    }
    const auto pub_path = std::filesystem::path(path.string() + ".pub");
    if (std::filesystem::exists(pub_path)) {
        throw Error(ErrorCode::io, "'" + pub_path.string() + "' already exists; refusing to overwrite it");
    }
    const char* comment = "# ovseal publisher signing key (Ed25519). Keep it secret, ideally in an HSM.\n";
    if (!passphrase) {
        keys::write_key_file(path, comment, plain_prefix, m_secret->seed.secret(), "a signing key");
    } else {
        memory::SecretBytes blob(encrypted_size);
        auto b = blob.secret();
        crypto::random_bytes(b.first(32));
        b[32] = static_cast<std::uint8_t>(scrypt_log2_n);
        const auto k = passphrase_key(*passphrase, b.first(32), scrypt_log2_n);
        crypto::Aes256Gcm gcm{crypto::KeyView(k)};
        gcm.seal(zero_nonce, {}, m_secret->seed.secret(), b.subspan(33, 32), b.subspan(65).first<16>());
        keys::write_key_file(path, comment, encrypted_prefix, b, "a signing key");
    }
    const std::string text = m_public.to_string() + "\n";
    write_output_file(pub_path, text, {.what = "the public key file"});
}

}  // namespace ovseal
