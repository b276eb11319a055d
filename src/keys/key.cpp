#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
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
constexpr std::size_t key_file_limit = 4096;
constexpr std::size_t passphrase_file_limit = 65536;

int hex_value(std::uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

[[noreturn]] void not_a_key_file(const std::filesystem::path& path, const char* why) {
    throw Error(ErrorCode::invalid_key, "'" + path.string() + "' is not an ovseal key file (" + why +
                                            "); create one with `ovseal keygen -o FILE`");
}


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
    auto bytes = memory::SecretBytes::copy_of(
        {reinterpret_cast<const std::uint8_t*>(passphrase.data()), passphrase.size()});
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
    return Key(std::make_shared<const Secret>(
        Secret{Kind::passphrase, memory::SecretBytes::copy_of(text.first(length))}));
}

Key Key::from_key_file(const std::filesystem::path& path) {
    auto content = keys::read_secret_file(path, key_file_limit, "key file");
    auto text = content.secret();
    memory::SecretBytes key(32);
    bool found = false;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = pos;
        while (end < text.size() && text[end] != '\n') {
            ++end;
        }
        std::size_t line_end = end;
        if (line_end > pos && text[line_end - 1] == '\r') {
            --line_end;
        }
        const auto line = text.subspan(pos, line_end - pos);
        pos = end + 1;
        if (line.empty() || line[0] == '#') {
            continue;
        }
        const std::string_view view(reinterpret_cast<const char*>(line.data()), line.size());
        if (!view.starts_with(key_line_prefix) || line.size() != key_line_prefix.size() + 64) {
            not_a_key_file(path, "a line is neither a comment nor an OVSEAL-KEY-1 line");
        }
        if (found) {
            not_a_key_file(path, "it holds more than one key");
        }
        const auto hex = line.subspan(key_line_prefix.size());
        for (std::size_t i = 0; i < 32; ++i) {
            const int hi = hex_value(hex[2 * i]);
            const int lo = hex_value(hex[2 * i + 1]);
            if (hi < 0 || lo < 0) {
                not_a_key_file(path, "the key is not 64 hexadecimal digits");
            }
            key.secret()[i] = static_cast<std::uint8_t>(hi << 4 | lo);
        }
        found = true;
    }
    if (!found) {
        not_a_key_file(path, "it holds no key");
    }
    return Key(std::make_shared<const Secret>(Secret{Kind::key, std::move(key)}));
}

void Key::save(const std::filesystem::path& path) const {
    if (m_secret->kind != Kind::key) {
        throw Error(ErrorCode::usage, "only a 256-bit key can be saved as a key file, not a passphrase");
    }
    static constexpr char digits[] = "0123456789abcdef";
    static constexpr std::string_view comment =
        "# ovseal key file. Keep it secret: whoever holds it can open every model sealed to it.\n";
    memory::SecretBytes text(comment.size() + key_line_prefix.size() + 64 + 1);
    auto out = text.secret();
    std::size_t n = 0;
    for (char c : comment) out[n++] = static_cast<std::uint8_t>(c);
    for (char c : key_line_prefix) out[n++] = static_cast<std::uint8_t>(c);
    for (std::uint8_t b : m_secret->bytes.secret()) {
        out[n++] = static_cast<std::uint8_t>(digits[b >> 4]);
        out[n++] = static_cast<std::uint8_t>(digits[b & 15]);
    }
    out[n++] = '\n';

    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        const int err = errno;
        if (err == EEXIST) {
            throw Error(ErrorCode::io, "'" + path.string() + "' already exists; refusing to overwrite a key file");
        }
        throw Error(ErrorCode::io, "cannot create key file '" + path.string() + "': " + std::strerror(err));
    }
    std::size_t written = 0;
    while (written < n) {
        const ssize_t w = ::write(fd, out.data() + written, n - written);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            const int err = errno;
            ::close(fd);
            ::unlink(path.c_str());
            throw Error(ErrorCode::io, "cannot write key file '" + path.string() + "': " + std::strerror(err));
        }
        written += static_cast<std::size_t>(w);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        ::unlink(path.c_str());
        throw Error(ErrorCode::io, "cannot write key file '" + path.string() + "'");
    }
}

Key::Kind Key::kind() const noexcept { return m_secret->kind; }

}  // namespace ovseal
