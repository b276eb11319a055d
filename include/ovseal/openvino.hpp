#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <openvino/core/any.hpp>
#include <openvino/core/model.hpp>
#include <openvino/runtime/compiled_model.hpp>
#include <openvino/runtime/core.hpp>

#include "ovseal/identity.hpp"
#include "ovseal/hardening.hpp"
#include "ovseal/key.hpp"

namespace ovseal {

/// Opens a sealed model with `key`, authenticates all of it, and reads it into OpenVINO from memory.
/// The weights are decrypted straight into locked, non-dumpable memory owned by the returned model (through
/// an ov::Allocator) and wiped when the last Model / CompiledModel that uses them is released.
/// Throws ovseal::Error; nothing reaches OpenVINO unless every byte it gets has been authenticated.
std::shared_ptr<ov::Model> read_model(ov::Core& core, const std::filesystem::path& sealed, const Key& key);
std::shared_ptr<ov::Model> read_model(ov::Core& core, const std::filesystem::path& sealed,
                                      const std::vector<Key>& keys);
/// With a key ring: key files, passphrases, device identities and licences, under its trust list. With a trust
/// list, the publisher signature over every chunk is verified before OpenVINO receives anything.
std::shared_ptr<ov::Model> read_model(ov::Core& core, const std::filesystem::path& sealed, const KeyRing& ring);

/// read_model, then ov::Core::compile_model. Refuses a configuration with a model cache (ov::cache_dir), which
/// would write decrypted weights to disk.
ov::CompiledModel compile_model(ov::Core& core, const std::filesystem::path& sealed, const Key& key,
                                const std::string& device = "CPU", const ov::AnyMap& config = {});
ov::CompiledModel compile_model(ov::Core& core, const std::filesystem::path& sealed, const std::vector<Key>& keys,
                                const std::string& device = "CPU", const ov::AnyMap& config = {});
ov::CompiledModel compile_model(ov::Core& core, const std::filesystem::path& sealed, const KeyRing& ring,
                                const std::string& device = "CPU", const ov::AnyMap& config = {});

}  // namespace ovseal
