// SPDX-License-Identifier: Apache-2.0
// Deriving the payload key, header MAC key and key commitment from a file key (docs/FORMAT.md §6.1).

#include "container/file_keys.hpp"

#include <string_view>

#include "crypto/crypto.hpp"

namespace ovseal::container {
namespace {

memory::SecretBytes derive(std::span<const std::uint8_t> file_key, std::span<const std::uint8_t> salt,
                           std::string_view info) {
    memory::SecretBytes out(32);
    crypto::hkdf_sha256(crypto::KeyView(file_key), salt, info, out.secret());
    return out;
}

}  // namespace

memory::SecretBytes derive_payload_key(std::span<const std::uint8_t> file_key, std::span<const std::uint8_t> salt) {
    return derive(file_key, salt, "ovseal-v1 payload");
}

// Neither of these depends on the payload salt, so nothing outside the preamble and the stanzas is read before
// the header MAC verifies.
memory::SecretBytes derive_header_mac_key(std::span<const std::uint8_t> file_key) {
    return derive(file_key, {}, "ovseal-v1 header mac");
}

memory::SecretBytes derive_file_key_commitment(std::span<const std::uint8_t> file_key) {
    return derive(file_key, {}, "ovseal-v1 file key commitment");
}

crypto::Bytes32 header_mac(std::span<const std::uint8_t> file_key, std::span<const std::uint8_t> mac_covered) {
    return crypto::hmac_sha256(crypto::KeyView(derive_header_mac_key(file_key)), mac_covered);
}

std::vector<std::uint8_t> header_with_mac(const std::vector<format::Stanza>& stanzas,
                                          std::span<const std::uint8_t> body, std::span<const std::uint8_t> file_key) {
    std::vector<std::uint8_t> header = format::header_with_body_bytes(stanzas, body);
    const auto mac = header_mac(file_key, header);
    header.insert(header.end(), mac.begin(), mac.end());
    return header;
}

}  // namespace ovseal::container
