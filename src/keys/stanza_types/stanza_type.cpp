// SPDX-License-Identifier: Apache-2.0
// What every stanza type shares: the registry lookup and the one way a stanza body wraps the file key (§7).

#include "keys/stanza_types/stanza_type.hpp"

#include <string>

#include "crypto/crypto.hpp"
#include "keys/wrapped_key.hpp"
#include "ovseal/error.hpp"

namespace ovseal::keys {

const StanzaType* stanza_type_of(std::string_view type) {
    for (const StanzaType* t : stanza_types()) {
        if (t->reads(type)) return t;
    }
    return nullptr;
}

memory::SecretBytes stanza_okm(crypto::KeyView k, std::span<const std::uint8_t> salt, std::string_view info) {
    memory::SecretBytes okm(64);
    crypto::hkdf_sha256(k, salt, info, okm.secret());
    return okm;
}

std::optional<memory::SecretBytes> unwrap_body(std::span<const std::uint8_t> okm, const format::Stanza& stanza) {
    auto result = unwrap_with(okm, stanza.body);
    switch (result.outcome) {
        case Unwrapped::Outcome::not_mine:
            return std::nullopt;
        case Unwrapped::Outcome::opened:
            return std::move(result.file_key);
        case Unwrapped::Outcome::damaged:
            break;
    }
    throw Error(ErrorCode::header_auth_failed, "header authentication failed: the " + stanza.type +
                                                   " stanza matches this key but its wrapped file key was modified");
}

void require_shape(bool ok, const char* what) {
    if (!ok) {
        throw Error(ErrorCode::malformed_header, std::string("header is malformed: ") + what + " has the wrong shape");
    }
}

}  // namespace ovseal::keys
