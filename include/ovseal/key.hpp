// SPDX-License-Identifier: Apache-2.0
#pragma once

// The key files and passphrases that seal and open files, held in locked memory and wiped after use.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string_view>

#include "ovseal/secret_access.hpp"

namespace ovseal {

/// A secret that seals or opens files: a 256-bit key (from a key file or raw bytes) or a passphrase.
/// The secret lives in locked, non-dumpable memory and is wiped when the last copy of the Key goes away.
/// Copies share the secret.
class Key {
public:
    enum class Kind { key, passphrase };

    /// A new random 256-bit key.
    static Key generate();
    /// Reads a key file written by `save` or `ovseal keygen`. Throws Error(invalid_key) if it is not one.
    static Key from_key_file(const std::filesystem::path& path);
    /// A raw 256-bit key (exactly 32 bytes).
    static Key from_bytes(std::span<const std::uint8_t> key);
    /// A passphrase, taken byte for byte. An empty passphrase is refused.
    static Key from_passphrase(std::string_view passphrase);
    /// A passphrase read from a file; one trailing newline ("\n" or "\r\n") is removed.
    static Key from_passphrase_file(const std::filesystem::path& path);

    /// Writes this key as a key file with mode 0600; refuses to overwrite an existing file.
    void save(const std::filesystem::path& path) const;

    Kind kind() const noexcept;

    struct Secret;  // defined in src/keys; the only way to reach the bytes
    /// The secret, for ovseal's own code; reaching it takes secret_access() (ovseal/secret_access.hpp).
    const Secret& secret(SecretAccess) const noexcept { return *m_secret; }

private:
    explicit Key(std::shared_ptr<const Secret> secret) : m_secret(std::move(secret)) {}
    std::shared_ptr<const Secret> m_secret;
};

}  // namespace ovseal
