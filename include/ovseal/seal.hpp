#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ovseal/identity.hpp"
#include "ovseal/key.hpp"

namespace ovseal {

struct SealOptions {
    std::optional<std::string> name;         ///< public model name (default: the model file's stem)
    std::optional<std::string> version;      ///< public model version
    std::optional<std::string> description;  ///< public description
    std::size_t chunk_size = 0;              ///< bytes, a power of two from 64 KiB to 4 MiB; 0 chooses
    unsigned scrypt_log2_n = 18;             ///< passphrase work factor, 16..20
    bool check_model = true;                 ///< read the model with OpenVINO before sealing it
    std::vector<DevicePublicKey> devices;    ///< devices that can open the file with their identity
    std::optional<SigningKey> sign;          ///< the publisher signature (devices and licences require one)
};

/// Seals a model for every key in `recipients` and every device in `options.devices`, signed if `options.sign`.
/// `model` is an IR `.xml` (its `.bin` beside it is included)
/// or a single-file `.onnx`. The output is written atomically; plaintext is never written anywhere.
void seal_model(const std::filesystem::path& model, const std::filesystem::path& output,
                const std::vector<Key>& recipients, const SealOptions& options = {});

}  // namespace ovseal
