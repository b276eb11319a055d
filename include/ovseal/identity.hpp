// SPDX-License-Identifier: Apache-2.0
#pragma once

// Device keys, publisher signing keys and the key ring that opens sealed files (docs/FORMAT.md §7.3, §12–§14).

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ovseal/defaults.hpp"
#include "ovseal/key.hpp"
#include "ovseal/pkcs11.hpp"
#include "ovseal/secret_access.hpp"

namespace ovseal {

using PublicKeyBytes = std::array<std::uint8_t, 32>;

/// The kinds of device key: X25519 (a key file, or sealed by a TPM) and P-256 (created inside a TPM).
enum class DeviceKeyType : std::uint8_t { x25519, p256 };

/// A device's public key: what a publisher seals or licenses to. Text form `ovseal-x25519:...` or
/// `ovseal-p256:...`.
class DevicePublicKey {
public:
    /// Parses either text form (with its checksum); throws Error(invalid_key).
    static DevicePublicKey parse(std::string_view text);
    /// An X25519 public key.
    static DevicePublicKey from_bytes(const PublicKeyBytes& key) { return DevicePublicKey(DeviceKeyType::x25519, key); }
    /// A compressed P-256 point (33 bytes); throws Error(invalid_key) if it is not a point on the curve.
    static DevicePublicKey from_p256(std::span<const std::uint8_t> point);
    std::string to_string() const;
    /// 16 hex digits naming the device (e.g. its license file in a batch); for display, never for trust.
    std::string key_id() const;
    DeviceKeyType type() const noexcept { return m_type; }
    /// The key as stanzas and licenses carry it: 32 bytes (X25519) or 33 (compressed P-256).
    std::span<const std::uint8_t> bytes() const noexcept {
        return {m_key.data(), m_type == DeviceKeyType::x25519 ? std::size_t{32} : std::size_t{33}};
    }
    bool operator==(const DevicePublicKey&) const = default;

private:
    DevicePublicKey(DeviceKeyType type, std::span<const std::uint8_t> key);
    DeviceKeyType m_type;
    std::array<std::uint8_t, 33> m_key{};
};

/// How to reach a TPM 2.0, and what a key created in it is bound to.
struct TpmOptions {
    /// TCTI configuration, e.g. "device:/dev/tpmrm0" or "swtpm:port=2321". Empty: $TPM2TOOLS_TCTI, else
    /// $TSS2_TCTI, else "device:/dev/tpmrm0" (the kernel's resource manager).
    std::string tcti;
    /// When creating: PCRs whose current values the key is bound to, e.g. "sha256:0,7" (tpm2-tools form).
    /// Empty: bound to this TPM only.
    std::string pcrs;
};

/// A device's key pair. An X25519 private key is in locked memory (read from a key file or unsealed by the
/// TPM); a P-256 private key stays inside the TPM, which computes each key agreement.
class DeviceIdentity {
public:
    /// Creates DIR/identity (mode 0600) and DIR/identity.pub; refuses to overwrite.
    static DeviceIdentity create(const std::filesystem::path& dir);
    /// Creates DIR/identity.tpm and DIR/identity.pub: the private key exists on disk only sealed by this
    /// machine's TPM (and to `tpm.pcrs` if given), so the folder is useless on any other machine.
    static DeviceIdentity create_in_tpm(const std::filesystem::path& dir, const TpmOptions& tpm = {});
    /// Creates a P-256 key inside this machine's TPM (bound to `tpm.pcrs` if given) and writes DIR/identity.tpm
    /// (the TPM's encrypted blob of it) and DIR/identity.pub. The private key never leaves the TPM: copying the
    /// folder, or this process's memory, gives nothing usable elsewhere.
    static DeviceIdentity create_p256_in_tpm(const std::filesystem::path& dir, const TpmOptions& tpm = {});
    /// Loads DIR/identity, or DIR/identity.tpm by unsealing it with the TPM `tpm.tcti` names.
    static DeviceIdentity load(const std::filesystem::path& dir, const TpmOptions& tpm = {});
    /// From a raw 32-byte X25519 private key.
    static DeviceIdentity from_bytes(std::span<const std::uint8_t> private_key);
    /// From a raw P-256 private scalar, in software: for tests and test vectors. Real P-256 identities live
    /// in a TPM (create_p256_in_tpm).
    static DeviceIdentity from_p256_bytes(std::span<const std::uint8_t> private_scalar);
    const DevicePublicKey& public_key() const noexcept { return m_public; }

    struct Secret;
    const Secret& secret(SecretAccess) const noexcept { return *m_secret; }  // see ovseal/secret_access.hpp

private:
    DeviceIdentity(std::shared_ptr<const Secret> secret, DevicePublicKey pub)
        : m_secret(std::move(secret)), m_public(pub) {}
    std::shared_ptr<const Secret> m_secret;
    DevicePublicKey m_public;
};

/// A publisher's Ed25519 public key, as trusted by readers. Text form `ovseal-ed25519:...`.
class PublisherPublicKey {
public:
    static PublisherPublicKey parse(std::string_view text);
    /// Reads a `.pub` file holding the text form.
    static PublisherPublicKey load(const std::filesystem::path& path);
    static PublisherPublicKey from_bytes(const PublicKeyBytes& key) { return PublisherPublicKey(key); }
    /// The public half of the Ed25519 key pair in a PKCS#11 token that URI names (its public key object; no PIN
    /// is needed unless the token hides public objects). See ovseal/pkcs11.hpp.
    static PublisherPublicKey from_pkcs11(std::string_view uri, const Pkcs11Options& options = {});
    std::string to_string() const;
    /// 16 hex digits, for display only; trust always compares whole keys.
    std::string key_id() const;
    const PublicKeyBytes& bytes() const noexcept { return m_key; }
    bool operator==(const PublisherPublicKey&) const = default;

private:
    explicit PublisherPublicKey(const PublicKeyBytes& key) : m_key(key) {}
    PublicKeyBytes m_key;
};

/// A publisher's Ed25519 signing key (private): in software, optionally stored under a passphrase, or in a
/// PKCS#11 token that signs for it.
class SigningKey {
public:
    static SigningKey generate();
    /// The key in a PKCS#11 token that URI names ("pkcs11:token=LABEL;object=NAME"), logged in and ready to
    /// sign; the token signs every message and the private key never leaves it. Errors: token_unavailable (module
    /// or token), token_login_failed (PIN), token_key_missing (no such key), token_failed. See docs/HSM.md.
    static SigningKey from_pkcs11(std::string_view uri, const Pkcs11Options& options = {});
    /// Generates an Ed25519 key pair inside the token (CKM_EC_EDWARDS_KEY_PAIR_GEN): a token object, sensitive and
    /// not extractable, labelled with the URI's object=. Refuses a label (or id) already in use.
    static SigningKey generate_in_token(std::string_view uri, const Pkcs11Options& options = {});
    /// From a raw 32-byte Ed25519 seed.
    static SigningKey from_bytes(std::span<const std::uint8_t> seed);
    /// `passphrase` is needed only for a passphrase-protected file.
    static SigningKey load(const std::filesystem::path& path, const std::optional<Key>& passphrase = std::nullopt);
    /// Writes PATH (mode 0600, protected by `passphrase` if given) and PATH.pub; refuses to overwrite. A key in a
    /// token cannot be saved (Error(usage)): it never leaves the token.
    void save(const std::filesystem::path& path, const std::optional<Key>& passphrase = std::nullopt,
              unsigned scrypt_log2_n = default_scrypt_log2_n) const;
    const PublisherPublicKey& public_key() const noexcept { return m_public; }
    /// True for a key in a PKCS#11 token.
    bool in_token() const noexcept;

    struct Secret;
    const Secret& secret(SecretAccess) const noexcept { return *m_secret; }  // see ovseal/secret_access.hpp

private:
    SigningKey(std::shared_ptr<const Secret> secret, PublisherPublicKey pub)
        : m_secret(std::move(secret)), m_public(pub) {}
    std::shared_ptr<const Secret> m_secret;
    PublisherPublicKey m_public;
};

/// Everything a reader may open files with, and the policy it opens them under.
struct KeyRing {
    std::vector<Key> keys;                             ///< key files and passphrases
    std::vector<DeviceIdentity> identities;            ///< device keys
    std::vector<std::filesystem::path> licenses;       ///< license files (§13)
    std::vector<PublisherPublicKey> trusted;           ///< trust list: a non-empty list requires a trusted signature
    bool allow_unsigned_device_files = false;          ///< open unsigned files through a device stanza (no license)
    std::optional<std::filesystem::path> clock_state;  ///< rollback guard state file (§13.4)
    std::int64_t clock_tolerance_seconds = default_clock_tolerance_seconds;
    std::optional<std::uint64_t> now;  ///< the time for license checks (default: the system clock)

    KeyRing() = default;
    explicit KeyRing(std::vector<Key> k) : keys(std::move(k)) {}
};

}  // namespace ovseal
