#include "openvino/model_files.hpp"

#include <algorithm>
#include <cctype>

#include <openvino/runtime/core.hpp>

#include "ovseal/error.hpp"

namespace ovseal::openvino {
namespace {

std::string lower_extension(const std::filesystem::path& p) {
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext;
}

}  // namespace

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
        throw Error(ErrorCode::unsupported_model,
                    "cannot seal '" + model.string() +
                        "': not a model format ovseal seals. ovseal seals OpenVINO IR (.xml with its .bin) and single-file ONNX (.onnx); convert "
                        "other formats to IR first (for example with `ovc`)");
    }
    return entries;
}

void check_model_readable(const std::filesystem::path& model) {
    try {
        ov::Core core;
        core.read_model(model.string());
    } catch (const std::exception& e) {
        // The publisher's own plaintext model: OpenVINO's message is safe to show here.
        throw Error(ErrorCode::model_rejected,
                    "OpenVINO cannot read '" + model.string() + "', so it was not sealed: " + e.what());
    }
}

std::string runtime_version() { return ov::get_openvino_version().buildNumber; }

}  // namespace ovseal::openvino
