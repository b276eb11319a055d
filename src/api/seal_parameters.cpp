// SPDX-License-Identifier: Apache-2.0
// Turning the public SealOptions into the sealer's parameters, with the chunk size checked and the tool recorded.

#include "api/seal_parameters.hpp"

#include <bit>
#include <chrono>
#include <string>

#include "ovseal/error.hpp"
#include "ovseal/version.hpp"

namespace ovseal::api {

container::SealParameters seal_parameters(const SealOptions& options) {
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
    parameters.metadata.created = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    parameters.metadata.sealed_by = std::string("ovseal ") + ovseal::version();
    parameters.metadata.license_only = options.license_only;
    return parameters;
}

}  // namespace ovseal::api
