// SPDX-License-Identifier: Apache-2.0
// Sealing and loading through the public C++ API: outputs are bit-identical to the plain model's.

#include <gtest/gtest.h>

#include <cstdlib>

#include "test_support.hpp"

namespace {

using namespace ovseal_test;

constexpr std::size_t chunk_64k = 64 * 1024;

class RoundTrip : public ::testing::Test {
protected:
    ov::Core core;
    TempDir dir;

    // Seals `xml`, compiles the sealed and the plain model, and compares their outputs.
    ovseal::FileInfo seal_and_compare(const fs::path& xml, const std::vector<ovseal::Key>& recipients,
                                      const ovseal::Key& opener, const ovseal::SealOptions& options) {
        const auto sealed = dir / (xml.stem().string() + ".ovseal");
        ovseal::seal_model(xml, sealed, recipients, options);
        auto plain = core.compile_model(xml.string(), "CPU");
        auto compiled = ovseal::compile_model(core, sealed, opener, "CPU");
        const Outputs expected = infer(plain);
        expect_same_outputs(expected, infer(compiled));
        expect_same_outputs(infer(plain, 99), infer(compiled, 99));
        return ovseal::verify(sealed, {opener});
    }

    static ovseal::SealOptions options_64k() {
        ovseal::SealOptions o;
        o.chunk_size = chunk_64k;
        o.scrypt_log2_n = 16;
        return o;
    }
};

std::uint64_t bin_size(const fs::path& xml) {
    auto bin = xml;
    bin.replace_extension(".bin");
    return fs::file_size(bin);
}

TEST_F(RoundTrip, MlpWithKeySpanningSeveralChunks) {
    const auto xml = write_model(make_mlp(1024), dir.path(), "mlp");
    ASSERT_GT(bin_size(xml), 4 * chunk_64k);
    const auto key = ovseal::Key::generate();
    const auto info = seal_and_compare(xml, {key}, key, options_64k());
    EXPECT_TRUE(info.verified);
    EXPECT_EQ(info.chunk_size, chunk_64k);
    ASSERT_EQ(info.entries.size(), 2u);
    EXPECT_EQ(info.entries[0].kind, 1);
    EXPECT_EQ(info.entries[0].name, "mlp.xml");
    EXPECT_EQ(info.entries[1].kind, 2);
    EXPECT_EQ(info.entries[1].name, "mlp.bin");
    EXPECT_EQ(info.entries[1].size, bin_size(xml));
    EXPECT_EQ(info.chunk_count, 1 + (bin_size(xml) + chunk_64k - 1) / chunk_64k);
    EXPECT_EQ(info.stanza_types, std::vector<std::string>{"key"});
}

TEST_F(RoundTrip, CnnWithKeySpanningSeveralChunks) {
    const auto xml = write_model(make_cnn(), dir.path(), "cnn");
    ASSERT_GT(bin_size(xml), chunk_64k);
    const auto key = ovseal::Key::generate();
    const auto info = seal_and_compare(xml, {key}, key, options_64k());
    EXPECT_GE(info.chunk_count, 3u);
}

// The ONNX model is made by samples/make_models.py (with the onnx package); ctest's `test_models` fixture runs it
// and sets OVSEAL_TEST_MODELS.
TEST_F(RoundTrip, OnnxWithKey) {
    const char* models = std::getenv("OVSEAL_TEST_MODELS");
    ASSERT_NE(models, nullptr) << "run through ctest, which generates the test models and sets OVSEAL_TEST_MODELS";
    const fs::path onnx = fs::path(models) / "onnx" / "model.onnx";
    ASSERT_TRUE(fs::is_regular_file(onnx)) << onnx;
    const auto key = ovseal::Key::generate();
    const auto info = seal_and_compare(onnx, {key}, key, options_64k());
    ASSERT_EQ(info.entries.size(), 1u);
    EXPECT_EQ(info.entries[0].kind, 3);
    EXPECT_EQ(info.entries[0].size, fs::file_size(onnx));
}

TEST_F(RoundTrip, MlpWithPassphrase) {
    const auto xml = write_model(make_mlp(1024), dir.path(), "mlp");
    const auto pass = ovseal::Key::from_passphrase("correct horse battery staple");
    const auto info =
        seal_and_compare(xml, {pass}, ovseal::Key::from_passphrase("correct horse battery staple"), options_64k());
    EXPECT_EQ(info.stanza_types, std::vector<std::string>{"scrypt"});
}

TEST_F(RoundTrip, CnnWithPassphrase) {
    const auto xml = write_model(make_cnn(), dir.path(), "cnn");
    const auto pass = ovseal::Key::from_passphrase("p\xC3\xA4ss phrase\n with newline");
    seal_and_compare(xml, {pass}, pass, options_64k());
}

TEST_F(RoundTrip, DefaultOptionsAndMetadata) {
    const auto xml = write_model(make_mlp(), dir.path(), "small");
    const auto key = ovseal::Key::generate();
    ovseal::SealOptions options;
    options.name = "my model";
    options.version = "2.0";
    options.description = "a description";
    const auto info = seal_and_compare(xml, {key}, key, options);
    EXPECT_EQ(info.model_name, "my model");
    EXPECT_EQ(info.model_version, "2.0");
    EXPECT_EQ(info.description, "a description");
    EXPECT_TRUE(info.created.has_value());
    EXPECT_TRUE(info.openvino_version.has_value());
    ASSERT_TRUE(info.sealed_by.has_value());
    EXPECT_NE(info.sealed_by->find(ovseal::version()), std::string::npos);
    EXPECT_EQ(info.format_version, 1);

    const auto unverified = ovseal::inspect(dir / "small.ovseal");
    EXPECT_FALSE(unverified.verified);
    EXPECT_EQ(unverified.model_name, "my model");
    EXPECT_EQ(unverified.file_size, fs::file_size(dir / "small.ovseal"));
    EXPECT_TRUE(ovseal::is_sealed_file(dir / "small.ovseal"));
    EXPECT_FALSE(ovseal::is_sealed_file(xml));
}

TEST_F(RoundTrip, ReadModelThenCompile) {
    const auto xml = write_model(make_cnn(5), dir.path(), "cnn");
    const auto key = ovseal::Key::generate();
    const auto sealed = dir / "cnn.ovseal";
    ovseal::seal_model(xml, sealed, {key}, options_64k());
    auto model = ovseal::read_model(core, sealed, key);
    ASSERT_NE(model, nullptr);
    EXPECT_EQ(model->inputs().size(), 1u);
    EXPECT_EQ(model->input().get_shape(), (ov::Shape{1, 8, 16, 16}));
    EXPECT_EQ(model->output().get_shape(), (ov::Shape{1, 10}));
    auto compiled = core.compile_model(model, "CPU");
    auto plain = core.compile_model(xml.string(), "CPU");
    expect_same_outputs(infer(plain), infer(compiled));
}

TEST_F(RoundTrip, RawBytesKey) {
    const auto xml = write_model(make_mlp(), dir.path(), "mlp");
    const auto bytes = key_bytes(42);
    const auto sealed = dir / "mlp.ovseal";
    ovseal::seal_model(xml, sealed, {ovseal::Key::from_bytes(bytes)}, options_64k());
    // A second Key made of the same bytes opens it.
    auto compiled = ovseal::compile_model(core, sealed, ovseal::Key::from_bytes(bytes));
    expect_same_outputs(infer(core.compile_model(xml.string(), "CPU")), infer(compiled));
    // Other bytes do not.
    auto other = bytes;
    other[31] ^= 1;
    expect_failure([&] { ovseal::read_model(core, sealed, ovseal::Key::from_bytes(other)); },
                   {ovseal::ErrorCode::no_matching_key}, bytes, "one bit off");
    // A raw key is exactly 32 bytes.
    for (std::size_t n : {0, 16, 31, 33, 64}) {
        const std::vector<std::uint8_t> wrong(n, 7);
        expect_failure([&] { ovseal::Key::from_bytes(wrong); }, {ovseal::ErrorCode::invalid_key}, {},
                       std::to_string(n) + " bytes");
    }
}

TEST_F(RoundTrip, SeveralRecipientsEachOpen) {
    const auto xml = write_model(make_mlp(), dir.path(), "mlp");
    const auto a = ovseal::Key::generate();
    const auto b = ovseal::Key::generate();
    const auto c = ovseal::Key::generate();
    const auto sealed = dir / "mlp.ovseal";
    ovseal::seal_model(xml, sealed, {a, b}, options_64k());
    const auto expected = infer(core.compile_model(xml.string(), "CPU"));
    expect_same_outputs(expected, infer(ovseal::compile_model(core, sealed, b)));
    expect_same_outputs(expected, infer(ovseal::compile_model(core, sealed, std::vector{c, a})));
    EXPECT_EQ(ovseal::verify(sealed, {a}).stanza_types, (std::vector<std::string>{"key", "key"}));
    expect_failure([&] { ovseal::read_model(core, sealed, c); }, {ovseal::ErrorCode::no_matching_key}, {}, "c");
}

TEST_F(RoundTrip, SealingRefusesBadInput) {
    const auto xml = write_model(make_mlp(), dir.path(), "mlp");
    const auto key = ovseal::Key::generate();
    using ovseal::ErrorCode;
    expect_failure([&] { ovseal::seal_model(xml, dir / "a.ovseal", {}); }, {ErrorCode::usage}, {}, "no recipient");
    ovseal::SealOptions odd;
    odd.chunk_size = 100000;
    expect_failure([&] { ovseal::seal_model(xml, dir / "b.ovseal", {key}, odd); }, {ErrorCode::usage}, {},
                   "chunk not a power of two");
    ovseal::SealOptions small;
    small.chunk_size = 32 * 1024;
    expect_failure([&] { ovseal::seal_model(xml, dir / "c.ovseal", {key}, small); }, {ErrorCode::usage}, {},
                   "chunk 32 KiB");
    ovseal::SealOptions large;
    large.chunk_size = 8u << 20;
    expect_failure([&] { ovseal::seal_model(xml, dir / "d.ovseal", {key}, large); }, {ErrorCode::usage}, {},
                   "chunk 8 MiB");
    expect_failure([&] { ovseal::seal_model(dir / "missing.xml", dir / "e.ovseal", {key}); }, {ErrorCode::io}, {},
                   "missing model");
    write_bytes(dir / "model.txt", std::vector<std::uint8_t>{'h', 'i'});
    expect_failure([&] { ovseal::seal_model(dir / "model.txt", dir / "f.ovseal", {key}); },
                   {ErrorCode::unsupported_model}, {}, "not a model");
    write_bytes(dir / "broken.xml", std::vector<std::uint8_t>{'<', 'n', 'o', 't'});
    expect_failure([&] { ovseal::seal_model(dir / "broken.xml", dir / "g.ovseal", {key}); },
                   {ErrorCode::model_rejected}, {}, "broken model");
    for (const char* name : {"a.ovseal", "b.ovseal", "c.ovseal", "d.ovseal", "e.ovseal", "f.ovseal", "g.ovseal"}) {
        EXPECT_FALSE(fs::exists(dir / name)) << name;
    }
    // No partial files are left behind either.
    for (const auto& entry : fs::directory_iterator(dir.path())) {
        EXPECT_EQ(entry.path().string().find(".partial"), std::string::npos) << entry.path();
    }
}

TEST_F(RoundTrip, UnreadableDecryptedModelIsRejectedWithoutQuotingIt) {
    // The publisher skipped the check: the sealed topology is not a model OpenVINO reads.
    const std::string secret_text = "<net name=\"SECRET-TOPOLOGY-TEXT\"><layers><broken";
    write_bytes(dir / "bad.xml", std::vector<std::uint8_t>(secret_text.begin(), secret_text.end()));
    const auto key = ovseal::Key::generate();
    ovseal::SealOptions options;
    options.check_model = false;
    ovseal::seal_model(dir / "bad.xml", dir / "bad.ovseal", {key}, options);
    expect_failure([&] { ovseal::read_model(core, dir / "bad.ovseal", key); }, {ovseal::ErrorCode::model_rejected}, {},
                   "unreadable topology");
    const auto error = error_of([&] { ovseal::compile_model(core, dir / "bad.ovseal", key); });
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code(), ovseal::ErrorCode::model_rejected);
    EXPECT_EQ(std::string(error->what()).find("SECRET-TOPOLOGY"), std::string::npos) << error->what();
}

TEST_F(RoundTrip, CompileFailureLeavesNothingBehind) {
    const auto xml = write_model(make_mlp(), dir.path(), "mlp");
    const auto key = ovseal::Key::generate();
    ovseal::seal_model(xml, dir / "mlp.ovseal", {key});
    expect_failure(
        [&] {
            ovseal::compile_model(core, dir / "mlp.ovseal", key, "CPU", {{"NOT_A_REAL_PROPERTY", 1}});
        },
        {ovseal::ErrorCode::model_rejected, ovseal::ErrorCode::usage}, {}, "unknown property");
}

}  // namespace
