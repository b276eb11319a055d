// SPDX-License-Identifier: Apache-2.0
// Public keys as checksummed text (docs/FORMAT.md §14), key ids and hex, for display and parsing.

#include "keys/public_key_text.hpp"

#include <algorithm>
#include <vector>

#include "crypto/crypto.hpp"
#include "ovseal/error.hpp"

namespace ovseal::keys {
namespace {

std::array<std::uint8_t, 4> checksum(std::string_view prefix, std::span<const std::uint8_t> key) {
    std::vector<std::uint8_t> message(prefix.begin(), prefix.end());
    message.insert(message.end(), key.begin(), key.end());
    const auto digest = crypto::sha256(message);
    return {digest[0], digest[1], digest[2], digest[3]};
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string public_key_text(std::string_view prefix, std::span<const std::uint8_t> key) {
    std::vector<std::uint8_t> payload(key.begin(), key.end());
    const auto sum = checksum(prefix, key);
    payload.insert(payload.end(), sum.begin(), sum.end());
    return std::string(prefix) + crypto::base64url_encode(payload);
}

std::vector<std::uint8_t> parse_public_key_text(std::string_view prefix, std::string_view text, const char* what,
                                                std::size_t key_size) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
        text.remove_suffix(1);
    }
    const std::size_t characters = ((key_size + 4) * 4 + 2) / 3;  // base64url, no padding
    auto invalid = [&](const std::string& why) {
        return Error(ErrorCode::invalid_key, std::string("not a valid ") + what + " (" + why + "): expected '" +
                                                 std::string(prefix) + "' followed by " + std::to_string(characters) +
                                                 " characters");
    };
    if (!text.starts_with(prefix)) throw invalid("wrong prefix");
    const auto decoded = crypto::base64url_decode(text.substr(prefix.size()));
    if (!decoded || decoded->size() != key_size + 4) throw invalid("wrong length or characters");
    std::vector<std::uint8_t> key(decoded->begin(), decoded->begin() + static_cast<std::ptrdiff_t>(key_size));
    const auto sum = checksum(prefix, key);
    if (!std::equal(sum.begin(), sum.end(), decoded->begin() + static_cast<std::ptrdiff_t>(key_size))) {
        throw invalid("bad checksum: a typo?");
    }
    return key;
}

PublicKeyBytes parse_public_key_text(std::string_view prefix, std::string_view text, const char* what) {
    const auto bytes = parse_public_key_text(prefix, text, what, 32);
    PublicKeyBytes key{};
    std::copy(bytes.begin(), bytes.end(), key.begin());
    return key;
}

crypto::Bytes32 key_id_digest(std::span<const std::uint8_t> key) {
    const std::string_view label = "ovseal-v1 key id";
    std::vector<std::uint8_t> message(label.begin(), label.end());
    message.insert(message.end(), key.begin(), key.end());
    return crypto::sha256(message);
}

std::string key_id(std::span<const std::uint8_t> key) {
    const auto digest = key_id_digest(key);
    return hex(std::span(digest).first(8));
}

std::string hex(std::span<const std::uint8_t> bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (auto b : bytes) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 15]);
    }
    return out;
}

bool parse_hex(std::string_view text, std::span<std::uint8_t> out) {
    if (text.size() != out.size() * 2) return false;
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = hex_value(text[2 * i]);
        const int lo = hex_value(text[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return true;
}

}  // namespace ovseal::keys
