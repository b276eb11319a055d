// SPDX-License-Identifier: Apache-2.0
// ovseal's sealed model cache (docs/FORMAT.md §16): OpenVINO's own cache_dir would store the CPU plugin's
// transformed weights in plaintext, so compiled models are exported into locked memory and sealed instead.

#include <algorithm>
#include <system_error>

#include <openvino/runtime/properties.hpp>

#include "cache/cache_entry.hpp"
#include "container/opened_container.hpp"
#include "memory/locked_streambuf.hpp"
#include "memory/plaintext_hold.hpp"
#include "openvino/compile_options.hpp"
#include "openvino/memory_loader.hpp"
#include "openvino/model_files.hpp"
#include "openvino/sealed_off_directory.hpp"
#include "openvino/secure_allocator.hpp"
#include "ovseal/error.hpp"
#include "ovseal/openvino.hpp"

namespace ovseal {
namespace {

std::string one_line(const std::exception& e) {
    std::string text = e.what();
    for (char& c : text) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    return text;
}

// Authenticates and decrypts the entry into protected memory and imports it. Any failure throws.
ov::CompiledModel import_entry(ov::Core& core, const std::filesystem::path& path, const Key& key,
                               std::span<const std::uint8_t> binding, const std::string& device,
                               const ov::AnyMap& config) {
    const auto entry = container::open_cache_entry(path, key, binding);
    const std::size_t size = entry.entries()[0].size;
    // The tensor owns the protected buffer through ov::Allocator. The CPU plugin of OpenVINO 2026.4 does not copy
    // the blob: it keeps a reference to the tensor and uses the weights in it in place, so that reference keeps
    // the locked buffer alive for the life of the compiled model, which wipes it when released (checked by
    // CompileCache.ImportBufferLivesAsLongAsTheCompiledModel).
    ov::Tensor blob(ov::element::u8, ov::Shape{size}, ov::Allocator(openvino::SecureAllocator{}));
    entry.decrypt_entry(0, {blob.data<std::uint8_t>(), size});
    memory::plaintext_reached_openvino();
    // The import reads the model inside the blob from a string, and so looks for ".bin" in the working directory:
    // it runs where no such file can be. Where that cannot be arranged, the cache is not used.
    ov::CompiledModel compiled;
    bool failed = false;
    const bool isolated = openvino::run_in_sealed_off_directory([&] {
        try {
            compiled = core.import_model(blob, device, config);
        } catch (const std::exception&) {
            failed = true;
        }
    });
    if (!isolated) throw Error(ErrorCode::internal, "a thread could not be given a working directory of its own");
    if (failed) {
        // Not OpenVINO's message: it could quote the decrypted blob.
        throw Error(ErrorCode::model_rejected, "OpenVINO could not import the compiled model");
    }
    return compiled;
}

// The export is usually about the size of the model's entries (the CPU plugin writes the original weights).
std::size_t export_size_hint(const container::OpenedContainer& model) {
    std::uint64_t total = 0;
    for (const auto& e : model.entries()) total += e.size;
    return static_cast<std::size_t>(
        std::min<std::uint64_t>(total + total / 16 + (std::uint64_t{1} << 20), std::uint64_t{1} << 40));
}

void store_entry(ov::CompiledModel compiled, std::size_t size_hint, const std::filesystem::path& dir,
                 const std::filesystem::path& path, const Key& key, std::span<const std::uint8_t> binding) {
    memory::LockedStreamBuf buffer(size_hint);
    {
        std::ostream out(&buffer);
        try {
            compiled.export_model(out);
        } catch (const std::exception&) {
            throw Error(ErrorCode::model_rejected, "OpenVINO could not export the compiled model");
        }
        if (!out) {
            throw Error(ErrorCode::internal, "the compiled model could not be written to protected memory");
        }
    }
    std::error_code ec;
    if (std::filesystem::create_directories(dir, ec)) {
        std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
    }
    crypto::SystemRandom random;
    container::write_cache_entry(path, key, binding, openvino::runtime_version(), buffer.bytes(), random);
}

}  // namespace

ov::CompiledModel compile_model(ov::Core& core, const std::filesystem::path& sealed, const KeyRing& ring,
                                const std::string& device, const ov::AnyMap& config, const CompileCache& cache) {
    openvino::check_compile_target(core, device, config);
    const auto hold = memory::hold_plaintext();
    const auto file = container::OpenedContainer::open(sealed, ring);

    CacheReport report;
    std::optional<Key> key;
    std::vector<std::uint8_t> binding;
    if (cache.dir.empty()) {
        // Not the current folder by accident: an empty path means no cache.
        report.outcome = CacheReport::Outcome::not_stored;
        report.notice = "ovseal cache: not used: no cache folder given";
    } else if (!openvino::sealed_off_directory_available()) {
        report.outcome = CacheReport::Outcome::not_stored;
        report.notice =
            "ovseal cache: not used: importing an entry safely needs a thread with a working directory "
            "of its own, and this system denies it (unshare is refused, e.g. by a seccomp profile)";
    } else
        try {
            const auto model_ref = container::cache_model_ref(file.raw_header(), file.preamble().stanzas_length);
            binding =
                container::cache_binding(openvino::runtime_version(), device,
                                         container::canonical_options(openvino::cache_options(config)), model_ref);
            // With a device identity, entries are bound to it too: a holder of the file key alone cannot make one.
            const auto device_secret = container::cache_device_secret(ring, file);
            key = device_secret
                      ? container::cache_entry_key(file.file_key(secret_access()), device_secret->secret(), binding)
                      : container::cache_entry_key(file.file_key(secret_access()), binding);
            report.entry = cache.dir / container::cache_entry_name(binding);
        } catch (const Error& e) {
            report.outcome = CacheReport::Outcome::not_stored;
            report.notice = "ovseal cache: not used: " + one_line(e);
        }

    std::error_code ec;
    if (key && std::filesystem::exists(report.entry, ec)) {
        try {
            auto compiled = import_entry(core, report.entry, *key, binding, device, config);
            report.outcome = CacheReport::Outcome::hit;
            if (cache.report) cache.report(report);
            return compiled;
        } catch (const std::exception& e) {
            report.outcome = CacheReport::Outcome::rebuilt;
            report.notice = "ovseal cache: ignored entry " + report.entry.filename().string() + " (" + one_line(e) +
                            "); compiled again";
        }
    }

    auto compiled = openvino::compile_read_model(core, openvino::read_opened_model(file), device, config);
    if (key) {
        try {
            store_entry(compiled, export_size_hint(file), cache.dir, report.entry, *key, binding);
            if (report.outcome == CacheReport::Outcome::rebuilt) report.notice += " and replaced it";
        } catch (const std::exception& e) {
            report.outcome = CacheReport::Outcome::not_stored;
            report.notice +=
                (report.notice.empty() ? "ovseal cache: " : "; ") + std::string("entry not stored: ") + one_line(e);
        }
    }
    if (cache.report) cache.report(report);
    return compiled;
}

ov::CompiledModel compile_model(ov::Core& core, const std::filesystem::path& sealed, const Key& key,
                                const std::string& device, const ov::AnyMap& config, const CompileCache& cache) {
    return compile_model(core, sealed, KeyRing({key}), device, config, cache);
}

ov::CompiledModel compile_model(ov::Core& core, const std::filesystem::path& sealed, const std::vector<Key>& keys,
                                const std::string& device, const ov::AnyMap& config, const CompileCache& cache) {
    return compile_model(core, sealed, KeyRing(keys), device, config, cache);
}

}  // namespace ovseal
