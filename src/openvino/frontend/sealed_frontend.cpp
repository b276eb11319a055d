// SPDX-License-Identifier: Apache-2.0
// The "ovseal" OpenVINO frontend: claiming sealed files and loading them as ovseal::read_model does.

#include "sealed_frontend.hpp"

#include <filesystem>
#include <optional>
#include <string>

#include <openvino/core/except.hpp>

#include "key_ring_source.hpp"
#include "ovseal/environment.hpp"
#include "ovseal/error.hpp"
#include "ovseal/openvino.hpp"
#include "ovseal/sealed_file.hpp"

namespace ovseal::frontend {
namespace {

// The model path as OpenVINO passes it: a string, a wide string or a std::filesystem::path.
std::optional<std::filesystem::path> path_of(const ov::Any& variant) {
    if (variant.is<std::string>()) return std::filesystem::path(variant.as<std::string>());
    if (variant.is<std::filesystem::path>()) return variant.as<std::filesystem::path>();
    if (variant.is<std::wstring>()) return std::filesystem::path(variant.as<std::wstring>());
    return std::nullopt;
}

[[noreturn]] void fail(ErrorCode code, const std::string& message) {
    record_error(code, message);
    OPENVINO_THROW("ovseal error ", static_cast<int>(code), " (", std::string(error_name(code)), "): ", message);
}

std::shared_ptr<ov::Model> open_sealed(const std::vector<ov::Any>& variants,
                                       const std::vector<std::shared_ptr<ov::Extension>>& extensions) {
    const auto path = variants.empty() ? std::nullopt : path_of(variants[0]);
    if (!path) throw Error(ErrorCode::usage, "the ovseal frontend reads a sealed model from a file path");
    // An entry point, like the CLI: ovseal's variables (OVSEAL_THREADS, OVSEAL_HARDEN, ...) become this copy of
    // the library's options, read afresh at every load, and its notices go to standard error.
    apply_environment();
    print_notices_on_standard_error();
    for (std::size_t i = 1; i < variants.size(); ++i) {
        if (path_of(variants[i])) {
            throw Error(ErrorCode::usage, "a sealed model carries its own weights: give no weights file with it");
        }
    }
    return read_model(*path, key_ring_for_this_thread(), extensions);
}

}  // namespace

bool SealedFrontEnd::supported_impl(const std::vector<ov::Any>& variants) const {
    try {
        if (variants.empty()) return false;
        const auto path = path_of(variants[0]);
        return path && is_sealed_file(*path);
    } catch (...) {
        return false;  // unreadable, missing, a folder, not a path: not ours to load
    }
}

ov::frontend::InputModel::Ptr SealedFrontEnd::load_impl(const std::vector<ov::Any>& variants) const {
    clear_error();
    std::optional<Error> failure;
    try {
        return std::make_shared<SealedInputModel>(open_sealed(variants, m_extensions));
    } catch (const Error& e) {
        failure = e;
    } catch (const std::exception& e) {
        failure = Error(ErrorCode::internal, std::string("unexpected failure: ") + e.what());
    }
    fail(failure->code(), failure->what());
}

void SealedFrontEnd::add_extension(const std::shared_ptr<ov::Extension>& extension) {
    m_extensions.push_back(extension);
}

std::shared_ptr<ov::Model> SealedFrontEnd::convert(const ov::frontend::InputModel::Ptr& model) const {
    const auto sealed = std::dynamic_pointer_cast<SealedInputModel>(model);
    if (!sealed) fail(ErrorCode::usage, "the ovseal frontend converts only the models it loaded itself");
    return sealed->model();
}

}  // namespace ovseal::frontend
