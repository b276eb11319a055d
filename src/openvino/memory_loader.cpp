// SPDX-License-Identifier: Apache-2.0
// The one place that hands decrypted models to OpenVINO.

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>

#include "container/opened_container.hpp"
#include "memory/locked_region.hpp"
#include "memory/plaintext_hold.hpp"
#include "openvino/disk_writes.hpp"
#include "openvino/frontend_reader.hpp"
#include "openvino/memory_loader.hpp"
#include "openvino/model_files.hpp"
#include "openvino/onnx_external_data.hpp"
#include "openvino/sealed_off_directory.hpp"
#include "ovseal/error.hpp"
#include "ovseal/openvino.hpp"

namespace ovseal {
namespace {

struct ModelEntries {
    std::optional<std::size_t> xml, bin, onnx;
};

ModelEntries find_model_entries(const container::OpenedContainer& file) {
    ModelEntries found;
    const auto& entries = file.entries();
    for (std::size_t i = 0; i < entries.size(); ++i) {
        std::optional<std::size_t>* slot = nullptr;
        switch (static_cast<format::EntryKind>(entries[i].kind)) {
            case format::EntryKind::ir_xml:
                slot = &found.xml;
                break;
            case format::EntryKind::ir_bin:
                slot = &found.bin;
                break;
            case format::EntryKind::onnx:
                slot = &found.onnx;
                break;
            default:
                continue;  // opaque entries are not part of the model
        }
        if (slot->has_value()) {
            throw Error(ErrorCode::unsupported_model, "the sealed package holds two model entries of one kind");
        }
        *slot = i;
    }
    const bool ir = found.xml.has_value() && !found.onnx.has_value();
    const bool onnx = found.onnx.has_value() && !found.xml.has_value() && !found.bin.has_value();
    if (!ir && !onnx) {
        throw Error(ErrorCode::unsupported_model,
                    "the sealed package is not a loadable model (it needs an IR .xml with an optional .bin, or "
                    "one .onnx)");
    }
    return found;
}

[[noreturn]] void model_rejected(const format::Body& body) {
    // OpenVINO's own message may quote the decrypted model, so it is not passed on.
    const std::string sealed_with = body.metadata.openvino_version.value_or("an unknown version");
    throw Error(ErrorCode::model_rejected,
                "OpenVINO could not read the decrypted model. It authenticated, so it is exactly what the "
                "publisher sealed; it was sealed with OpenVINO " +
                    sealed_with + " and this is OpenVINO " + openvino::runtime_version() +
                    ": ask the publisher for a model this version reads");
}

// OpenVINO is given every path it needs; it reads on a thread whose working directory is sealed off as well, so
// that a lookup of its own anywhere in its frontends finds nothing (and where the system denies that, the paths
// alone still name nothing but ovseal's in-memory files).
std::shared_ptr<ov::Model> read_isolated(const std::function<std::shared_ptr<ov::Model>()>& read) {
    std::shared_ptr<ov::Model> model;
    if (!openvino::run_in_sealed_off_directory([&] { model = read(); })) model = read();
    return model;
}

}  // namespace

namespace openvino {

std::shared_ptr<ov::Model> read_opened_model(const container::OpenedContainer& file, const Extensions& extensions) {
    // OpenVINO's pass tracing would write the model to disk while it reads it, before any compile.
    refuse_model_dumps(std::getenv);
    const auto hold = memory::hold_plaintext();
    const ModelEntries entries = find_model_entries(file);
    const auto& list = file.entries();

    // Plaintext goes into in-memory files (locked, wiped, named only by this process's descriptors), which
    // OpenVINO's frontends open by the paths given here and nothing else.
    if (entries.onnx) {
        const auto onnx = memory::LockedRegion::in_memory_file(list[*entries.onnx].size);
        const container::EntryOutput output{*entries.onnx, {onnx.data(), onnx.size()}};
        file.decrypt_entries({&output, 1}, false);
        if (!onnx_external_data_files({onnx.data(), onnx.size()}).empty()) {
            throw Error(ErrorCode::unsupported_model,
                        "the sealed ONNX model refers to external data files; ovseal loads only single-file ONNX "
                        "models (seal ONNX with external data as IR)");
        }
        memory::plaintext_reached_openvino();
        try {
            return read_isolated([&] { return read_onnx(onnx, extensions); });
        } catch (const Error&) {
            throw;
        } catch (const std::exception&) {
            model_rejected(file.body());
        }
    }

    // Weights are decrypted once, straight into the memory the model's constants will use; the model keeps it
    // alive, and it is wiped when the last user lets go.
    const auto xml = memory::LockedRegion::in_memory_file(list[*entries.xml].size);
    const std::uint64_t weights_size = entries.bin ? list[*entries.bin].size : 0;
    // The weights carry a plaintext hold, so the process stays hardened while any constant uses them.
    struct HeldWeights {
        memory::PlaintextHold hold = memory::hold_plaintext();  // released after the region is wiped
        memory::LockedRegion region;
    };
    auto held = std::make_shared<HeldWeights>();
    held->region = memory::LockedRegion::in_memory_file(weights_size);
    std::shared_ptr<memory::LockedRegion> weights(held, &held->region);
    std::vector<container::EntryOutput> outputs = {{*entries.xml, {xml.data(), xml.size()}}};
    if (weights_size > 0) outputs.push_back({*entries.bin, {weights->data(), weights->size()}});
    // One pass: every chunk authenticated (and, under a trust list, the signature) before OpenVINO sees a byte.
    file.decrypt_entries(outputs, false);
    memory::plaintext_reached_openvino();
    try {
        return read_isolated([&] { return read_ir(xml, weights, extensions); });
    } catch (const Error&) {
        throw;
    } catch (const std::exception&) {
        model_rejected(file.body());
    }
}

std::shared_ptr<ov::Model> read_sealed_model(const std::filesystem::path& sealed, const KeyRing& ring,
                                             const Extensions& extensions) {
    // The process is hardened before any plaintext exists, for as long as this call or the weights live.
    const auto hold = memory::hold_plaintext();
    return read_opened_model(container::OpenedContainer::open(sealed, ring), extensions);
}

ov::CompiledModel compile_read_model(ov::Core& core, const std::shared_ptr<ov::Model>& model, const std::string& device,
                                     const ov::AnyMap& config) {
    try {
        return core.compile_model(model, device, config);
    } catch (const std::exception&) {
        throw Error(ErrorCode::model_rejected, "OpenVINO could not compile the decrypted model for device '" + device +
                                                   "' with the configuration given");
    }
}

}  // namespace openvino

std::shared_ptr<ov::Model> read_model(ov::Core&, const std::filesystem::path& sealed, const KeyRing& ring) {
    // The model is read by OpenVINO's frontends directly (see frontend_reader.hpp); the Core compiles it.
    return openvino::read_sealed_model(sealed, ring, {});
}

std::shared_ptr<ov::Model> read_model(const std::filesystem::path& sealed, const KeyRing& ring,
                                      const std::vector<std::shared_ptr<ov::Extension>>& extensions) {
    return openvino::read_sealed_model(sealed, ring, extensions);
}

std::shared_ptr<ov::Model> read_model(ov::Core& core, const std::filesystem::path& sealed,
                                      const std::vector<Key>& keys) {
    return read_model(core, sealed, KeyRing(keys));
}

std::shared_ptr<ov::Model> read_model(ov::Core& core, const std::filesystem::path& sealed, const Key& key) {
    return read_model(core, sealed, KeyRing({key}));
}

ov::CompiledModel compile_model(ov::Core& core, const std::filesystem::path& sealed, const KeyRing& ring,
                                const std::string& device, const ov::AnyMap& config) {
    openvino::check_compile_target(core, device, config);
    return openvino::compile_read_model(core, read_model(core, sealed, ring), device, config);
}

ov::CompiledModel compile_model(ov::Core& core, const std::filesystem::path& sealed, const std::vector<Key>& keys,
                                const std::string& device, const ov::AnyMap& config) {
    return compile_model(core, sealed, KeyRing(keys), device, config);
}

ov::CompiledModel compile_model(ov::Core& core, const std::filesystem::path& sealed, const Key& key,
                                const std::string& device, const ov::AnyMap& config) {
    return compile_model(core, sealed, KeyRing({key}), device, config);
}

}  // namespace ovseal
