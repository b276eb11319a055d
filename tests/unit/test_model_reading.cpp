// SPDX-License-Identifier: Apache-2.0
// How a decrypted model reaches OpenVINO (src/openvino/frontend_reader.cpp): from ovseal's in-memory files, its
// constants left pointing into ovseal's own locked weights, subgraph bodies included, and read as ov::Core reads
// the plain model (IR version 10's conventions too).

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <openvino/op/constant.hpp>
#include <openvino/op/convert.hpp>
#include <openvino/op/if.hpp>
#include <openvino/op/multiply.hpp>
#include <openvino/op/parameter.hpp>
#include <openvino/op/reduce_sum.hpp>
#include <openvino/op/result.hpp>
#include <openvino/op/topk.hpp>
#include <openvino/op/util/multi_subgraph_base.hpp>

#include "test_support.hpp"

namespace {

using namespace ovseal_test;

struct Range {
    std::uintptr_t begin, end;
};

// ovseal's own (writable) mappings of its in-memory plaintext files in this process; OpenVINO's mapping of the
// same file, made while it reads the model, is read-only.
std::vector<Range> plaintext_file_mappings() {
    std::vector<Range> ranges;
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        if (line.find("/memfd:ovseal-plaintext") == std::string::npos) continue;
        unsigned long begin = 0, end = 0;
        char perms[8] = {};
        if (std::sscanf(line.c_str(), "%lx-%lx %7s", &begin, &end, perms) == 3 && perms[1] == 'w') {
            ranges.push_back({begin, end});
        }
    }
    return ranges;
}

// Every constant with bytes, in the model and in the bodies of its subgraph operations.
void collect_constants(const std::shared_ptr<ov::Model>& model,
                       std::vector<std::shared_ptr<ov::op::v0::Constant>>& out) {
    for (const auto& node : model->get_ordered_ops()) {
        if (const auto sub = ov::as_type_ptr<ov::op::util::MultiSubGraphOp>(node)) {
            for (const auto& body : sub->get_functions()) collect_constants(body, out);
        } else if (const auto c = ov::as_type_ptr<ov::op::v0::Constant>(node); c && c->get_byte_size() > 0) {
            out.push_back(c);
        }
    }
}

// x * w1 summed, then either * w2 or * w3 depending on a condition input: constants in both If bodies.
std::shared_ptr<ov::Model> make_if_model() {
    auto x = std::make_shared<ov::op::v0::Parameter>(ov::element::f32, ov::Shape{1, 8});
    auto cond = std::make_shared<ov::op::v0::Parameter>(ov::element::boolean, ov::Shape{});
    std::vector<float> w1(8), w2(8), w3(8);
    for (int i = 0; i < 8; ++i) {
        w1[i] = 0.5f + i;
        w2[i] = -1.25f * i;
        w3[i] = 3.0f - i;
    }
    auto scaled =
        std::make_shared<ov::op::v1::Multiply>(x, ov::op::v0::Constant::create(ov::element::f32, ov::Shape{1, 8}, w1));
    auto branch = [](const std::vector<float>& w) {
        auto in = std::make_shared<ov::op::v0::Parameter>(ov::element::f32, ov::Shape{1, 8});
        auto mul = std::make_shared<ov::op::v1::Multiply>(
            in, ov::op::v0::Constant::create(ov::element::f32, ov::Shape{1, 8}, w));
        return std::make_pair(in, std::make_shared<ov::Model>(ov::OutputVector{mul}, ov::ParameterVector{in}));
    };
    auto [then_in, then_body] = branch(w2);
    auto [else_in, else_body] = branch(w3);
    auto if_op = std::make_shared<ov::op::v8::If>(cond);
    if_op->set_then_body(then_body);
    if_op->set_else_body(else_body);
    if_op->set_input(scaled, then_in, else_in);
    auto out = if_op->set_output(then_body->get_results()[0], else_body->get_results()[0]);
    return std::make_shared<ov::Model>(ov::OutputVector{out}, ov::ParameterVector{x, cond}, "if_model");
}

class ModelReading : public ::testing::Test {
protected:
    ov::Core core;
    TempDir dir;
    ovseal::Key key = ovseal::Key::generate();

    fs::path seal(const fs::path& xml) {
        const auto sealed = dir / (xml.stem().string() + ".ovseal");
        ovseal::seal_model(xml, sealed, {key});
        return sealed;
    }
};

TEST_F(ModelReading, EveryConstantPointsIntoOvsealsLockedWeights) {
    const auto xml = write_model(make_if_model(), dir.path(), "if_model");
    const auto model = ovseal::read_model(core, seal(xml), key);
    std::vector<std::shared_ptr<ov::op::v0::Constant>> constants;
    collect_constants(model, constants);
    ASSERT_GE(constants.size(), 3u) << "the outer constant and one in each If body";
    const auto ranges = plaintext_file_mappings();
    ASSERT_FALSE(ranges.empty());
    for (const auto& c : constants) {
        const auto p = reinterpret_cast<std::uintptr_t>(c->get_data_ptr());
        const bool inside = std::any_of(ranges.begin(), ranges.end(), [&](const Range& r) {
            return p >= r.begin && p + c->get_byte_size() <= r.end;
        });
        EXPECT_TRUE(inside) << c->get_friendly_name() << " is not in ovseal's weights";
    }
}

TEST_F(ModelReading, SubgraphBodiesComputeAsThePlainModel) {
    const auto xml = write_model(make_if_model(), dir.path(), "if_model");
    const auto sealed = seal(xml);
    for (const bool condition : {true, false}) {
        auto plain = core.compile_model(xml.string(), "CPU").create_infer_request();
        auto opened = ovseal::compile_model(core, sealed, key, "CPU").create_infer_request();
        for (auto* request : {&plain, &opened}) {
            auto x = request->get_input_tensor(0);
            for (std::size_t i = 0; i < 8; ++i) x.data<float>()[i] = 0.1f * static_cast<float>(i) - 0.3f;
            request->get_input_tensor(1).data<bool>()[0] = condition;
            request->infer();
        }
        const auto a = plain.get_output_tensor(0), b = opened.get_output_tensor(0);
        ASSERT_EQ(a.get_byte_size(), b.get_byte_size());
        EXPECT_EQ(std::memcmp(a.data(), b.data(), a.get_byte_size()), 0) << "condition " << condition;
    }
}

// IR version 10 is read by ov::Core with the conventions of its time (f16 inputs given as f32, integer outputs as
// i32, operation names as tensor names): a sealed v10 model must look exactly as the plain one does.
TEST_F(ModelReading, IrVersion10LoadsAsOpenVinoReadsThePlainOne) {
    auto x = std::make_shared<ov::op::v0::Parameter>(ov::element::f16, ov::Shape{1, 6});
    x->set_friendly_name("input_op");
    auto as_f32 = std::make_shared<ov::op::v0::Convert>(x, ov::element::f32);
    auto scaled = std::make_shared<ov::op::v1::Multiply>(
        as_f32,
        ov::op::v0::Constant::create(ov::element::f32, ov::Shape{1, 6}, std::vector<float>{1.5f, -2, 3, 0.25f, 5, -6}));
    auto topk = std::make_shared<ov::op::v11::TopK>(
        scaled, ov::op::v0::Constant::create(ov::element::i64, ov::Shape{}, std::vector<std::int64_t>{3}), 1, "max",
        "value", ov::element::i64);
    topk->set_friendly_name("top");
    auto model = std::make_shared<ov::Model>(
        ov::OutputVector{ov::Output<ov::Node>(topk, 0), ov::Output<ov::Node>(topk, 1)}, ov::ParameterVector{x}, "v10");
    auto xml = write_model(model, dir.path(), "v10");
    std::stringstream text;
    text << std::ifstream(xml).rdbuf();
    std::string ir = text.str();
    const auto at = ir.find("version=\"11\"");
    ASSERT_NE(at, std::string::npos);
    ir.replace(at, 12, "version=\"10\"");
    std::ofstream(xml, std::ios::trunc) << ir;

    const auto plain = core.read_model(xml.string());
    ASSERT_EQ(plain->get_rt_info().at("version").as<std::int64_t>(), 10)
        << "OpenVINO reads the edited IR as version 10";
    const auto opened = ovseal::read_model(core, seal(xml), key);
    ASSERT_EQ(plain->inputs().size(), opened->inputs().size());
    ASSERT_EQ(plain->outputs().size(), opened->outputs().size());
    EXPECT_EQ(opened->input(0).get_element_type(), ov::element::f32);
    for (std::size_t i = 0; i < plain->inputs().size(); ++i) {
        EXPECT_EQ(plain->input(i).get_element_type(), opened->input(i).get_element_type());
        EXPECT_EQ(plain->input(i).get_names(), opened->input(i).get_names());
    }
    for (std::size_t i = 0; i < plain->outputs().size(); ++i) {
        EXPECT_EQ(plain->output(i).get_element_type(), opened->output(i).get_element_type()) << "output " << i;
        EXPECT_EQ(plain->output(i).get_names(), opened->output(i).get_names()) << "output " << i;
    }
    expect_same_outputs(infer(core.compile_model(plain, "CPU")), infer(core.compile_model(opened, "CPU")));
}

}  // namespace
