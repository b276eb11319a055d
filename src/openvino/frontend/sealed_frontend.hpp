// SPDX-License-Identifier: Apache-2.0
#pragma once

// The OpenVINO frontend "ovseal": ov::Core::read_model / compile_model on a sealed file, in applications that
// know nothing of ovseal. It claims files that start with the ovseal magic and loads them exactly as
// ovseal::read_model does (src/openvino/memory_loader.cpp), with the key ring of key_ring_source.hpp.

#include <memory>
#include <vector>

#include <openvino/core/any.hpp>
#include <openvino/core/model.hpp>
#include <openvino/frontend/frontend.hpp>
#include <openvino/frontend/input_model.hpp>

namespace ovseal::frontend {

/// The framework name OpenVINO knows the frontend by.
inline constexpr const char* framework_name = "ovseal";

/// A sealed file, already authenticated and decrypted: the model whose weights sit in locked memory.
class SealedInputModel : public ov::frontend::InputModel {
public:
    explicit SealedInputModel(std::shared_ptr<ov::Model> model) : m_model(std::move(model)) {}
    const std::shared_ptr<ov::Model>& model() const noexcept { return m_model; }

private:
    std::shared_ptr<ov::Model> m_model;
};

class SealedFrontEnd : public ov::frontend::FrontEnd {
public:
    std::string get_name() const override { return framework_name; }
    std::shared_ptr<ov::Model> convert(const ov::frontend::InputModel::Ptr& model) const override;
    /// ov::Core hands its extensions (custom operations) to the frontend that reads a model: they are passed on
    /// to the frontend that reads the decrypted one.
    void add_extension(const std::shared_ptr<ov::Extension>& extension) override;

protected:
    /// True for a path (string, wide string or std::filesystem::path) naming a sealed file; never throws.
    bool supported_impl(const std::vector<ov::Any>& variants) const override;
    /// Authenticates and decrypts; an ovseal::Error becomes an ov::Exception whose message holds
    /// "ovseal error CODE (NAME): MESSAGE", and the thread's last error.
    ov::frontend::InputModel::Ptr load_impl(const std::vector<ov::Any>& variants) const override;

private:
    std::vector<std::shared_ptr<ov::Extension>> m_extensions;
};

}  // namespace ovseal::frontend
