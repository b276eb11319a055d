#include "ovseal/seal.hpp"

#include "api/seal_parameters.hpp"
#include "container/sealer.hpp"
#include "openvino/model_files.hpp"
#include "ovseal/error.hpp"

namespace ovseal {

void seal_model(const std::filesystem::path& model, const std::filesystem::path& output,
                const std::vector<Key>& recipients, const SealOptions& options) {
    const auto files = openvino::find_model_files(model);
    std::error_code ec;
    const auto target = std::filesystem::weakly_canonical(output, ec);
    for (const auto& f : files) {
        if (!ec && std::filesystem::weakly_canonical(f.source, ec) == target) {
            throw Error(ErrorCode::usage, "the output '" + output.string() + "' would overwrite the model it seals");
        }
    }
    if (options.check_model) {
        openvino::check_model_readable(model);
    }
    container::SealParameters parameters = api::seal_parameters(options);
    auto& m = parameters.metadata;
    m.model_name = options.name ? options.name : std::optional<std::string>(model.stem().string());
    m.model_version = options.version;
    m.description = options.description;
    m.openvino_version = openvino::runtime_version();

    crypto::SystemRandom random;
    container::seal_package(files, recipients, parameters, output, random);
}

}  // namespace ovseal
