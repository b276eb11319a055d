// SPDX-License-Identifier: Apache-2.0
#pragma once

// The container's header: parsing and writing, no cryptography (docs/FORMAT.md §3–§5, §8).
// Parsers are pure: bytes in, structures or an ovseal::Error out.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "format/limits.hpp"

namespace ovseal::format {

struct Preamble {
    std::uint16_t version = format::version;
    std::uint16_t stanza_count = 0;
    std::uint32_t header_length = 0;
    std::uint32_t stanzas_length = 0;
};

/// A wrapped file key: the type names who can open it; args and body are the type's business.
struct Stanza {
    std::string type;
    std::vector<std::vector<std::uint8_t>> args;
    std::vector<std::uint8_t> body;
};

enum class EntryKind : std::uint8_t { ir_xml = 1, ir_bin = 2, onnx = 3, compiled_model = 4 };

struct Entry {
    std::uint8_t kind = 0;
    std::string name;
    std::uint64_t size = 0;
};

struct Metadata {
    std::optional<std::string> model_name;
    std::optional<std::string> model_version;
    std::optional<std::string> description;
    std::optional<std::uint64_t> created;
    std::optional<std::string> openvino_version;
    std::optional<std::string> sealed_by;
    std::optional<std::vector<std::uint8_t>> cache_binding;  // compiled-model cache entries only (§16)
    bool license_only = false;  // under a trust list, only a license from the file's signer opens it (§9 step 5a)
    std::vector<std::uint16_t> unknown_records;  // non-critical records this reader skipped
};

namespace record {
constexpr std::uint16_t entry = 0x8001;
constexpr std::uint16_t model_name = 0x0001;
constexpr std::uint16_t model_version = 0x0002;
constexpr std::uint16_t description = 0x0003;
constexpr std::uint16_t created = 0x0004;
constexpr std::uint16_t openvino_version = 0x0005;
constexpr std::uint16_t sealed_by = 0x0006;
constexpr std::uint16_t cache_binding = 0x8002;
constexpr std::uint16_t license_only = 0x8003;
}  // namespace record

/// Everything between the stanzas and the header MAC.
struct Body {
    std::array<std::uint8_t, 32> payload_salt{};
    std::uint8_t chunk_size_log2 = 20;
    std::uint32_t trailer_length = 0;
    std::array<std::uint8_t, 32> file_key_commitment{};
    std::vector<Entry> entries;
    Metadata metadata;
};

/// Step 1 of opening: `prefix` is the first min(20, file_size) bytes of a file of `file_size` bytes.
Preamble parse_preamble(std::span<const std::uint8_t> prefix, std::uint64_t file_size);

/// Step 2: the S bytes of the stanza section.
std::vector<Stanza> parse_stanzas(std::span<const std::uint8_t> section, std::uint16_t count);

/// Step 5: the bytes from 20 + S to H − 32.
Body parse_body(std::span<const std::uint8_t> body);

/// The publisher signature record of the trailer (§8.1).
struct SignatureRecord {
    std::array<std::uint8_t, 32> model_id{};
    std::array<std::uint8_t, 32> signer{};
    std::array<std::uint8_t, 64> signature{};
};
namespace trailer_record {
constexpr std::uint16_t signature = 0x0001;
constexpr std::uint32_t signature_size = 1 + 32 + 32 + 64;
constexpr std::uint8_t ed25519 = 1;
}  // namespace trailer_record
/// The size of the trailer of a signed file.
constexpr std::uint32_t signed_trailer_size = 6 + trailer_record::signature_size;

struct Trailer {
    std::optional<SignatureRecord> signature;
};

/// The regions of a whole header of H bytes, as read or written (§3–§5): the body runs from 20 + S (S the
/// preamble's stanza section length) to H − 32, the MAC is the last 32 bytes and covers everything before it.
/// The one place these slices are computed. The bounds are those parse_preamble checked; a header outside them
/// is malformed_header.
std::span<const std::uint8_t> header_body(std::span<const std::uint8_t> header, std::uint32_t stanzas_length);
std::span<const std::uint8_t> mac_covered_part(std::span<const std::uint8_t> header);
std::span<const std::uint8_t> stored_header_mac(std::span<const std::uint8_t> header);

/// A trailer of `trailer_length` bytes (§8).
Trailer parse_trailer(std::span<const std::uint8_t> trailer);
std::vector<std::uint8_t> trailer_bytes(const Trailer& trailer);

/// Serialized forms, used by the sealer. `stanza_bytes` is the encoding of one stanza.
std::vector<std::uint8_t> stanza_bytes(const Stanza& stanza);
std::vector<std::uint8_t> body_bytes(const Body& body);

/// Preamble + stanzas + body, without the MAC (the caller appends it). Validates the bounds.
std::vector<std::uint8_t> header_without_mac(const std::vector<Stanza>& stanzas, const Body& body);
/// The same with the body already serialized (re-wrapping keeps the stored body byte for byte).
std::vector<std::uint8_t> header_with_body_bytes(const std::vector<Stanza>& stanzas,
                                                 std::span<const std::uint8_t> body);

}  // namespace ovseal::format
