// SPDX-License-Identifier: Apache-2.0
// Reading decrypted IR and ONNX through OpenVINO's frontends, keeping every constant in ovseal's locked weights.

#include "openvino/frontend_reader.hpp"

#include <cstdint>
#include <optional>
#include <string>

#include <openvino/core/graph_util.hpp>
#include <openvino/core/preprocess/pre_post_process.hpp>
#include <openvino/core/rt_info.hpp>
#include <openvino/frontend/manager.hpp>
#include <openvino/op/constant.hpp>
#include <openvino/op/util/multi_subgraph_base.hpp>

#include "ovseal/error.hpp"

namespace ovseal::openvino {
namespace {

std::shared_ptr<ov::Model> read_with(const char* framework, const ov::AnyVector& inputs, const Extensions& extensions) {
    ov::frontend::FrontEndManager manager;
    const auto frontend = manager.load_by_framework(framework);
    frontend->add_extension(extensions);
    return frontend->convert(frontend->load(inputs));
}

// Where the bytes at [data, data + size) sit in the weights file, if OpenVINO's mapping of it holds them.
std::optional<std::uint64_t> file_offset(const std::vector<memory::MappedView>& views, const void* data,
                                         std::size_t size) {
    const auto address = reinterpret_cast<std::uintptr_t>(data);
    for (const auto& v : views) {
        if (address >= v.begin && size <= v.end - address) return v.file_offset + (address - v.begin);
    }
    return std::nullopt;
}

// OpenVINO reads the weights by mapping the in-memory file itself. Each constant is replaced by one at the same
// bytes of ovseal's own mapping, which it keeps alive: OpenVINO's mapping goes with the old constants, and the
// memory is wiped when the last constant (of this model or of anything compiled from it) is released. A constant
// whose bytes are in neither place did not come from the sealed weights: refused.
void rebind_constants(const std::shared_ptr<ov::Model>& model, const std::shared_ptr<memory::LockedRegion>& weights,
                      const std::vector<memory::MappedView>& views) {
    for (const auto& node : model->get_ordered_ops()) {
        if (const auto sub = ov::as_type_ptr<ov::op::util::MultiSubGraphOp>(node)) {
            for (const auto& body : sub->get_functions()) rebind_constants(body, weights, views);
            continue;
        }
        const auto constant = ov::as_type_ptr<ov::op::v0::Constant>(node);
        if (!constant || constant->get_byte_size() == 0 || constant->get_element_type() == ov::element::string) {
            continue;  // no bytes; or strings, which OpenVINO decodes from the weights into objects of its own
        }
        const auto offset = file_offset(views, constant->get_data_ptr(), constant->get_byte_size());
        if (!offset || *offset > weights->size() || constant->get_byte_size() > weights->size() - *offset) {
            throw Error(ErrorCode::model_rejected,
                        "OpenVINO built the decrypted model with a constant ('" + constant->get_friendly_name() +
                            "') whose bytes are not in the sealed weights; the model is refused");
        }
        const std::shared_ptr<void> keep_alive = weights;
        const auto rebound = std::make_shared<ov::op::v0::Constant>(constant->get_element_type(), constant->get_shape(),
                                                                    weights->data() + *offset, keep_alive);
        rebound->set_friendly_name(constant->get_friendly_name());
        ov::copy_runtime_info(constant, rebound);
        rebound->output(0).get_tensor().set_names(constant->output(0).get_names());
        rebound->output(0).get_rt_info() = constant->output(0).get_rt_info();
        ov::replace_node(constant, rebound);
    }
}

// IR version 10 (the format before 2022) is read by ov::Core with the conventions of its time: f16 inputs are
// given as f32, integer outputs as i32 and other outputs as f32, and operation names also name the model's inputs
// and outputs. A sealed v10 model loads as ov::Core::read_model loads the plain one.
ov::element::Type legacy_input_type(const ov::element::Type& type) {
    return type == ov::element::f16 ? ov::element::f32 : type;
}

ov::element::Type legacy_output_type(const ov::element::Type& type) {
    if (type == ov::element::i64 || type == ov::element::u64 || type == ov::element::i32 || type == ov::element::u32) {
        return ov::element::i32;
    }
    return ov::element::f32;
}

void apply_ir_v10_conventions(std::shared_ptr<ov::Model>& model) {
    if (!model->has_rt_info("version") || model->get_rt_info<std::int64_t>("version") != 10) return;
    ov::preprocess::PrePostProcessor steps(model);
    for (std::size_t i = 0; i < model->inputs().size(); ++i) {
        steps.input(i).tensor().set_element_type(legacy_input_type(model->input(i).get_element_type()));
    }
    for (std::size_t i = 0; i < model->outputs().size(); ++i) {
        steps.output(i).tensor().set_element_type(legacy_output_type(model->output(i).get_element_type()));
    }
    for (const auto& parameter : model->get_parameters()) {
        parameter->output(0).get_tensor().add_names({parameter->get_friendly_name()});
    }
    for (const auto& result : model->get_results()) {
        const auto source = result->input_value(0);
        std::string name = source.get_node()->get_friendly_name();
        if (source.get_node()->get_output_size() != 1) name += "." + std::to_string(source.get_index());
        result->output(0).get_tensor().add_names({name});
    }
    model = steps.build();
}

}  // namespace

std::shared_ptr<ov::Model> read_ir(const memory::LockedRegion& xml, std::shared_ptr<memory::LockedRegion> weights,
                                   const Extensions& extensions) {
    // The weights path is always given, so the IR frontend never looks for one of its own. An empty file cannot
    // be mapped: it is read instead (there is nothing to read).
    const bool map_weights = weights->size() > 0;
    auto model = read_with("ir", {xml.path(), weights->path(), map_weights}, extensions);
    rebind_constants(model, weights, weights->other_views());
    apply_ir_v10_conventions(model);
    return model;
}

std::shared_ptr<ov::Model> read_onnx(const memory::LockedRegion& onnx, const Extensions& extensions) {
    return read_with("onnx", {onnx.path()}, extensions);
}

}  // namespace ovseal::openvino
