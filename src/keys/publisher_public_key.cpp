// SPDX-License-Identifier: Apache-2.0
// Publisher public keys: parsing, loading and printing them, and their key ids (what a device's trust list holds).

#include <sstream>
#include <string>

#include "keys/public_key_text.hpp"
#include "keys/secret_file.hpp"
#include "ovseal/error.hpp"
#include "ovseal/identity.hpp"

namespace ovseal {

PublisherPublicKey PublisherPublicKey::parse(std::string_view text) {
    return PublisherPublicKey(keys::parse_public_key_text(keys::publisher_key_prefix, text, "publisher public key"));
}

PublisherPublicKey PublisherPublicKey::load(const std::filesystem::path& path) {
    const auto bytes = keys::read_secret_file(path, 4096, "publisher public key");  // public, but bounded
    std::istringstream in(std::string(bytes.secret().begin(), bytes.secret().end()));
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line[0] != '#') return parse(line);
    }
    throw Error(ErrorCode::invalid_key, "'" + path.string() + "' holds no publisher public key");
}

std::string PublisherPublicKey::to_string() const {
    return keys::public_key_text(keys::publisher_key_prefix, m_key);
}

std::string PublisherPublicKey::key_id() const {
    return keys::key_id(m_key);
}

}  // namespace ovseal
