// SPDX-License-Identifier: Apache-2.0
// Python bindings for creating key files, device identities and publisher signing keys.

#include "binding.hpp"
#include "ovseal/error.hpp"
#include "ovseal/identity.hpp"
#include "signing.hpp"

namespace ovseal::python {
namespace {

DeviceIdentity create_identity(const std::string& dir, const std::string& storage, const TpmOptions& tpm) {
    if (storage == "file") return DeviceIdentity::create(dir);
    if (storage == "tpm") return DeviceIdentity::create_in_tpm(dir, tpm);
    if (storage == "tpm-p256") return DeviceIdentity::create_p256_in_tpm(dir, tpm);
    throw Error(ErrorCode::usage, "unknown identity storage '" + storage + "' (file, tpm or tpm-p256)");
}

}  // namespace

void bind_keys(py::module_& m) {
    m.def(
        "generate_key", [](const std::string& path) { Key::generate().save(path); }, py::arg("path"),
        "Writes a new random 256-bit key file (mode 0600); refuses to overwrite.");
    m.def(
        "create_identity",
        [](const std::string& dir, const std::string& storage, const std::string& tcti, const std::string& pcrs) {
            return create_identity(dir, storage, TpmOptions{tcti, pcrs}).public_key().to_string();
        },
        py::arg("dir"), py::arg("storage"), py::arg("tcti"), py::arg("pcrs"),
        "Creates a device identity folder; returns its public key text.");
    m.def(
        "identity_public_key",
        [](const std::string& dir, const std::string& tcti) {
            return DeviceIdentity::load(dir, TpmOptions{tcti, {}}).public_key().to_string();
        },
        py::arg("dir"), py::arg("tcti"));
    m.def(
        "device_key_id", [](const std::string& text) { return DevicePublicKey::parse(text).key_id(); },
        py::arg("public_key"));
    m.def(
        "generate_signing_key",
        [](const std::string& path, const std::optional<SecretBytes>& passphrase, unsigned scrypt_log2_n) {
            const SigningKey key = SigningKey::generate();
            std::optional<Key> protect;
            if (passphrase) protect = Key::from_passphrase(passphrase->secret_text());
            key.save(path, protect, scrypt_log2_n);
            return key.public_key().to_string();
        },
        py::arg("path"), py::arg("passphrase"), py::arg("scrypt_log2_n"),
        "Writes PATH and PATH.pub; returns the public key text.");
    m.def(
        "signing_public_key",
        [](const std::string& path, const std::optional<SecretBytes>& passphrase) {
            return load_signer(path, passphrase).public_key().to_string();
        },
        py::arg("path"), py::arg("passphrase"));
    m.def(
        "publisher_key_id", [](const std::string& text) { return PublisherPublicKey::parse(text).key_id(); },
        py::arg("public_key"));
}

}  // namespace ovseal::python
