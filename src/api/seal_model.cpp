// SPDX-License-Identifier: Apache-2.0
// Sealing a model: refusing unsafe outputs, converting to IR in locked memory where needed, then sealing.

#include "ovseal/seal.hpp"

#include "api/seal_parameters.hpp"
#include "container/sealer.hpp"
#include "openvino/model_conversion.hpp"
#include "openvino/model_files.hpp"
#include "ovseal/error.hpp"
#include "ovseal/sealed_file.hpp"

namespace ovseal {
namespace {

bool converts(openvino::SourceFormat format, ModelConversion conversion) {
    if (format == openvino::SourceFormat::ir) return false;
    if (!openvino::loadable_from_memory(format)) return true;
    return conversion == ModelConversion::to_ir;
}

// A SavedModel folder given as "dir/" is named after the folder.
std::string default_name(const std::filesystem::path& model) {
    auto p = model;
    if (!p.has_filename()) p = p.parent_path();
    return p.stem().string();
}

}  // namespace

void seal_model(const std::filesystem::path& model, const std::filesystem::path& output,
                const std::vector<Key>& recipients, const SealOptions& options) {
    if (std::error_code ec; std::filesystem::is_regular_file(model, ec) && is_sealed_file(model)) {
        throw Error(ErrorCode::usage, "'" + model.string() +
                                          "' is a sealed file, not a model: to change who can open "
                                          "it, use rewrap or reseal (with the publisher's keys)");
    }
    const auto source = openvino::describe_model(model);
    const bool convert = converts(source.format, options.conversion);
    if (convert && options.conversion == ModelConversion::keep_format) {
        throw Error(ErrorCode::unsupported_model,
                    std::string("a device cannot load ") + openvino::format_name(source.format) +
                        " from memory, so it must be converted to IR to be sealed; seal it without keeping its format");
    }
    std::error_code ec;
    const auto target = std::filesystem::weakly_canonical(output, ec);
    for (const auto& f : source.files) {
        if (!ec && std::filesystem::weakly_canonical(f, ec) == target) {
            throw Error(ErrorCode::usage, "the output '" + output.string() + "' would overwrite the model it seals");
        }
    }

    std::vector<container::PackageEntry> files;
    std::unique_ptr<openvino::ConvertedModel> converted;  // the IR in locked memory, until it is sealed
    if (convert) {
        converted = openvino::convert_to_ir(model, source);
        const std::string stem = default_name(model);
        files.push_back({stem + ".xml", format::EntryKind::ir_xml, {}, converted->xml.bytes()});
        files.push_back({stem + ".bin", format::EntryKind::ir_bin, {}, converted->bin.bytes()});
    } else {
        files = openvino::find_model_files(model);
        if (options.check_model) openvino::check_model_readable(model, source.format);
    }
    container::SealParameters parameters = api::seal_parameters(options);
    auto& m = parameters.metadata;
    m.model_name = options.name ? options.name : std::optional<std::string>(default_name(model));
    m.model_version = options.version;
    m.description = options.description;
    m.openvino_version = openvino::runtime_version();

    crypto::SystemRandom random;
    container::seal_package(files, recipients, parameters, output, random);
}

}  // namespace ovseal
