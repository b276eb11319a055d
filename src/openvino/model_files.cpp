// SPDX-License-Identifier: Apache-2.0
// Recognizing a model's format and the files it needs, and checking with OpenVINO that it reads before sealing.

#include "openvino/model_files.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>

#include <openvino/frontend/manager.hpp>
#include <openvino/runtime/core.hpp>

#include "memory/locked_region.hpp"
#include "openvino/onnx_external_data.hpp"
#include "ovseal/error.hpp"

namespace ovseal::openvino {
namespace {

std::string lower_extension(const std::filesystem::path& p) {
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext;
}

[[noreturn]] void not_a_model(const std::filesystem::path& model) {
    throw Error(ErrorCode::unsupported_model,
                "cannot seal '" + model.string() +
                    "': not a model format ovseal seals. ovseal seals OpenVINO IR (.xml with its .bin), ONNX (.onnx, "
                    "with or without external data), PaddlePaddle (.pdmodel), TensorFlow (.pb or a SavedModel "
                    "folder) and TensorFlow Lite (.tflite)");
}

void require_file(const std::filesystem::path& file, const std::string& what) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
        throw Error(ErrorCode::io, "cannot read " + what + " '" + file.string() + "': no such file");
    }
}

// The model file in locked memory: an ONNX file can hold all its weights.
memory::LockedRegion read_locked(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (!in || ec) throw Error(ErrorCode::io, "cannot read model '" + file.string() + "'");
    memory::LockedRegion region(static_cast<std::size_t>(std::max<std::uintmax_t>(size, 1)));
    in.read(reinterpret_cast<char*>(region.data()), static_cast<std::streamsize>(size));
    if (static_cast<std::uintmax_t>(in.gcount()) != size) {
        throw Error(ErrorCode::io, "cannot read model '" + file.string() + "'");
    }
    return region;
}

ModelSource describe_onnx(const std::filesystem::path& model) {
    ModelSource source{SourceFormat::onnx, {model}};
    const auto bytes = read_locked(model);
    const auto size = static_cast<std::size_t>(std::filesystem::file_size(model));
    for (const auto& location : onnx_external_data_files({bytes.data(), size})) {
        const auto file = model.parent_path() / location;
        require_file(file, "the external data file of model '" + model.filename().string() + "'");
        source.format = SourceFormat::onnx_external_data;
        source.files.push_back(file);
    }
    return source;
}

}  // namespace

ModelSource describe_model(const std::filesystem::path& model) {
    std::error_code ec;
    if (std::filesystem::is_directory(model, ec)) {
        if (!std::filesystem::is_regular_file(model / "saved_model.pb", ec)) not_a_model(model);
        return {SourceFormat::tensorflow_saved_model, {model / "saved_model.pb"}};
    }
    require_file(model, "model");
    const std::string ext = lower_extension(model);
    if (ext == ".xml") {
        ModelSource source{SourceFormat::ir, {model}};
        auto weights = model;
        weights.replace_extension(".bin");
        if (std::filesystem::is_regular_file(weights, ec)) source.files.push_back(weights);
        return source;
    }
    if (ext == ".onnx") return describe_onnx(model);
    if (ext == ".pdmodel") {
        ModelSource source{SourceFormat::paddle, {model}};
        auto weights = model;
        weights.replace_extension(".pdiparams");
        if (std::filesystem::is_regular_file(weights, ec)) source.files.push_back(weights);
        return source;
    }
    if (ext == ".pb") return {SourceFormat::tensorflow, {model}};
    if (ext == ".tflite") return {SourceFormat::tensorflow_lite, {model}};
    not_a_model(model);
}

const char* format_name(SourceFormat format) {
    switch (format) {
        case SourceFormat::ir:
            return "OpenVINO IR";
        case SourceFormat::onnx:
            return "ONNX";
        case SourceFormat::onnx_external_data:
            return "ONNX with external data";
        case SourceFormat::paddle:
            return "PaddlePaddle";
        case SourceFormat::tensorflow:
            return "TensorFlow";
        case SourceFormat::tensorflow_saved_model:
            return "TensorFlow SavedModel";
        case SourceFormat::tensorflow_lite:
            return "TensorFlow Lite";
    }
    return "unknown";
}

bool loadable_from_memory(SourceFormat format) {
    return format == SourceFormat::ir || format == SourceFormat::onnx;
}

std::vector<container::PackageEntry> find_model_files(const std::filesystem::path& model) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(model, ec)) {
        throw Error(ErrorCode::io, "cannot read model '" + model.string() + "': no such file");
    }
    const std::string ext = lower_extension(model);
    std::vector<container::PackageEntry> entries;
    if (ext == ".xml") {
        entries.push_back({model.filename().string(), format::EntryKind::ir_xml, model});
        auto weights = model;
        weights.replace_extension(".bin");
        if (std::filesystem::is_regular_file(weights, ec)) {
            entries.push_back({weights.filename().string(), format::EntryKind::ir_bin, weights});
        }
    } else if (ext == ".onnx") {
        entries.push_back({model.filename().string(), format::EntryKind::onnx, model});
    } else {
        not_a_model(model);
    }
    return entries;
}

std::shared_ptr<ov::Model> read_publisher_model(const std::filesystem::path& model, SourceFormat format) {
    // Each format by its own frontend, named here: never OpenVINO's search through every frontend it finds, which
    // with the ovseal frontend installed would decrypt a sealed file passed off as a model and seal it again.
    const char* framework = nullptr;
    switch (format) {
        case SourceFormat::ir:
            framework = "ir";
            break;
        case SourceFormat::onnx:
        case SourceFormat::onnx_external_data:
            framework = "onnx";
            break;
        case SourceFormat::paddle:
            framework = "paddle";
            break;
        case SourceFormat::tensorflow:
        case SourceFormat::tensorflow_saved_model:
            framework = "tf";
            break;
        case SourceFormat::tensorflow_lite:
            framework = "tflite";
            break;
    }
    ov::frontend::FrontEndManager manager;
    const auto frontend = manager.load_by_framework(framework);
    const ov::AnyVector inputs{model.string(), true};  // as ov::Core reads a path (memory-mapped weights)
    if (!frontend->supported(inputs)) {
        throw Error(ErrorCode::model_rejected, "'" + model.string() + "' is not a " + format_name(format) +
                                                   " model OpenVINO can read, so it was not sealed");
    }
    return frontend->convert(frontend->load(inputs));
}

void check_model_readable(const std::filesystem::path& model, SourceFormat format) {
    try {
        read_publisher_model(model, format);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        // The publisher's own plaintext model: OpenVINO's message is safe to show here.
        throw Error(ErrorCode::model_rejected,
                    "OpenVINO cannot read '" + model.string() + "', so it was not sealed: " + e.what());
    }
}

std::string runtime_version() {
    return ov::get_openvino_version().buildNumber;
}

}  // namespace ovseal::openvino
