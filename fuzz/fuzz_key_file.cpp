// SPDX-License-Identifier: Apache-2.0
// Key files (docs/FORMAT.md §14): the input is a file's content, read as each kind of key file the way the
// library reads them from paths: a key file (Key::from_key_file), a device identity (DIR/identity through
// DeviceIdentity::load), a publisher signing key (SigningKey::load, plain or passphrase-protected) and a
// passphrase file. Invariants: only invalid_key (and usage for a protected signing key given no passphrase, or
// no_matching_key for a wrong passphrase); whatever loads survives save -> load unchanged.
// A protected signing key is given a passphrase only when its scrypt work factor is out of range (the range
// check comes before scrypt); one scrypt of 2^16 or more per input would stall the fuzzer.

#include "crypto/crypto.hpp"
#include "fuzz_support.hpp"
#include "keys/identity_secrets.hpp"
#include "keys/key_secret.hpp"
#include "keys/public_key_text.hpp"
#include "ovseal/identity.hpp"
#include "ovseal/key.hpp"

using namespace ovseal;
using namespace ovseal::fuzz;
using E = ErrorCode;

namespace {

bool equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

// True when the first line that starts with the protected form has a work factor byte outside 16..20.
bool protected_with_bad_work_factor(std::string_view text) {
    constexpr std::string_view prefix = "OVSEAL-ED25519-ENCRYPTED-1:";
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t end = std::min(text.find('\n', pos), text.size());
        const auto line = text.substr(pos, end - pos);
        pos = end + 1;
        if (!line.starts_with(prefix)) continue;
        std::uint8_t log2_n = 0;
        if (line.size() < prefix.size() + 66 ||
            !keys::parse_hex(line.substr(prefix.size() + 64, 2), std::span(&log2_n, 1))) {
            return false;
        }
        return log2_n < 16 || log2_n > 20;
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Bytes input(data, size);
    const auto path = write_scratch("key", input);

    std::optional<Key> key;
    if (expect("Key::from_key_file", {E::invalid_key}, [&] { key = Key::from_key_file(path); })) {
        check(key->kind() == Key::Kind::key && key->secret(secret_access()).bytes.size() == 32,
              "a key file loaded a bad key");
        remove_scratch("saved.key");
        std::optional<Key> again;
        expect("Key::save and load again", {}, [&] {
            key->save(scratch_dir() / "saved.key");
            again = Key::from_key_file(scratch_dir() / "saved.key");
        });
        check(equal(again->secret(secret_access()).bytes.secret(), key->secret(secret_access()).bytes.secret()),
              "a key file changed on save");
    }

    // DIR/identity, as `--identity DIR` reads it (the folder holds no identity.tpm).
    std::filesystem::create_directories(scratch_dir() / "device");
    write_scratch("device/identity", input);
    std::optional<DeviceIdentity> device;
    if (expect("DeviceIdentity::load", {E::invalid_key},
               [&] { device = DeviceIdentity::load(scratch_dir() / "device"); })) {
        const auto& secret = device->secret(secret_access()).private_key.secret();
        check(secret.size() == 32 && device->public_key().type() == DeviceKeyType::x25519, "a bad device identity");
        const auto pub = crypto::x25519_public_key(crypto::KeyView(secret));
        check(equal(pub, device->public_key().bytes()), "a device identity's public key is not its private key's");
    }

    std::optional<Key> passphrase;
    if (protected_with_bad_work_factor(as_text(input))) passphrase = Key::from_passphrase("fuzz");
    std::optional<SigningKey> signing;
    if (expect("SigningKey::load", {E::invalid_key, E::usage, E::no_matching_key},
               [&] { signing = SigningKey::load(path, passphrase); })) {
        check(!signing->in_token() && signing->secret(secret_access()).seed.size() == 32,
              "a signing key file loaded a bad seed");
        const auto pub = crypto::ed25519_public_key(crypto::KeyView(signing->secret(secret_access()).seed));
        check(pub == signing->public_key().bytes(), "a signing key's public key is not its seed's");
        remove_scratch("signing.key");
        remove_scratch("signing.key.pub");
        std::optional<SigningKey> again;
        expect("SigningKey::save and load again", {}, [&] {
            signing->save(scratch_dir() / "signing.key");
            again = SigningKey::load(scratch_dir() / "signing.key");
        });
        check(again->public_key() == signing->public_key(), "a signing key changed on save");
    }

    std::optional<Key> from_file;
    if (expect("Key::from_passphrase_file", {E::invalid_key}, [&] { from_file = Key::from_passphrase_file(path); })) {
        const auto bytes = from_file->secret(secret_access()).bytes.secret();
        check(!bytes.empty() && bytes.size() <= size && equal(bytes, input.first(bytes.size())) &&
                  size - bytes.size() <= 2,
              "a passphrase file gave a passphrase that is not its content less one line ending");
    }
    return 0;
}
