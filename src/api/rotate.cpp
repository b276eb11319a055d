// SPDX-License-Identifier: Apache-2.0
// Key rotation: re-wrapping the file key (cheap, keeps signatures and licenses) and resealing (new file key).

#include <algorithm>
#include <set>
#include <string>

#include "api/seal_parameters.hpp"
#include "container/opened_container.hpp"
#include "container/sealer.hpp"
#include "keys/stanzas.hpp"
#include "memory/locked_region.hpp"
#include "openvino/model_files.hpp"
#include "ovseal/error.hpp"
#include "ovseal/seal.hpp"

namespace ovseal {
namespace {

// Re-publishing a file is the publisher's business: a license or a device identity lets a device read a model,
// and re-wrapping or re-sealing with it would turn a license into a key file that never expires. This guards the
// tool only: the stanzas are outside the signed message (FORMAT.md §12.1), so whoever holds the file key can add
// one by following the spec; a license-only file (FORMAT.md §5.1) is what keeps such a copy shut under a trust list.
void require_publisher_keys(const KeyRing& opener, const std::string& command) {
    if (!opener.licenses.empty() || !opener.identities.empty()) {
        throw Error(ErrorCode::usage,
                    command +
                        " opens the file only with the publisher's key files or passphrase, not with a license "
                        "or a device identity: a license lets one device read the model for its window, it "
                        "does not let it re-publish the model");
    }
}

}  // namespace

void rewrap(const std::filesystem::path& sealed, const std::filesystem::path& output, const KeyRing& opener,
            const RewrapChanges& changes) {
    require_publisher_keys(opener, "rewrap");
    // rewrap_file authenticates what it copies
    const auto file = container::OpenedContainer::open(sealed, opener, container::OpenPurpose::republish);
    if (file.body().metadata.license_only && !changes.add_devices.empty()) {
        throw Error(ErrorCode::usage,
                    "the model is license-only: a device stanza would never open it under a "
                    "trust list; issue the device a license instead");
    }

    const auto& old = file.stanzas();
    std::set<std::size_t> removed(changes.remove_stanzas.begin(), changes.remove_stanzas.end());
    for (std::size_t index : removed) {
        if (index >= old.size()) {
            throw Error(ErrorCode::usage, "there is no stanza " + std::to_string(index) + " (the file has " +
                                              std::to_string(old.size()) + ")");
        }
    }
    for (std::size_t i = 0; i < old.size(); ++i) {
        if (changes.remove_passphrase && old[i].type == keys::scrypt_stanza_type) removed.insert(i);
        for (const Key& key : changes.remove_opened_by) {
            if (keys::unwrap_file_key(key, old[i])) removed.insert(i);
        }
    }
    std::vector<format::Stanza> stanzas;
    for (std::size_t i = 0; i < old.size(); ++i) {
        if (!removed.contains(i)) stanzas.push_back(old[i]);
    }
    crypto::SystemRandom random;
    for (const Key& key : changes.add_keys) {
        stanzas.push_back(keys::wrap_file_key(key, file.file_key(secret_access()), changes.scrypt_log2_n, random));
    }
    std::vector<format::Stanza> kept = old;  // in place, as `inspect` numbers them
    for (const std::size_t i : removed) kept[i] = {};
    keys::refuse_repeated_devices(changes.add_devices, kept);
    for (const auto& device : changes.add_devices) {
        stanzas.push_back(keys::wrap_file_key(device, file.file_key(secret_access()), random));
    }
    if (stanzas.empty()) {
        throw Error(ErrorCode::usage, "re-wrapping would leave no way to open the file: add a key first");
    }
    if (std::count_if(stanzas.begin(), stanzas.end(),
                      [](const format::Stanza& s) { return s.type == keys::scrypt_stanza_type; }) > 1) {
        throw Error(ErrorCode::usage, "a file holds one passphrase: remove the old one to add a new one");
    }
    container::rewrap_file(file, stanzas, output);
}

void reseal(const std::filesystem::path& sealed, const std::filesystem::path& output, const KeyRing& opener,
            const std::vector<Key>& recipients, const SealOptions& options) {
    require_publisher_keys(opener, "reseal");
    const auto file = container::OpenedContainer::open(sealed, opener, container::OpenPurpose::republish);
    container::SealParameters parameters = api::seal_parameters(options);
    const auto created = parameters.metadata.created;
    const auto sealed_by = parameters.metadata.sealed_by;
    const bool license_only = parameters.metadata.license_only || file.body().metadata.license_only;  // kept
    parameters.metadata = file.body().metadata;  // the model's name, version, description, OpenVINO version
    parameters.metadata.license_only = license_only;
    parameters.metadata.unknown_records.clear();
    parameters.metadata.created = created;
    parameters.metadata.sealed_by = sealed_by;
    if (options.chunk_size == 0) {
        parameters.chunk_size_log2 = file.body().chunk_size_log2;
    }
    container::check_license_only(parameters);  // before anything is decrypted

    // The whole plaintext, in locked memory, authenticated (and signature-checked under a trust list).
    std::vector<memory::LockedRegion> plaintexts;
    std::vector<container::EntryOutput> outputs;
    for (std::size_t i = 0; i < file.entries().size(); ++i) {
        plaintexts.emplace_back(static_cast<std::size_t>(std::max<std::uint64_t>(file.entries()[i].size, 1)));
        outputs.push_back({i, {plaintexts.back().data(), static_cast<std::size_t>(file.entries()[i].size)}});
    }
    file.decrypt_entries(outputs, true);

    std::vector<container::PackageEntry> entries;
    for (std::size_t i = 0; i < file.entries().size(); ++i) {
        const auto& e = file.entries()[i];
        entries.push_back({e.name, static_cast<format::EntryKind>(e.kind), {}, outputs[i].out});
    }
    crypto::SystemRandom random;
    container::seal_package(entries, recipients, parameters, output, random);
}

}  // namespace ovseal
