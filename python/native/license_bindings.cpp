// SPDX-License-Identifier: Apache-2.0
// Python bindings for issuing device licenses and reading a license's public terms.

#include "binding.hpp"
#include "key_ring.hpp"
#include "ovseal/license.hpp"
#include "signing.hpp"

namespace ovseal::python {

void bind_licenses(py::module_& m) {
    m.def(
        "issue_licenses",
        [](const std::string& sealed, const py::dict& ring, const std::vector<std::string>& devices,
           const std::string& signer, const std::optional<SecretBytes>& signer_passphrase, std::uint64_t not_before,
           std::uint64_t expires, const std::string& note) {
            apply_environment_now();
            const KeyRing opener = key_ring_from(ring);
            std::vector<DevicePublicKey> to;
            for (const auto& text : devices) to.push_back(DevicePublicKey::parse(text));
            const SigningKey key = load_signer(signer, signer_passphrase);
            std::vector<std::vector<std::uint8_t>> issued;
            {
                py::gil_scoped_release unlocked;
                issued = issue_licenses(sealed, opener, to, LicenseTerms{not_before, expires, note}, key);
            }
            py::list result;
            for (const auto& license : issued) {
                result.append(py::bytes(reinterpret_cast<const char*>(license.data()), license.size()));
            }
            return result;
        },
        py::arg("sealed"), py::arg("ring"), py::arg("devices"), py::arg("signer"), py::arg("signer_passphrase"),
        py::arg("not_before"), py::arg("expires"), py::arg("note"),
        "Licenses (bytes, in DEVICES order) for the devices to open SEALED, signed by SIGNER.");
    m.def(
        "inspect_license",
        [](const std::string& path) {
            const LicenseInfo info = inspect_license(path);
            py::dict d;
            d["model_id"] = info.model_id;
            d["device"] = info.device.to_string();
            d["not_before"] = info.not_before;
            d["expires"] = info.expires;
            d["note"] = info.note;
            d["signer"] = info.signer.to_string();
            d["size"] = info.size;
            return d;
        },
        py::arg("path"), "Reads a license and checks its own signature (not whether its signer is trusted).");
}

}  // namespace ovseal::python
