// SPDX-License-Identifier: Apache-2.0
// The trailer (docs/FORMAT.md §8): records filling exactly T bytes, at most one SIGNATURE record (§8.1).
// Invariants: only malformed_header or unsupported_version; a parsed trailer written again by trailer_bytes
// parses to the same signature, and a trailer that is exactly one signature record is reproduced byte for byte.

#include "format/header.hpp"
#include "fuzz_support.hpp"

using namespace ovseal;
using namespace ovseal::fuzz;

namespace {

bool same(const std::optional<format::SignatureRecord>& a, const std::optional<format::SignatureRecord>& b) {
    if (a.has_value() != b.has_value()) return false;
    return !a || (a->model_id == b->model_id && a->signer == b->signer && a->signature == b->signature);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Bytes input(data, size);
    format::Trailer trailer;
    if (!expect("parse_trailer", {ErrorCode::malformed_header, ErrorCode::unsupported_version},
                [&] { trailer = format::parse_trailer(input); })) {
        return 0;
    }
    std::vector<std::uint8_t> written;
    format::Trailer again;
    expect("trailer_bytes of a parsed trailer", {}, [&] { written = format::trailer_bytes(trailer); });
    expect("parse_trailer of trailer_bytes", {}, [&] { again = format::parse_trailer(written); });
    check(same(trailer.signature, again.signature), "trailer_bytes -> parse_trailer changed the signature");
    if (size == format::signed_trailer_size && data[0] == format::trailer_record::signature && data[1] == 0) {
        check(trailer.signature.has_value(), "a trailer of one signature record parsed without a signature");
        check(written.size() == size && std::equal(written.begin(), written.end(), data),
              "trailer_bytes does not reproduce a one-signature trailer");
    }
    return 0;
}
