// SPDX-License-Identifier: Apache-2.0
// The pieces of sealing other formats: the stream that holds converted IR in locked memory, and the scan of an
// ONNX file for external data.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "memory/locked_streambuf.hpp"
#include "openvino/onnx_external_data.hpp"
#include "ovseal/error.hpp"

namespace {

using Bytes = std::vector<std::uint8_t>;

std::string text(std::span<const std::uint8_t> bytes) {
    return {bytes.begin(), bytes.end()};
}

TEST(LockedStream, GrowsSeeksAndKeepsEverything) {
    ovseal::memory::LockedOStream out;
    EXPECT_TRUE(out.bytes().empty());
    std::string big(200000, 'x');  // several growths past the first 64 KiB
    out << "head:";
    out.write(big.data(), static_cast<std::streamsize>(big.size()));
    EXPECT_EQ(out.tellp(), std::streampos(5 + 200000));
    out.seekp(2);
    out << "AD";
    EXPECT_EQ(out.tellp(), std::streampos(4));
    out.seekp(0, std::ios_base::end);
    out.put('!');
    ASSERT_TRUE(out.good());
    EXPECT_EQ(text(out.bytes()), "heAD:" + big + "!");
    out.seekp(1000000);  // past the end: refused, as for a file that is not sparse
    EXPECT_TRUE(out.fail());
}

// Protobuf wire format, enough to write the ONNX messages the scanner reads.
void varint(Bytes& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<std::uint8_t>(v | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<std::uint8_t>(v));
}
void field(Bytes& out, std::uint32_t number, const Bytes& message) {
    varint(out, (std::uint64_t{number} << 3) | 2);
    varint(out, message.size());
    out.insert(out.end(), message.begin(), message.end());
}
void field(Bytes& out, std::uint32_t number, const std::string& s) {
    field(out, number, Bytes(s.begin(), s.end()));
}
void number_field(Bytes& out, std::uint32_t number, std::uint64_t v) {
    varint(out, std::uint64_t{number} << 3);
    varint(out, v);
}

Bytes tensor(const std::string& name, const std::string& location) {
    Bytes t;
    field(t, 8, name);  // TensorProto.name
    if (!location.empty()) {
        Bytes entry;
        field(entry, 1, std::string("location"));
        field(entry, 2, location);
        field(t, 13, entry);     // external_data
        number_field(t, 14, 1);  // data_location = EXTERNAL
    } else {
        field(t, 9, std::string("\x01\x02\x03\x04", 4));  // raw_data
    }
    return t;
}

Bytes model_with(const Bytes& graph) {
    Bytes m;
    number_field(m, 1, 8);  // ir_version
    field(m, 7, graph);
    return m;
}

TEST(OnnxExternalData, FindsInitializersAndSubgraphTensors) {
    Bytes subgraph;
    field(subgraph, 5, tensor("inner", "b.data"));
    Bytes attribute;
    field(attribute, 6, subgraph);  // AttributeProto.g
    Bytes node;
    field(node, 5, attribute);
    Bytes graph;
    field(graph, 1, node);
    field(graph, 5, tensor("w1", "a.data"));
    field(graph, 5, tensor("w2", "a.data"));
    field(graph, 5, tensor("w3", ""));
    const auto files = ovseal::openvino::onnx_external_data_files(model_with(graph));
    EXPECT_EQ(files, (std::vector<std::string>{"b.data", "a.data"}));
}

TEST(OnnxExternalData, SingleFileModelHasNone) {
    Bytes graph;
    field(graph, 5, tensor("w", ""));
    EXPECT_TRUE(ovseal::openvino::onnx_external_data_files(model_with(graph)).empty());
}

TEST(OnnxExternalData, MalformedIsModelRejected) {
    Bytes graph;
    field(graph, 5, tensor("w", "a.data"));
    const Bytes model = model_with(graph);
    for (std::size_t cut = 1; cut < model.size(); ++cut) {
        const Bytes truncated(model.begin(), model.begin() + static_cast<std::ptrdiff_t>(cut));
        try {
            ovseal::openvino::onnx_external_data_files(truncated);
            // A cut at a field boundary of the top level is a shorter, valid message.
        } catch (const ovseal::Error& e) {
            EXPECT_EQ(e.code(), ovseal::ErrorCode::model_rejected);
        }
    }
    const Bytes group = {0x0b};  // a start-group field: never in onnx.proto
    EXPECT_THROW(ovseal::openvino::onnx_external_data_files(group), ovseal::Error);
    Bytes g;  // nested past any real model
    for (int i = 0; i < 200; ++i) {
        Bytes attribute, node, next;
        field(attribute, 6, g);
        field(node, 5, attribute);
        field(next, 1, node);
        g = next;
    }
    EXPECT_THROW(ovseal::openvino::onnx_external_data_files(model_with(g)), ovseal::Error);
    Bytes no_location;
    Bytes t;
    number_field(t, 14, 1);
    field(no_location, 5, t);
    EXPECT_THROW(ovseal::openvino::onnx_external_data_files(model_with(no_location)), ovseal::Error);
}

}  // namespace
