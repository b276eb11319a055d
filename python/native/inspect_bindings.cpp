// SPDX-License-Identifier: Apache-2.0
// Python bindings for inspecting and verifying sealed files, their results handed over as dicts.

#include "binding.hpp"
#include "key_ring.hpp"
#include "ovseal/sealed_file.hpp"

namespace ovseal::python {
namespace {

py::dict to_dict(const FileInfo& info) {
    py::list entries;
    for (const auto& entry : info.entries) {
        entries.append(
            py::dict(py::arg("name") = entry.name, py::arg("kind") = entry.kind, py::arg("size") = entry.size));
    }
    py::dict d;
    d["format_version"] = info.format_version;
    d["file_size"] = info.file_size;
    d["header_size"] = info.header_size;
    d["chunk_size"] = info.chunk_size;
    d["chunk_count"] = info.chunk_count;
    d["stanza_types"] = info.stanza_types;
    d["entries"] = entries;
    d["model_name"] = info.model_name;
    d["model_version"] = info.model_version;
    d["description"] = info.description;
    d["created"] = info.created;
    d["openvino_version"] = info.openvino_version;
    d["sealed_by"] = info.sealed_by;
    d["unknown_records"] = info.unknown_records;
    d["signer_key_id"] = info.signer_key_id;
    d["model_id"] = info.model_id;
    d["verified"] = info.verified;
    d["signature_verified"] = info.signature_verified;
    d["opened_unsigned_by_device"] = info.opened_unsigned_by_device;
    d["license_only"] = info.license_only;
    return d;
}

}  // namespace

void bind_sealed_file(py::module_& m) {
    m.def(
        "inspect", [](const std::string& path) { return to_dict(inspect(path)); }, py::arg("path"),
        "The public header of a sealed file, read without a key (NOT authenticated).");
    m.def(
        "verify",
        [](const std::string& path, const py::dict& ring) {
            apply_environment_now();
            const KeyRing keys = key_ring_from(ring);
            FileInfo info;
            {
                py::gil_scoped_release unlocked;
                info = verify(path, keys);
            }
            return to_dict(info);
        },
        py::arg("path"), py::arg("ring"), "Authenticates the header, every chunk and the signature policy.");
    m.def(
        "model_id", [](const std::string& path) { return model_id(path); }, py::arg("path"));
    m.def(
        "is_sealed_file", [](const std::string& path) { return is_sealed_file(path); }, py::arg("path"));
}

}  // namespace ovseal::python
