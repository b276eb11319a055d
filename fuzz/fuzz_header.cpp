// SPDX-License-Identifier: Apache-2.0
// A whole header (docs/FORMAT.md §3–§6): the preamble, the stanza section, the body and its records, and the
// chunk layout, parsed exactly as OpenedContainer::open and `inspect` parse them (steps 1, 2 and 5 of §9, with the
// input's size as the file size). Invariants: each step throws only the errors §9 gives it; what parses is
// within the format's bounds; the writers reproduce the stanza section and the header byte for byte, and a
// parsed body survives body_bytes -> parse_body unchanged; the layout adds up.

#include <algorithm>

#include "format/header.hpp"
#include "format/layout.hpp"
#include "format/limits.hpp"
#include "fuzz_support.hpp"
#include "keys/stanzas.hpp"

namespace {

using namespace ovseal;
using namespace ovseal::fuzz;
using E = ErrorCode;

bool same_body(const format::Body& a, const format::Body& b) {
    if (a.payload_salt != b.payload_salt || a.chunk_size_log2 != b.chunk_size_log2 ||
        a.trailer_length != b.trailer_length || a.file_key_commitment != b.file_key_commitment ||
        a.entries.size() != b.entries.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.entries.size(); ++i) {
        const auto& x = a.entries[i];
        const auto& y = b.entries[i];
        if (x.kind != y.kind || x.name != y.name || x.size != y.size) return false;
    }
    const auto& m = a.metadata;
    const auto& n = b.metadata;
    return m.model_name == n.model_name && m.model_version == n.model_version && m.description == n.description &&
           m.created == n.created && m.openvino_version == n.openvino_version && m.sealed_by == n.sealed_by;
}

void check_body_bounds(const format::Body& body) {
    check(body.chunk_size_log2 >= format::min_chunk_log2 && body.chunk_size_log2 <= format::max_chunk_log2,
          "parse_body accepted a chunk size out of bounds");
    check(body.trailer_length <= format::max_trailer, "parse_body accepted a trailer over 1 MiB");
    check(!body.entries.empty() && body.entries.size() <= format::max_entries,
          "parse_body accepted a package without 1..256 entries");
    for (std::size_t i = 0; i < body.entries.size(); ++i) {
        const auto& e = body.entries[i];
        check(e.kind != 0, "parse_body accepted an entry of kind 0");
        check(e.size <= format::max_entry_size, "parse_body accepted an entry over 2^60 bytes");
        check(!e.name.empty() && e.name.size() <= format::max_entry_name, "parse_body accepted a bad name length");
        for (std::size_t j = 0; j < i; ++j) check(body.entries[j].name != e.name, "parse_body accepted two names");
    }
}

void check_layout(std::uint64_t header_length, const format::Body& body, const format::Layout& layout) {
    check(layout.chunk_size == (std::uint64_t{1} << body.chunk_size_log2), "layout: wrong chunk size");
    check(layout.entries.size() == body.entries.size(), "layout: one span per entry");
    std::uint64_t next = 0;
    for (std::size_t i = 0; i < body.entries.size(); ++i) {
        const auto& span = layout.entries[i];
        const std::uint64_t size = body.entries[i].size;
        const std::uint64_t chunks = size == 0 ? 1 : size / layout.chunk_size + (size % layout.chunk_size != 0);
        check(span.first_chunk == next && span.chunk_count == chunks, "layout: entries are not contiguous chunks");
        next += chunks;
    }
    check(layout.chunk_count == next, "layout: chunk count is not the sum of the entries'");
    // file_length = H + N * (CS + 16) + T, which compute_layout promised fits in 64 bits.
    const unsigned __int128 expected = static_cast<unsigned __int128>(layout.chunk_count) * layout.stored_chunk_size() +
                                       header_length + body.trailer_length;
    check(expected == layout.file_length, "layout: file length is not H + N * (CS + 16) + T");
    check(layout.trailer_offset() == layout.file_length - body.trailer_length, "layout: trailer offset");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Bytes input(data, size);
    format::Preamble p;
    const auto prefix = input.first(std::min(size, format::preamble_size));
    if (!expect("parse_preamble", {E::not_ovseal_file, E::truncated, E::unsupported_version, E::malformed_header},
                [&] { p = format::parse_preamble(prefix, size); })) {
        return 0;
    }
    check(p.version == format::version, "parse_preamble accepted another version");
    check(p.stanza_count >= 1 && p.stanza_count <= format::max_stanzas, "parse_preamble: stanza count");
    check(p.header_length >= format::min_header_size && p.header_length <= format::max_header_size &&
              p.header_length <= size,
          "parse_preamble: header length out of bounds or past the end of the file");
    check(p.stanzas_length <= p.header_length - format::min_header_size, "parse_preamble: stanza section too long");

    const auto header = input.first(p.header_length);
    const auto section = header.subspan(format::preamble_size, p.stanzas_length);
    const auto body_bytes = format::header_body(header, p.stanzas_length);

    std::vector<format::Stanza> stanzas;
    const bool stanzas_ok = expect("parse_stanzas", {E::malformed_header},
                                   [&] { stanzas = format::parse_stanzas(section, p.stanza_count); });
    if (stanzas_ok) {
        check(stanzas.size() == p.stanza_count, "parse_stanzas returned another number of stanzas");
        std::vector<std::uint8_t> again;
        expect("stanza_bytes of parsed stanzas", {}, [&] {
            for (const auto& s : stanzas) {
                const auto bytes = format::stanza_bytes(s);
                again.insert(again.end(), bytes.begin(), bytes.end());
            }
        });
        check(std::equal(again.begin(), again.end(), section.begin(), section.end()),
              "stanza_bytes does not reproduce the stanza section");
        expect("check_known_stanzas", {E::malformed_header}, [&] { ovseal::keys::check_known_stanzas(stanzas); });
    }

    format::Body body;
    if (!expect("parse_body", {E::malformed_header, E::unsupported_version},
                [&] { body = format::parse_body(body_bytes); })) {
        return 0;
    }
    check_body_bounds(body);

    // The writer's form of a parsed body parses to the same body (unknown records are not written).
    std::vector<std::uint8_t> rewritten;
    expect("body_bytes of a parsed body", {}, [&] { rewritten = format::body_bytes(body); });
    format::Body reparsed;
    expect("parse_body of body_bytes", {}, [&] { reparsed = format::parse_body(rewritten); });
    check(same_body(body, reparsed) && reparsed.metadata.unknown_records.empty(),
          "body_bytes -> parse_body changed the body");

    if (stanzas_ok) {
        std::vector<std::uint8_t> whole;
        expect("header_with_body_bytes", {}, [&] { whole = format::header_with_body_bytes(stanzas, body_bytes); });
        check(std::ranges::equal(whole, format::mac_covered_part(header)),
              "header_with_body_bytes does not reproduce the header");
    }

    format::Layout layout;
    if (expect("compute_layout", {E::malformed_header},
               [&] { layout = format::compute_layout(p.header_length, body); })) {
        check_layout(p.header_length, body, layout);
    }
    return 0;
}
