// SPDX-License-Identifier: Apache-2.0
#pragma once

// Reading and compiling sealed models into OpenVINO from locked memory, with an optional sealed model cache.

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <openvino/core/any.hpp>
#include <openvino/core/extension.hpp>
#include <openvino/core/model.hpp>
#include <openvino/runtime/compiled_model.hpp>
#include <openvino/runtime/core.hpp>

#include "ovseal/identity.hpp"
#include "ovseal/hardening.hpp"
#include "ovseal/key.hpp"

namespace ovseal {

/// Opens a sealed model with `key`, authenticates all of it, and reads it into OpenVINO from memory: OpenVINO's
/// frontends read in-memory files that ovseal names, never a path of their own. The weights are decrypted straight
/// into locked, non-dumpable memory that the model's constants keep alive and that is wiped when the last
/// Model / CompiledModel that uses them is released. `core` compiles; it does not read (extensions added to it do
/// not reach the reader: load models with custom operations through the ovseal frontend, whose Core passes them on).
/// Throws ovseal::Error; nothing reaches OpenVINO unless every byte it gets has been authenticated.
std::shared_ptr<ov::Model> read_model(ov::Core& core, const std::filesystem::path& sealed, const Key& key);
std::shared_ptr<ov::Model> read_model(ov::Core& core, const std::filesystem::path& sealed,
                                      const std::vector<Key>& keys);
/// With a key ring: key files, passphrases, device identities and licenses, under its trust list. With a trust
/// list, the publisher signature over every chunk is verified before OpenVINO receives anything.
std::shared_ptr<ov::Model> read_model(ov::Core& core, const std::filesystem::path& sealed, const KeyRing& ring);
/// The same, with OpenVINO extensions (custom operations) handed to the frontend that reads the decrypted model:
/// what the ovseal OpenVINO frontend does with the extensions its Core gives it.
std::shared_ptr<ov::Model> read_model(const std::filesystem::path& sealed, const KeyRing& ring,
                                      const std::vector<std::shared_ptr<ov::Extension>>& extensions);

/// read_model, then ov::Core::compile_model. Refuses a configuration with a model cache (ov::cache_dir), which
/// would write decrypted weights to disk.
ov::CompiledModel compile_model(ov::Core& core, const std::filesystem::path& sealed, const Key& key,
                                const std::string& device = "CPU", const ov::AnyMap& config = {});
ov::CompiledModel compile_model(ov::Core& core, const std::filesystem::path& sealed, const std::vector<Key>& keys,
                                const std::string& device = "CPU", const ov::AnyMap& config = {});
ov::CompiledModel compile_model(ov::Core& core, const std::filesystem::path& sealed, const KeyRing& ring,
                                const std::string& device = "CPU", const ov::AnyMap& config = {});

/// What a compile with ovseal's sealed model cache did, reported once per call.
struct CacheReport {
    enum class Outcome {
        hit,         // imported from a cache entry: no model was decrypted or compiled
        stored,      // compiled; a new entry was stored
        rebuilt,     // the entry was stale, foreign or damaged: ignored, compiled again and replaced
        not_stored,  // compiled, but no entry could be stored (the notice says why)
    };
    Outcome outcome = Outcome::stored;
    std::string notice;           // one line for the caller to log; empty for a plain hit or store
    std::filesystem::path entry;  // the entry's file (its name is derived from public data only)
};

/// ovseal's model cache: compiled models sealed in `dir` (docs/FORMAT.md §16), each bound to the model, the
/// OpenVINO version, the device and the compile options, and readable only with the model's key.
struct CompileCache {
    std::filesystem::path dir;                       // created if missing (0700); empty: no cache
    std::function<void(const CacheReport&)> report;  // optional
};

/// compile_model with a sealed cache. On a miss the model is compiled as above, exported into locked memory and
/// sealed into the cache (temporary name, rename, mode 0600); on a hit the entry is authenticated and decrypted
/// into locked memory and imported, without decrypting or compiling the model. A stale, foreign, damaged or
/// unreadable entry, or a cache folder that cannot be written, never fails the call: it is reported and the
/// model compiled. Errors opening the model itself throw ovseal::Error as above.
ov::CompiledModel compile_model(ov::Core& core, const std::filesystem::path& sealed, const KeyRing& ring,
                                const std::string& device, const ov::AnyMap& config, const CompileCache& cache);
ov::CompiledModel compile_model(ov::Core& core, const std::filesystem::path& sealed, const Key& key,
                                const std::string& device, const ov::AnyMap& config, const CompileCache& cache);
ov::CompiledModel compile_model(ov::Core& core, const std::filesystem::path& sealed, const std::vector<Key>& keys,
                                const std::string& device, const ov::AnyMap& config, const CompileCache& cache);

}  // namespace ovseal
