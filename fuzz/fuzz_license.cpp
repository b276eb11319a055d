// SPDX-License-Identifier: Apache-2.0
// Licenses (docs/FORMAT.md §13, versions 1 and 2). Each input is parsed twice: as it is, and re-signed by the
// fuzz targets' own key when its length matches its layout, so that mutated fields reach everything after the
// signature check (window, device point, unwrap). A license that parses for one of the test vectors' devices is
// unwrapped with that device, as OpenedContainer::open does after its device check.
// Invariants: parse_license throws only license_invalid or unsupported_version; a parsed license accounts for
// every byte (writing its fields back gives the input); unwrapping throws only license_invalid and yields 32 bytes.

#include <algorithm>

#include "crypto/crypto.hpp"
#include "format/byte_io.hpp"
#include "fuzz_support.hpp"
#include "policy/license_record.hpp"
#include "ovseal/identity.hpp"

using namespace ovseal;
using namespace ovseal::fuzz;
using E = ErrorCode;

namespace {

struct Fixed : VectorSecrets {
    crypto::Bytes32 signer = crypto::ed25519_public_key(crypto::KeyView(fuzz_seed));
};

const Fixed& fixed() {
    static const Fixed f;
    return f;
}

std::vector<std::uint8_t> written_back(const keys::License& l) {
    format::ByteWriter w;
    w.bytes(std::array<std::uint8_t, 8>{0x89, 'O', 'V', 'L', 'I', 'C', 'E', '\n'});
    w.u16(l.version);
    w.u16(static_cast<std::uint16_t>(l.note.size()));
    w.bytes(l.model_id);
    w.bytes(l.device.bytes());
    w.u64(l.not_before);
    w.u64(l.expires);
    w.bytes(l.ephemeral);
    w.bytes(l.wrapped);
    w.text(l.note);
    w.u8(1);
    w.bytes(l.signer);
    w.bytes(l.signature);
    return std::move(w.buffer());
}

void parse_and_use(const char* what, Bytes input) {
    keys::License license;
    if (!expect(what, {E::license_invalid, E::unsupported_version}, [&] { license = keys::parse_license(input); })) {
        return;
    }
    check(license.version == 1 || license.version == 2, "parse_license accepted another version");
    check(license.note.size() <= keys::max_license_note, "parse_license accepted a note over 1024 bytes");
    check(license.device.type() == (license.version == 2 ? DeviceKeyType::p256 : DeviceKeyType::x25519) &&
              license.ephemeral.size() == license.device.bytes().size(),
          "parse_license: the key type does not follow the version");
    check(license.not_before == 0 || license.expires == 0 || license.not_before < license.expires,
          "parse_license accepted an empty window");
    const auto again = written_back(license);
    check(std::equal(again.begin(), again.end(), input.begin(), input.end()),
          "a parsed license does not account for every byte of the file");

    for (const DeviceIdentity* identity : {&fixed().x25519, &fixed().p256}) {
        if (!(identity->public_key() == license.device)) continue;  // open_license checks the device first
        memory::SecretBytes file_key;
        if (expect("license_file_key", {E::license_invalid},
                   [&] { file_key = keys::license_file_key(license, *identity); })) {
            check(file_key.size() == 32, "a license unwrapped to a file key that is not 32 bytes");
        }
    }
}

// The input with its signer key and signature replaced by the fuzz key's, if its length matches its layout.
std::optional<std::vector<std::uint8_t>> resigned(Bytes input) {
    if (input.size() < 12) return std::nullopt;
    const unsigned version = format::load_u16(input.data() + 8);
    const std::size_t note = format::load_u16(input.data() + 10);
    if (version != 1 && version != 2) return std::nullopt;
    const std::size_t key_size = version == 2 ? 33 : 32;
    const std::size_t signed_size = 8 + 2 + 2 + 32 + 2 * key_size + 16 + 80 + note + 1 + 32;
    if (input.size() != signed_size + 64) return std::nullopt;
    std::vector<std::uint8_t> out(input.begin(), input.end());
    std::copy(fixed().signer.begin(), fixed().signer.end(),
              out.begin() + static_cast<std::ptrdiff_t>(signed_size - 32));
    const std::string_view label = "ovseal-v1 licence";
    std::vector<std::uint8_t> message(label.begin(), label.end());
    message.push_back(0);
    message.insert(message.end(), out.begin(), out.begin() + static_cast<std::ptrdiff_t>(signed_size));
    const auto signature = crypto::ed25519_sign(crypto::KeyView(fixed().fuzz_seed), message);
    std::copy(signature.begin(), signature.end(), out.begin() + static_cast<std::ptrdiff_t>(signed_size));
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Bytes input(data, size);
    parse_and_use("parse_license", input);
    if (const auto again = resigned(input)) parse_and_use("parse_license (re-signed)", *again);
    return 0;
}
