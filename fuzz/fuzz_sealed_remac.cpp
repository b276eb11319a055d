// SPDX-License-Identifier: Apache-2.0
// fuzz_sealed_open, but before opening, the mutated file is made authentic again wherever a fixed key can: the
// file key is unwrapped from the first stanza the test vectors' key file or devices open, the file key commitment
// and the header MAC (docs/FORMAT.md §6.1) are recomputed over the mutated header, and a trailer that is one
// signature record is re-signed by the fuzz targets' own key (trusted by the second key ring) over the mutated
// body and the stored chunks (§12.1). Mutations of the body and records then reach step 5 and everything after
// it (layout, length, trailer, chunk authentication, signature and license checks) instead of stopping at the MAC.

#include "container/file_keys.hpp"
#include "container/signature.hpp"
#include "crypto/crypto.hpp"
#include "format/layout.hpp"
#include "keys/stanzas.hpp"
#include "sealed_common.hpp"

using namespace ovseal;
using namespace ovseal::fuzz;

namespace {

// The file key that the vectors' secrets find in the file's stanzas, if any.
std::optional<memory::SecretBytes> find_file_key(Bytes file, format::Preamble& preamble) {
    const auto& r = rings();
    try {
        preamble = format::parse_preamble(file.first(std::min(file.size(), format::preamble_size)), file.size());
        const auto stanzas =
            format::parse_stanzas(file.subspan(format::preamble_size, preamble.stanzas_length), preamble.stanza_count);
        keys::check_known_stanzas(stanzas);
        for (const auto& stanza : stanzas) {
            if (auto k = keys::unwrap_file_key(r.key, stanza)) return k;
            if (auto k = keys::unwrap_file_key(r.x25519, stanza)) return k;
            if (auto k = keys::unwrap_file_key(r.p256, stanza)) return k;
        }
    } catch (const Error&) {
        // Not reachable past the stanzas: opening it reports why.
    }
    return std::nullopt;
}

// Re-signs a trailer that is exactly one signature record, if the body and layout describe this file.
void resign(std::vector<std::uint8_t>& file, const format::Preamble& preamble) {
    try {
        const auto body_bytes =
            format::header_body(std::span(file).first(preamble.header_length), preamble.stanzas_length);
        const auto layout = format::compute_layout(preamble.header_length, format::parse_body(body_bytes));
        if (layout.file_length != file.size() || layout.trailer_length != format::signed_trailer_size) return;
        auto* trailer = file.data() + layout.trailer_offset();
        if (format::load_u16(trailer) != format::trailer_record::signature ||
            format::load_u32(trailer + 2) != format::trailer_record::signature_size) {
            return;
        }
        container::PayloadDigest digest(layout.chunk_count);
        for (std::uint64_t i = 0; i < layout.chunk_count; ++i) {
            const auto chunk = std::span(file).subspan(layout.chunk_offset(i), layout.stored_chunk_size());
            digest.add(i, chunk.first(layout.chunk_size), chunk.subspan(layout.chunk_size));
        }
        const auto message =
            container::signed_message(preamble.version, body_bytes, layout.chunk_count, digest.finish());
        const auto id = container::model_id(message);
        const auto& seed = rings().fuzz_seed;
        const auto signer = crypto::ed25519_public_key(crypto::KeyView(seed));
        const auto signature = crypto::ed25519_sign(crypto::KeyView(seed), message);
        std::copy(id.begin(), id.end(), trailer + 7);
        std::copy(signer.begin(), signer.end(), trailer + 39);
        std::copy(signature.begin(), signature.end(), trailer + 71);
    } catch (const Error&) {
        // A body that does not parse or a layout that overflows: opening reports it.
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::uint8_t> file(data, data + size);
    format::Preamble preamble;
    if (const auto file_key = find_file_key(file, preamble)) {
        write_commitment(file, preamble, file_key->secret());
        resign(file, preamble);
        write_header_mac(file, preamble, file_key->secret());
    }
    open_every_way(file);
    return 0;
}

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
    return mutate_sealed_file(data, size, max_size, seed);
}
