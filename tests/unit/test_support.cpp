// SPDX-License-Identifier: Apache-2.0
// The unit tests' shared helpers: temp folders, small seeded models, inference, file patching and error checks.

#include "test_support.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include <gtest/gtest.h>

#include <openvino/core/graph_util.hpp>  // ov::save_model
#include <openvino/op/add.hpp>
#include <openvino/op/constant.hpp>
#include <openvino/op/convolution.hpp>
#include <openvino/op/matmul.hpp>
#include <openvino/op/parameter.hpp>
#include <openvino/op/reduce_mean.hpp>
#include <openvino/op/relu.hpp>
#include <openvino/op/reshape.hpp>
#include <openvino/op/result.hpp>

#include "memory/locked_region.hpp"

namespace ovseal_test {
namespace {

std::shared_ptr<ov::op::v0::Constant> random_constant(const ov::Shape& shape, std::mt19937& rng) {
    std::uniform_real_distribution<float> dist(-0.5f, 0.5f);
    std::vector<float> values(ov::shape_size(shape));
    for (auto& v : values) {
        v = dist(rng);
    }
    return ov::op::v0::Constant::create(ov::element::f32, shape, values);
}

std::shared_ptr<ov::Node> conv_relu(const ov::Output<ov::Node>& in, std::size_t in_channels, std::size_t out_channels,
                                    std::mt19937& rng) {
    auto weights = random_constant(ov::Shape{out_channels, in_channels, 3, 3}, rng);
    auto conv = std::make_shared<ov::op::v1::Convolution>(in, weights, ov::Strides{1, 1}, ov::CoordinateDiff{1, 1},
                                                          ov::CoordinateDiff{1, 1}, ov::Strides{1, 1});
    return std::make_shared<ov::op::v0::Relu>(conv);
}

std::string hex(std::span<const std::uint8_t> bytes, bool upper) {
    static constexpr char lower_digits[] = "0123456789abcdef";
    static constexpr char upper_digits[] = "0123456789ABCDEF";
    const char* digits = upper ? upper_digits : lower_digits;
    std::string out;
    for (auto b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

}  // namespace

TempDir::TempDir() {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
        std::ostringstream name;
        name << "ovseal-unit-" << ::getpid() << "-" << counter++ << "-" << std::hex << rd();
        auto candidate = fs::temp_directory_path() / name.str();
        if (fs::create_directory(candidate)) {
            m_path = candidate;
            return;
        }
    }
    throw std::runtime_error("cannot create a temporary folder");
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(m_path, ec);
}

const std::string plaintext_marker = "OVSEAL-PLAINTEXT-MARKER-7f3a9c2e";

std::shared_ptr<ov::Model> make_marker_model() {
    constexpr std::size_t width = 8 * 64;
    std::vector<float> bias(width);
    for (std::size_t i = 0; i < width; i += 8) std::memcpy(&bias[i], plaintext_marker.data(), 32);
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> dist(-0.1f, 0.1f);
    std::vector<float> weights(64 * width);
    for (auto& w : weights) w = dist(rng);
    auto input = std::make_shared<ov::op::v0::Parameter>(ov::element::f32, ov::Shape{1, 64});
    auto mm = std::make_shared<ov::op::v0::MatMul>(
        input, std::make_shared<ov::op::v0::Constant>(ov::element::f32, ov::Shape{64, width}, weights));
    auto add = std::make_shared<ov::op::v1::Add>(
        mm, std::make_shared<ov::op::v0::Constant>(ov::element::f32, ov::Shape{1, width}, bias));
    auto result = std::make_shared<ov::op::v0::Result>(add);
    return std::make_shared<ov::Model>(ov::ResultVector{result}, ov::ParameterVector{input}, "marker");
}

bool holds(const std::vector<std::uint8_t>& bytes, const std::string& needle) {
    return std::search(bytes.begin(), bytes.end(), needle.begin(), needle.end()) != bytes.end();
}

std::shared_ptr<ov::Model> make_mlp(std::size_t hidden, unsigned seed) {
    std::mt19937 rng(seed);
    auto input = std::make_shared<ov::op::v0::Parameter>(ov::element::f32, ov::Shape{1, 64});
    input->set_friendly_name("input");
    auto mm1 = std::make_shared<ov::op::v0::MatMul>(input, random_constant(ov::Shape{64, hidden}, rng));
    auto add = std::make_shared<ov::op::v1::Add>(mm1, random_constant(ov::Shape{1, hidden}, rng));
    auto relu = std::make_shared<ov::op::v0::Relu>(add);
    auto mm2 = std::make_shared<ov::op::v0::MatMul>(relu, random_constant(ov::Shape{hidden, 10}, rng));
    auto result = std::make_shared<ov::op::v0::Result>(mm2);
    result->set_friendly_name("logits");
    return std::make_shared<ov::Model>(ov::ResultVector{result}, ov::ParameterVector{input}, "mlp");
}

std::shared_ptr<ov::Model> make_cnn(unsigned seed) {
    std::mt19937 rng(seed);
    auto input = std::make_shared<ov::op::v0::Parameter>(ov::element::f32, ov::Shape{1, 8, 16, 16});
    input->set_friendly_name("image");
    auto c1 = conv_relu(input, 8, 32, rng);
    auto c2 = conv_relu(c1, 32, 64, rng);
    auto axes = ov::op::v0::Constant::create(ov::element::i64, ov::Shape{2}, {2, 3});
    auto mean = std::make_shared<ov::op::v1::ReduceMean>(c2, axes, false);
    auto shape = ov::op::v0::Constant::create(ov::element::i64, ov::Shape{2}, {1, 64});
    auto flat = std::make_shared<ov::op::v1::Reshape>(mean, shape, false);
    auto fc = std::make_shared<ov::op::v0::MatMul>(flat, random_constant(ov::Shape{64, 10}, rng));
    auto result = std::make_shared<ov::op::v0::Result>(fc);
    result->set_friendly_name("logits");
    return std::make_shared<ov::Model>(ov::ResultVector{result}, ov::ParameterVector{input}, "cnn");
}

fs::path write_model(const std::shared_ptr<ov::Model>& model, const fs::path& dir, const std::string& stem) {
    const auto xml = dir / (stem + ".xml");
    ov::save_model(model, xml.string(), false);
    return xml;
}

Outputs infer(ov::InferRequest& request, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    const auto compiled = request.get_compiled_model();
    for (const auto& port : compiled.inputs()) {
        ov::Tensor tensor(port.get_element_type(), port.get_shape());
        auto* data = tensor.data<float>();
        for (std::size_t i = 0; i < tensor.get_size(); ++i) {
            data[i] = dist(rng);
        }
        request.set_tensor(port, tensor);
    }
    request.infer();
    Outputs out;
    for (const auto& port : compiled.outputs()) {
        const auto tensor = request.get_tensor(port);
        const auto* bytes = static_cast<const std::uint8_t*>(tensor.data());
        out.emplace_back(bytes, bytes + tensor.get_byte_size());
    }
    return out;
}

Outputs infer(ov::CompiledModel compiled, unsigned seed) {
    auto request = compiled.create_infer_request();
    return infer(request, seed);
}

void expect_same_outputs(const Outputs& expected, const Outputs& actual) {
    ASSERT_EQ(expected.size(), actual.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        ASSERT_EQ(expected[i].size(), actual[i].size()) << "output " << i;
        ASSERT_GT(expected[i].size(), 0u);
        EXPECT_EQ(0, std::memcmp(expected[i].data(), actual[i].data(), expected[i].size()))
            << "output " << i << " differs from the plain model's";
    }
}

std::vector<std::uint8_t> read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read " + path.string());
    }
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& path, std::span<const std::uint8_t> bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
        throw std::runtime_error("cannot write " + path.string());
    }
}

void patch_byte(const fs::path& path, std::uint64_t offset, std::uint8_t value) {
    std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(static_cast<char>(value));
    if (!f) {
        throw std::runtime_error("cannot patch " + path.string());
    }
}

std::vector<std::uint8_t> key_bytes(unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<std::uint8_t> bytes(32);
    for (auto& b : bytes) {
        b = static_cast<std::uint8_t>(rng());
    }
    return bytes;
}

void flip_byte(const fs::path& path, std::uint64_t offset, std::uint8_t mask) {
    auto bytes = read_bytes(path);
    if (offset >= bytes.size()) {
        throw std::runtime_error("flip_byte: offset beyond the end of " + path.string());
    }
    patch_byte(path, offset, static_cast<std::uint8_t>(bytes[offset] ^ mask));
}

void write_text(const fs::path& path, const std::string& text) {
    write_bytes(path, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

std::string read_text(const fs::path& path) {
    const auto bytes = read_bytes(path);
    return {bytes.begin(), bytes.end()};
}

ovseal::DeviceIdentity device_identity(unsigned seed) {
    return ovseal::DeviceIdentity::from_bytes(key_bytes(seed));
}

std::vector<std::uint8_t> from_hex(const std::string& hex) {
    EXPECT_EQ(hex.size() % 2, 0u) << hex;
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
    return out;
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (auto b : bytes) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 15]);
    }
    return out;
}

ovseal::SigningKey signing_key(unsigned seed) {
    return ovseal::SigningKey::from_bytes(key_bytes(seed));
}

std::optional<ovseal::Error> error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const ovseal::Error& e) {
        return e;
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected ovseal::Error, got another exception: " << e.what();
        return std::nullopt;
    }
    ADD_FAILURE() << "expected ovseal::Error, but the call succeeded";
    return std::nullopt;
}

void expect_clean_message(const ovseal::Error& error, std::span<const std::uint8_t> secret) {
    const std::string message = error.what();
    EXPECT_FALSE(message.empty()) << "error " << code_name(error.code()) << " has an empty message";
    if (secret.empty()) {
        return;
    }
    for (bool upper : {false, true}) {
        const std::string h = hex(secret, upper);
        for (std::size_t i = 0; i + 8 <= h.size(); i += 2) {
            EXPECT_EQ(message.find(h.substr(i, 8)), std::string::npos)
                << "the message quotes key bytes (hex): " << message;
        }
    }
    for (std::size_t i = 0; i + 4 <= secret.size(); ++i) {
        const std::string window(reinterpret_cast<const char*>(secret.data()) + i, 4);
        EXPECT_EQ(message.find(window), std::string::npos) << "the message quotes raw key bytes";
    }
}

ovseal::ErrorCode expect_failure(const std::function<void()>& f, const std::set<ovseal::ErrorCode>& allowed,
                                 std::span<const std::uint8_t> secret, const std::string& context) {
    const auto before = ovseal::memory::region_stats().live_bytes;
    std::optional<ovseal::Error> error;
    bool other = false;
    try {
        f();
    } catch (const ovseal::Error& e) {
        error = e;
    } catch (const std::exception& e) {
        other = true;
        ADD_FAILURE() << context << ": expected ovseal::Error, got another exception: " << e.what();
    }
    EXPECT_EQ(ovseal::memory::region_stats().live_bytes, before)
        << context << ": locked memory was left behind by a failed call";
    if (!error) {
        if (!other) {
            ADD_FAILURE() << context << ": expected an ovseal::Error, but the call succeeded";
        }
        return ovseal::ErrorCode::ok;
    }
    std::string names;
    for (auto c : allowed) {
        names += (names.empty() ? "" : "|") + code_name(c);
    }
    EXPECT_TRUE(allowed.count(error->code()) == 1)
        << context << ": got " << code_name(error->code()) << ", expected " << names << " (" << error->what() << ")";
    expect_clean_message(*error, secret);
    return error->code();
}

std::string code_name(ovseal::ErrorCode code) {
    return std::string(ovseal::error_name(code));
}

SealedSample::SealedSample(unsigned key_seed) : key_bytes(ovseal_test::key_bytes(key_seed)) {
    xml = write_model(make_mlp(128, 3), dir.path(), "small");
    sealed = dir / "small.ovseal";
    ovseal::SealOptions options;
    options.chunk_size = 64 * 1024;
    ovseal::seal_model(xml, sealed, {key()}, options);
    bytes = read_bytes(sealed);
    info = ovseal::verify(sealed, {key()});
}

fs::path SealedSample::write(std::span<const std::uint8_t> content, const std::string& name) const {
    const auto path = dir / name;
    write_bytes(path, content);
    return path;
}

}  // namespace ovseal_test
