// SPDX-License-Identifier: Apache-2.0
// Python binding for sealing a model, and loading the publisher signing key from a file or a PKCS#11 token.

#include "binding.hpp"
#include "key_ring.hpp"
#include "ovseal/environment.hpp"
#include "ovseal/error.hpp"
#include "ovseal/pkcs11.hpp"
#include "ovseal/seal.hpp"
#include "signing.hpp"

namespace ovseal::python {

SigningKey load_signer(const std::string& path_or_uri, const std::optional<SecretBytes>& passphrase) {
    if (is_pkcs11_uri(path_or_uri)) return SigningKey::from_pkcs11(path_or_uri, with_environment({}));
    std::optional<Key> unlock;
    if (passphrase) unlock = Key::from_passphrase(passphrase->secret_text());
    return SigningKey::load(path_or_uri, unlock);
}

namespace {

ModelConversion conversion_from(const std::string& name) {
    if (name == "automatic") return ModelConversion::automatic;
    if (name == "to_ir") return ModelConversion::to_ir;
    if (name == "keep_format") return ModelConversion::keep_format;
    throw Error(ErrorCode::usage, "unknown conversion '" + name + "' (automatic, to_ir or keep_format)");
}

std::vector<DevicePublicKey> parse_devices(const std::vector<std::string>& texts) {
    std::vector<DevicePublicKey> devices;
    for (const auto& text : texts) devices.push_back(DevicePublicKey::parse(text));
    return devices;
}

void seal(const std::string& model, const std::string& output, const py::dict& recipients,
          const std::vector<std::string>& devices, const std::optional<std::string>& sign,
          const std::optional<SecretBytes>& sign_passphrase, const std::optional<std::string>& name,
          const std::optional<std::string>& version, const std::optional<std::string>& description,
          std::size_t chunk_size, unsigned scrypt_log2_n, bool check_model, const std::string& conversion,
          bool license_only) {
    apply_environment_now();
    const KeyRing keys = key_ring_from(recipients);
    SealOptions options;
    options.name = name;
    options.version = version;
    options.description = description;
    options.chunk_size = chunk_size;
    options.scrypt_log2_n = scrypt_log2_n;
    options.check_model = check_model;
    options.conversion = conversion_from(conversion);
    options.license_only = license_only;
    options.devices = parse_devices(devices);
    if (sign) options.sign = load_signer(*sign, sign_passphrase);
    py::gil_scoped_release unlocked;
    seal_model(model, output, keys.keys, options);
}

}  // namespace

void bind_seal(py::module_& m) {
    m.def("seal", &seal, py::arg("model"), py::arg("output"), py::arg("recipients"), py::arg("devices"),
          py::arg("sign"), py::arg("sign_passphrase"), py::arg("name"), py::arg("version"), py::arg("description"),
          py::arg("chunk_size"), py::arg("scrypt_log2_n"), py::arg("check_model"), py::arg("conversion"),
          py::arg("license_only"),
          "Seals MODEL into OUTPUT for the keys in RECIPIENTS (a key-ring dict) and DEVICES (public key texts).");
}

}  // namespace ovseal::python
