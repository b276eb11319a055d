#include "ovseal/seal.hpp"

#include <bit>
#include <chrono>

#include "container/sealer.hpp"
#include "openvino/model_files.hpp"
#include "ovseal/error.hpp"
#include "ovseal/version.hpp"

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
    container::SealParameters parameters;
    parameters.scrypt_log2_n = options.scrypt_log2_n;
    parameters.devices = options.devices;
    parameters.signer = options.sign;
    if (options.chunk_size != 0) {
        if (!std::has_single_bit(options.chunk_size)) {
            throw Error(ErrorCode::usage, "the chunk size must be a power of two from 64 KiB to 4 MiB");
        }
        parameters.chunk_size_log2 = static_cast<unsigned>(std::countr_zero(options.chunk_size));
    }
    auto& m = parameters.metadata;
    m.model_name = options.name ? options.name : std::optional<std::string>(model.stem().string());
    m.model_version = options.version;
    m.description = options.description;
    m.created = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    m.openvino_version = openvino::runtime_version();
    m.sealed_by = std::string("ovseal ") + ovseal::version();

    crypto::SystemRandom random;
    container::seal_package(files, recipients, parameters, output, random);
}

}  // namespace ovseal
