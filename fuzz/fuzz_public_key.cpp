// SPDX-License-Identifier: Apache-2.0
// Public keys in text (docs/FORMAT.md §14): `ovseal-x25519:`, `ovseal-p256:` (a compressed point that must be on
// the curve) and `ovseal-ed25519:` (publishers), as parsed from the command line, from recipient lists and from
// `.pub` files (first line that is neither blank nor a comment). Invariants: only invalid_key; a key that parses
// prints back as exactly the text it came from (less trailing spaces and line endings), so no two texts name one
// key (non-canonical base64url, padding and spare bits are refused).

#include "fuzz_support.hpp"
#include "keys/public_key_text.hpp"
#include "ovseal/identity.hpp"

using namespace ovseal;
using namespace ovseal::fuzz;
using E = ErrorCode;

namespace {

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
    return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = as_text(Bytes(data, size));

    std::optional<DevicePublicKey> device;
    if (expect("DevicePublicKey::parse", {E::invalid_key}, [&] { device = DevicePublicKey::parse(text); })) {
        check(device->to_string() == trimmed(text), "a device key does not print as the text it was parsed from");
        check(DevicePublicKey::parse(device->to_string()) == *device, "a device key does not parse back");
    }
    std::optional<PublisherPublicKey> publisher;
    if (expect("PublisherPublicKey::parse", {E::invalid_key}, [&] { publisher = PublisherPublicKey::parse(text); })) {
        check(publisher->to_string() == trimmed(text), "a publisher key does not print as the text it came from");
    }
    // The P-256 text form without the curve check (the checksum and base64url layer alone).
    std::vector<std::uint8_t> point;
    if (expect("parse_public_key_text (p256)", {E::invalid_key}, [&] {
            point = keys::parse_public_key_text(keys::p256_device_key_prefix, text, "device public key", 33);
        })) {
        check(point.size() == 33, "a P-256 key text decoded to another size");
        check(keys::public_key_text(keys::p256_device_key_prefix, point) == trimmed(text),
              "a P-256 key text does not print back as itself");
    }

    // A .pub file holding the input.
    const auto path = write_scratch("publisher.pub", Bytes(data, size));
    std::optional<PublisherPublicKey> loaded;
    if (expect("PublisherPublicKey::load", {E::invalid_key}, [&] { loaded = PublisherPublicKey::load(path); })) {
        // It is the first line that is neither empty nor a comment.
        std::string_view rest = text;
        std::string_view line;
        while (!rest.empty() && (line.empty() || line[0] == '#')) {
            const std::size_t end = std::min(rest.find('\n'), rest.size());
            line = rest.substr(0, end);
            rest.remove_prefix(std::min(end + 1, rest.size()));
        }
        check(loaded->to_string() == trimmed(line), "a .pub file loaded a key other than its first key line");
    }
    return 0;
}
