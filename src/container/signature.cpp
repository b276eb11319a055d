// SPDX-License-Identifier: Apache-2.0
// Building the publisher signature's message and the model id from the header body and chunk digests.

#include "container/signature.hpp"

#include <string_view>

#include "format/byte_io.hpp"

namespace ovseal::container {

void PayloadDigest::add(std::uint64_t index, std::span<const std::uint8_t> ciphertext,
                        std::span<const std::uint8_t> tag) {
    crypto::Sha256 h;
    h.update(ciphertext);
    h.update(tag);
    m_digests.at(index) = h.finish();
}

crypto::Bytes32 PayloadDigest::finish() const {
    crypto::Sha256 h;
    const std::string_view label = "ovseal-v1 chunk digests";
    h.update({reinterpret_cast<const std::uint8_t*>(label.data()), label.size()});
    for (const auto& d : m_digests) {
        h.update(d);
    }
    return h.finish();
}

std::vector<std::uint8_t> signed_message(std::uint16_t version, std::span<const std::uint8_t> body,
                                         std::uint64_t chunk_count, const crypto::Bytes32& payload_digest) {
    format::ByteWriter w;
    w.text("ovseal-v1 model signature");
    w.u8(0);
    w.u16(version);
    w.u32(static_cast<std::uint32_t>(body.size()));
    w.bytes(body);
    w.u64(chunk_count);
    w.bytes(payload_digest);
    return std::move(w.buffer());
}

crypto::Bytes32 model_id(std::span<const std::uint8_t> message) {
    crypto::Sha256 h;
    const std::string_view label = "ovseal-v1 model id";
    h.update({reinterpret_cast<const std::uint8_t*>(label.data()), label.size()});
    h.update(message);
    return h.finish();
}

}  // namespace ovseal::container
