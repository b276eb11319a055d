// SPDX-License-Identifier: Apache-2.0
// Converting a model OpenVINO reads from files into IR held in locked memory, its weights kept in their precision.

#include "openvino/model_conversion.hpp"

#include <openvino/pass/manager.hpp>
#include <openvino/pass/serialize.hpp>
#include <openvino/runtime/core.hpp>

#include "progress/progress.hpp"
#include "openvino/model_files.hpp"
#include "ovseal/error.hpp"

namespace ovseal::openvino {

std::unique_ptr<ConvertedModel> convert_to_ir(const std::filesystem::path& model, const ModelSource& source) {
    std::uint64_t total = 0;
    for (const auto& file : source.files) {
        std::error_code ec;
        const auto size = std::filesystem::file_size(file, ec);
        if (!ec) total += size;
    }
    container::Progress progress("converting", std::max<std::uint64_t>(total, 1));
    progress.add(0);
    auto converted = std::make_unique<ConvertedModel>();
    try {
        const auto read = read_publisher_model(model, source.format);
        progress.add(total / 2);  // read; serialising is the other half
        // ov::pass::Serialize, not ov::save_model: save_model compresses weights to f16 by default, and the
        // sealed model must compute exactly what the original does.
        ov::pass::Manager manager;
        manager.register_pass<ov::pass::Serialize>(converted->xml, converted->bin);
        manager.run_passes(read);
    } catch (const Error&) {
        throw;  // locked memory could not be had, or not a model of its format
    } catch (const std::exception& e) {
        // The publisher's own plaintext model: OpenVINO's message is safe to show here.
        throw Error(ErrorCode::model_rejected, "OpenVINO cannot read '" + model.string() + "' (" +
                                                   format_name(source.format) + "), so it was not sealed: " + e.what());
    }
    if (!converted->xml || !converted->bin) {
        throw Error(ErrorCode::internal, "could not hold the converted model in locked memory");
    }
    progress.add(std::max<std::uint64_t>(total, 1) - total / 2);
    return converted;
}

}  // namespace ovseal::openvino
