// The one place that hands decrypted models to OpenVINO.

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string>


#include "container/sealed_file.hpp"
#include "memory/plaintext_hold.hpp"
#include "memory/wipe.hpp"
#include "openvino/disk_writes.hpp"
#include "openvino/memory_loader.hpp"
#include "openvino/model_files.hpp"
#include "openvino/secure_allocator.hpp"
#include "ovseal/error.hpp"
#include "ovseal/openvino.hpp"

namespace ovseal {
namespace {

struct ModelEntries {
    std::optional<std::size_t> xml, bin, onnx;
};

ModelEntries find_model_entries(const container::SealedFile& file) {
    ModelEntries found;
    const auto& entries = file.entries();
    for (std::size_t i = 0; i < entries.size(); ++i) {
        std::optional<std::size_t>* slot = nullptr;
        switch (static_cast<format::EntryKind>(entries[i].kind)) {
        case format::EntryKind::ir_xml: slot = &found.xml; break;
        case format::EntryKind::ir_bin: slot = &found.bin; break;
        case format::EntryKind::onnx: slot = &found.onnx; break;
        default: continue;  // opaque entries are not part of the model
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

// A std::string holding plaintext (OpenVINO's API takes the topology as one), wiped however we leave.
class WipedString {
public:
    explicit WipedString(std::size_t size) : m_text(size, '\0') {}
    ~WipedString() { memory::wipe(m_text.data(), m_text.size()); }
    WipedString(const WipedString&) = delete;
    WipedString& operator=(const WipedString&) = delete;
    std::string& text() { return m_text; }
    std::span<std::uint8_t> bytes() { return {reinterpret_cast<std::uint8_t*>(m_text.data()), m_text.size()}; }

private:
    std::string m_text;
};

[[noreturn]] void model_rejected(const format::Body& body) {
    // OpenVINO's own message may quote the decrypted model, so it is not passed on.
    const std::string sealed_with = body.metadata.openvino_version.value_or("an unknown version");
    throw Error(ErrorCode::model_rejected,
                "OpenVINO could not read the decrypted model. It authenticated, so it is exactly what the "
                "publisher sealed; it was sealed with OpenVINO " +
                    sealed_with + " and this is OpenVINO " + openvino::runtime_version() +
                    ": ask the publisher for a model this version reads");
}

}  // namespace

namespace openvino {

std::shared_ptr<ov::Model> read_opened_model(ov::Core& core, const container::SealedFile& file) {
    // OpenVINO's pass tracing would write the model to disk while it reads it, before any compile.
    refuse_model_dumps(std::getenv);
    const auto hold = memory::hold_plaintext();
    const ModelEntries entries = find_model_entries(file);
    const auto& list = file.entries();

    if (entries.onnx) {
        WipedString onnx(list[*entries.onnx].size);
        const container::EntryOutput output{*entries.onnx, onnx.bytes()};
        file.decrypt_entries({&output, 1}, false);
        // OpenVINO copies an ONNX model's constants into memory ovseal cannot track: stay hardened for good.
        static const memory::PlaintextHold onnx_hold = memory::hold_plaintext();
        try {
            return core.read_model(onnx.text(), ov::Tensor{});
        } catch (const std::exception&) {
            model_rejected(file.body());
        }
    }

    // Weights are decrypted once, straight into the tensor's protected memory; the model keeps that
    // tensor (and so the memory) alive, and the allocator wipes it when the last user lets go.
    ov::Tensor weights;
    WipedString xml(list[*entries.xml].size);
    std::vector<container::EntryOutput> outputs = {{*entries.xml, xml.bytes()}};
    if (entries.bin && list[*entries.bin].size > 0) {
        const auto size = list[*entries.bin].size;
        weights = ov::Tensor(ov::element::u8, ov::Shape{size}, ov::Allocator(openvino::SecureAllocator{}));
        outputs.push_back({*entries.bin, {weights.data<std::uint8_t>(), size}});
    }
    // One pass: every chunk authenticated (and, under a trust list, the signature) before OpenVINO sees a byte.
    file.decrypt_entries(outputs, false);
    try {
        return core.read_model(xml.text(), weights);
    } catch (const std::exception&) {
        model_rejected(file.body());
    }
}

ov::CompiledModel compile_read_model(ov::Core& core, const std::shared_ptr<ov::Model>& model,
                                     const std::string& device, const ov::AnyMap& config) {
    try {
        return core.compile_model(model, device, config);
    } catch (const std::exception&) {
        throw Error(ErrorCode::model_rejected, "OpenVINO could not compile the decrypted model for device '" +
                                                   device + "' with the configuration given");
    }
}

}  // namespace openvino

std::shared_ptr<ov::Model> read_model(ov::Core& core, const std::filesystem::path& sealed, const KeyRing& ring) {
    // The process is hardened before any plaintext exists, for as long as this call or the weights live.
    const auto hold = memory::hold_plaintext();
    return openvino::read_opened_model(core, container::SealedFile::open(sealed, ring));
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
