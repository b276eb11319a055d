// SPDX-License-Identifier: Apache-2.0
#pragma once

// PKCS#11 URIs (RFC 7512), e.g. pkcs11:token=publisher;object=signing-2027?pin-source=file:/etc/ovseal/pin

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "memory/secret_bytes.hpp"

namespace ovseal::pkcs11 {

struct Uri {
    // Path attributes: which token, which object.
    std::optional<std::string> token;         // the token label
    std::optional<std::string> manufacturer;  // the token's
    std::optional<std::string> serial;
    std::optional<std::string> model;
    std::optional<unsigned long> slot_id;
    std::optional<std::string> object;            // the object label (CKA_LABEL)
    std::optional<std::vector<std::uint8_t>> id;  // CKA_ID
    std::optional<std::string> type;              // private, public, cert, secret-key, data
    // Query attributes: how to reach it.
    std::optional<std::string> module_path;
    std::optional<std::string> pin_source;  // a file: URI or a path
    std::optional<memory::SecretBytes> pin_value;

    /// "object 'name'" / "id 0a0b" / both, for messages.
    std::string describe_object() const;
    /// "token 'label'" or what else selects the token, for messages.
    std::string describe_token() const;
};

/// True if TEXT starts with the pkcs11: scheme (case-insensitive), i.e. it is meant as a URI, not a file.
bool is_uri(std::string_view text);

/// Parses a PKCS#11 URI; throws Error(usage) for malformed text, an unknown or repeated attribute, or a bad
/// value. Messages name the attribute, never the value of pin-value.
Uri parse_uri(std::string_view text);

}  // namespace ovseal::pkcs11
