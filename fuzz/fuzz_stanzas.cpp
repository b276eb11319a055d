// SPDX-License-Identifier: Apache-2.0
// The stanza section and every stanza type (docs/FORMAT.md §4, §7): the input is a little-endian u16 that picks
// the stanza count (1..1024, as parse_preamble bounds it) and then the section. Steps 2 and 3 of §9 run as
// OpenedContainer::open runs them: parse, check the known types' shapes (key, scrypt, x25519, p256 and their tagged
// forms), choose the device stanzas each device tries (the bound of §7.4), then try every stanza with the test
// vectors' key file, X25519 device and P-256 device (software scalar, as the vectors use).
// Passphrases are not tried: one scrypt (2^16 or more) per input would stall the fuzzer, and the scrypt stanza's
// parameters are checked before any scrypt runs. Invariants: only malformed_header from parsing; a parsed section
// is rewritten byte for byte; unwrapping yields a 32-byte file key, "not mine", header_auth_failed (a matching
// commitment over a damaged wrapped key) or malformed_header (a low-order or off-curve ephemeral key).

#include "format/header.hpp"
#include "format/limits.hpp"
#include "fuzz_support.hpp"
#include "keys/stanzas.hpp"
#include "ovseal/identity.hpp"
#include "ovseal/key.hpp"

using namespace ovseal;
using namespace ovseal::fuzz;
using E = ErrorCode;

namespace {

using Identities = VectorSecrets;

template <typename Identity>
void try_unwrap(const char* what, const Identity& identity, const format::Stanza& stanza) {
    std::optional<memory::SecretBytes> file_key;
    if (expect(what, {E::header_auth_failed, E::malformed_header},
               [&] { file_key = keys::unwrap_file_key(identity, stanza); }) &&
        file_key) {
        check(file_key->size() == 32, "a stanza unwrapped to a file key that is not 32 bytes");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const Identities ids;
    if (size < 2) return 0;
    const auto count = static_cast<std::uint16_t>((data[0] | data[1] << 8) % format::max_stanzas + 1);
    const Bytes section(data + 2, size - 2);

    std::vector<format::Stanza> stanzas;
    if (!expect("parse_stanzas", {E::malformed_header}, [&] { stanzas = format::parse_stanzas(section, count); })) {
        return 0;
    }
    check(stanzas.size() == count, "parse_stanzas returned another number of stanzas");
    std::vector<std::uint8_t> again;
    for (const auto& s : stanzas) {
        check(!s.type.empty() && s.type.size() <= format::max_stanza_type && s.args.size() <= format::max_stanza_args &&
                  s.body.size() <= format::max_stanza_body,
              "parse_stanzas accepted a stanza out of bounds");
        expect("stanza_bytes of a parsed stanza", {}, [&] {
            const auto bytes = format::stanza_bytes(s);
            again.insert(again.end(), bytes.begin(), bytes.end());
        });
    }
    check(std::equal(again.begin(), again.end(), section.begin(), section.end()),
          "stanza_bytes does not reproduce the stanza section");

    if (!expect("check_known_stanzas", {E::malformed_header}, [&] { keys::check_known_stanzas(stanzas); })) {
        return 0;
    }
    for (const auto* device : {&ids.x25519, &ids.p256}) {
        const auto choice = keys::choose_device_stanzas(device->public_key(), stanzas);
        std::size_t chosen = 0;
        for (std::size_t i = 0; i < stanzas.size(); ++i) {
            if (!choice.tries[i]) continue;
            check(keys::is_device_stanza_for(device->public_key().type(), stanzas[i]),
                  "a device was given a stanza of another type to try");
            const auto tag = keys::stanza_tag(stanzas[i]);
            check(!tag || *tag == keys::recipient_tag(device->public_key()),
                  "a device was given a stanza tagged for another device to try");
            if (tag || device->public_key().type() == DeviceKeyType::p256) ++chosen;
        }
        check(chosen == choice.tried && chosen <= keys::max_device_stanza_tries,
              "a device was given more device stanzas to try than the bound of FORMAT.md §7.4");
    }
    for (const auto& stanza : stanzas) {
        try_unwrap("unwrap with the key file", ids.key, stanza);
        try_unwrap("unwrap with the X25519 device", ids.x25519, stanza);
        try_unwrap("unwrap with the P-256 device", ids.p256, stanza);
    }
    return 0;
}
