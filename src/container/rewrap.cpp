// SPDX-License-Identifier: Apache-2.0
// Rewrapping a sealed file (new stanzas, the same file key, body and chunks): the publisher's, left out of the
// device runtime (ovseal_runtime).

#include "container/file_keys.hpp"
#include "container/opened_container.hpp"
#include "container/sealer.hpp"
#include "files/output_file.hpp"
#include "format/header.hpp"
#include "keys/stanzas.hpp"
#include "ovseal/secret_access.hpp"

namespace ovseal::container {

void rewrap_file(const OpenedContainer& file, const std::vector<format::Stanza>& stanzas,
                 const std::filesystem::path& output) {
    keys::check_known_stanzas(stanzas);
    const auto& old_header = file.raw_header();
    const auto header = header_with_mac(stanzas, format::header_body(old_header, file.preamble().stanzas_length),
                                        file.file_key(secret_access()));

    files::OutputFile out(output, {.what = "sealed file"});
    out.write(header);
    // Chunks and trailer are copied byte for byte (no (key, nonce) pair is ever used again), each from the one
    // read that authenticated it: a file rewritten while it is copied never gets its new bytes under this header.
    file.copy_authenticated_payload([&](std::span<const std::uint8_t> bytes) { out.write(bytes); });
    out.commit();
}

}  // namespace ovseal::container
