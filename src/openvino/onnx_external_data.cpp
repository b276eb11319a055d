// SPDX-License-Identifier: Apache-2.0
// Finds an ONNX model's external data by walking the protobuf wire format (onnx/onnx.proto field numbers);
// the ONNX protobuf classes are not part of the OpenVINO SDK.

#include "openvino/onnx_external_data.hpp"

#include <algorithm>
#include <optional>

#include "ovseal/error.hpp"

namespace ovseal::openvino {
namespace {

// onnx.proto field numbers that lead to tensors.
constexpr std::uint32_t model_graph = 7;
constexpr std::uint32_t graph_node = 1, graph_initializer = 5, graph_sparse_initializer = 15;
constexpr std::uint32_t node_attribute = 5;
constexpr std::uint32_t attribute_t = 5, attribute_g = 6, attribute_tensors = 10, attribute_graphs = 11,
                        attribute_sparse_tensor = 22, attribute_sparse_tensors = 23;
constexpr std::uint32_t sparse_values = 1, sparse_indices = 2;
constexpr std::uint32_t tensor_external_data = 13, tensor_data_location = 14;
constexpr std::uint32_t entry_key = 1, entry_value = 2;
constexpr std::uint64_t location_external = 1;
constexpr int max_depth = 64;

[[noreturn]] void malformed() {
    throw Error(ErrorCode::model_rejected, "the model is not a valid ONNX file");
}

struct Field {
    std::uint32_t number;
    std::uint32_t wire_type;
    std::uint64_t varint;                 // wire type 0
    std::span<const std::uint8_t> bytes;  // wire type 2
};

class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> data) : m_data(data) {}

    std::optional<Field> next() {
        if (m_at == m_data.size()) return std::nullopt;
        const std::uint64_t tag = varint();
        Field f{static_cast<std::uint32_t>(tag >> 3), static_cast<std::uint32_t>(tag & 7), 0, {}};
        switch (f.wire_type) {
            case 0:
                f.varint = varint();
                break;
            case 1:
                skip(8);
                break;
            case 2: {
                const std::uint64_t n = varint();
                if (n > m_data.size() - m_at) malformed();
                f.bytes = m_data.subspan(m_at, static_cast<std::size_t>(n));
                m_at += static_cast<std::size_t>(n);
                break;
            }
            case 5:
                skip(4);
                break;
            default:
                malformed();  // groups (3, 4) are not used by onnx.proto
        }
        return f;
    }

private:
    std::uint64_t varint() {
        std::uint64_t value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (m_at == m_data.size()) malformed();
            const std::uint8_t b = m_data[m_at++];
            value |= std::uint64_t{b & 0x7fu} << shift;
            if ((b & 0x80) == 0) return value;
        }
        malformed();
    }
    void skip(std::size_t n) {
        if (n > m_data.size() - m_at) malformed();
        m_at += n;
    }

    std::span<const std::uint8_t> m_data;
    std::size_t m_at = 0;
};

class Scanner {
public:
    std::vector<std::string> files;

    void model(std::span<const std::uint8_t> data) {
        Reader r(data);
        while (auto f = r.next()) {
            if (f->number == model_graph && f->wire_type == 2) graph(f->bytes, 1);
        }
    }

private:
    static void check_depth(int depth) {
        if (depth > max_depth) malformed();
    }

    void graph(std::span<const std::uint8_t> data, int depth) {
        check_depth(depth);
        Reader r(data);
        while (auto f = r.next()) {
            if (f->wire_type != 2) continue;
            if (f->number == graph_node)
                node(f->bytes, depth + 1);
            else if (f->number == graph_initializer)
                tensor(f->bytes);
            else if (f->number == graph_sparse_initializer)
                sparse_tensor(f->bytes);
        }
    }

    void node(std::span<const std::uint8_t> data, int depth) {
        Reader r(data);
        while (auto f = r.next()) {
            if (f->number == node_attribute && f->wire_type == 2) attribute(f->bytes, depth + 1);
        }
    }

    void attribute(std::span<const std::uint8_t> data, int depth) {
        check_depth(depth);
        Reader r(data);
        while (auto f = r.next()) {
            if (f->wire_type != 2) continue;
            if (f->number == attribute_t || f->number == attribute_tensors)
                tensor(f->bytes);
            else if (f->number == attribute_g || f->number == attribute_graphs)
                graph(f->bytes, depth + 1);
            else if (f->number == attribute_sparse_tensor || f->number == attribute_sparse_tensors) {
                sparse_tensor(f->bytes);
            }
        }
    }

    void sparse_tensor(std::span<const std::uint8_t> data) {
        Reader r(data);
        while (auto f = r.next()) {
            if ((f->number == sparse_values || f->number == sparse_indices) && f->wire_type == 2) tensor(f->bytes);
        }
    }

    void tensor(std::span<const std::uint8_t> data) {
        Reader r(data);
        bool external = false;
        std::optional<std::string> location;
        while (auto f = r.next()) {
            if (f->number == tensor_data_location && f->wire_type == 0) {
                external = f->varint == location_external;
            } else if (f->number == tensor_external_data && f->wire_type == 2) {
                auto [key, value] = entry(f->bytes);
                if (key == "location") location = std::move(value);
            }
        }
        if (!external) return;
        if (!location || location->empty()) malformed();  // external data must say where it is
        if (std::find(files.begin(), files.end(), *location) == files.end()) files.push_back(*location);
    }

    static std::pair<std::string, std::string> entry(std::span<const std::uint8_t> data) {
        Reader r(data);
        std::string key, value;
        while (auto f = r.next()) {
            if (f->wire_type != 2) continue;
            std::string text(f->bytes.begin(), f->bytes.end());
            if (f->number == entry_key)
                key = std::move(text);
            else if (f->number == entry_value)
                value = std::move(text);
        }
        return {std::move(key), std::move(value)};
    }
};

}  // namespace

std::vector<std::string> onnx_external_data_files(std::span<const std::uint8_t> onnx) {
    Scanner scanner;
    scanner.model(onnx);
    return scanner.files;
}

}  // namespace ovseal::openvino
