// SPDX-License-Identifier: Apache-2.0
// Key files and passphrases: generating, reading and saving them, the secret kept in locked memory.

#include <string>
#include <string_view>

#include "crypto/crypto.hpp"
#include "keys/key_secret.hpp"
#include "keys/secret_file.hpp"
#include "ovseal/error.hpp"

namespace ovseal {
namespace {

// Key file: comment lines starting with '#', blank lines, and exactly one line "OVSEAL-KEY-1:" + 64 hex digits.
constexpr std::string_view key_line_prefix = "OVSEAL-KEY-1:";
constexpr std::size_t passphrase_file_limit = 65536;

}  // namespace

Key Key::generate() {
    memory::SecretBytes bytes(32);
    crypto::random_bytes(bytes.secret());
    return Key(std::make_shared<const Secret>(Secret{Kind::key, std::move(bytes)}));
}

Key Key::from_bytes(std::span<const std::uint8_t> key) {
    if (key.size() != 32) {
        throw Error(ErrorCode::invalid_key, "a raw key must be exactly 32 bytes, not " + std::to_string(key.size()));
    }
    return Key(std::make_shared<const Secret>(Secret{Kind::key, memory::SecretBytes::copy_of(key)}));
}

Key Key::from_passphrase(std::string_view passphrase) {
    if (passphrase.empty()) {
        throw Error(ErrorCode::invalid_key, "the passphrase is empty");
    }
    auto bytes =
        memory::SecretBytes::copy_of({reinterpret_cast<const std::uint8_t*>(passphrase.data()), passphrase.size()});
    return Key(std::make_shared<const Secret>(Secret{Kind::passphrase, std::move(bytes)}));
}

Key Key::from_passphrase_file(const std::filesystem::path& path) {
    auto content = keys::read_secret_file(path, passphrase_file_limit, "passphrase file");
    auto text = content.secret();
    std::size_t length = text.size();
    if (length > 0 && text[length - 1] == '\n') {
        --length;
        if (length > 0 && text[length - 1] == '\r') {
            --length;
        }
    }
    if (length == 0) {
        throw Error(ErrorCode::invalid_key, "the passphrase file '" + path.string() + "' is empty");
    }
    return Key(
        std::make_shared<const Secret>(Secret{Kind::passphrase, memory::SecretBytes::copy_of(text.first(length))}));
}

Key Key::from_key_file(const std::filesystem::path& path) {
    static constexpr keys::KeyLineForm form[] = {{key_line_prefix, 32}};
    auto line = keys::read_key_file(path, form, "an ovseal key file", "create one with `ovseal keygen -o FILE`");
    return Key(std::make_shared<const Secret>(Secret{Kind::key, std::move(line.secret)}));
}

void Key::save(const std::filesystem::path& path) const {
    if (m_secret->kind != Kind::key) {
        throw Error(ErrorCode::usage, "only a 256-bit key can be saved as a key file, not a passphrase");
    }
    keys::write_key_file(path,
                         "# ovseal key file. Keep it secret: whoever holds it can open every model sealed to it.\n",
                         key_line_prefix, m_secret->bytes.secret(), "a key file");
}

Key::Kind Key::kind() const noexcept {
    return m_secret->kind;
}

}  // namespace ovseal
