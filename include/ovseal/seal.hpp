// SPDX-License-Identifier: Apache-2.0
#pragma once

// Sealing a model for keys and devices, and changing who can open a sealed file (rewrap, reseal).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ovseal/defaults.hpp"
#include "ovseal/identity.hpp"
#include "ovseal/key.hpp"

namespace ovseal {

/// What happens to a model that is not OpenVINO IR.
enum class ModelConversion {
    automatic,    ///< convert to IR what a device cannot read from memory: all but IR and single-file ONNX
    to_ir,        ///< convert single-file ONNX to IR as well
    keep_format,  ///< seal IR and single-file ONNX as they are; refuse (unsupported_model) what needs converting
};

struct SealOptions {
    std::optional<std::string> name;                 ///< public model name (default: the model file's stem)
    std::optional<std::string> version;              ///< public model version
    std::optional<std::string> description;          ///< public description
    std::size_t chunk_size = 0;                      ///< bytes, a power of two from 64 KiB to 4 MiB; 0 chooses
    unsigned scrypt_log2_n = default_scrypt_log2_n;  ///< passphrase work factor, 16..20
    bool check_model = true;                         ///< read the model with OpenVINO before sealing it
    std::vector<DevicePublicKey> devices;            ///< devices that can open the file with their identity
    std::optional<SigningKey> sign;                  ///< the publisher signature (devices and licenses require one)
    ModelConversion conversion = ModelConversion::automatic;  ///< which formats are converted to IR
    /// Devices with a trust list open the model only through a license signed by the key of `sign` (FORMAT.md
    /// §5.1, §9 step 5a): a copy re-wrapped by whoever learnt the file key does not open there. Needs `sign`;
    /// refuses `devices`. Resealing keeps it.
    bool license_only = false;
};

/// Seals a model for every key in `recipients` and every device in `options.devices`, signed if `options.sign`.
/// `model` is an IR `.xml` (its `.bin` beside it is included), an `.onnx` (with or without external data files),
/// a PaddlePaddle `.pdmodel` (its `.pdiparams` beside it), a TensorFlow frozen `.pb` or SavedModel folder, or a
/// TensorFlow Lite `.tflite`. Formats a device cannot read from memory are converted to IR in locked memory
/// first (see ModelConversion), so devices only ever load IR or single-file ONNX from memory. The output is
/// written atomically; plaintext is never written anywhere.
void seal_model(const std::filesystem::path& model, const std::filesystem::path& output,
                const std::vector<Key>& recipients, const SealOptions& options = {});

/// Changes to the stanzas of a sealed file that keep its file key, payload, signature and licenses.
struct RewrapChanges {
    std::vector<Key> add_keys;                 ///< key files, and at most one passphrase, to add
    std::vector<DevicePublicKey> add_devices;  ///< devices to add
    std::vector<std::size_t> remove_stanzas;   ///< stanza indexes to remove, as `inspect` lists them
    std::vector<Key> remove_opened_by;         ///< remove every stanza one of these keys opens
    bool remove_passphrase = false;            ///< remove the passphrase stanza (to change the passphrase)
    unsigned scrypt_log2_n = default_scrypt_log2_n;
};

/// Writes `output`: `sealed` with its stanzas changed, without re-encrypting anything. `opener` must open the
/// file with the publisher's key files or passphrase: a license or a device identity is refused (Error(usage)),
/// as in reseal. Removing a stanza does not revoke a key that has seen the file key: for that, reseal.
void rewrap(const std::filesystem::path& sealed, const std::filesystem::path& output, const KeyRing& opener,
            const RewrapChanges& changes);

/// Writes `output`: the model of `sealed` sealed again under a new file key for `recipients` and
/// `options.devices` (and signed if `options.sign`). Metadata is kept. The plaintext is held in locked memory
/// while it is re-encrypted, never on disk. Old signatures and licenses do not apply to the new file.
/// `opener` holds the publisher's key files or passphrase only (see rewrap).
void reseal(const std::filesystem::path& sealed, const std::filesystem::path& output, const KeyRing& opener,
            const std::vector<Key>& recipients, const SealOptions& options = {});

}  // namespace ovseal
