// SPDX-License-Identifier: Apache-2.0
#pragma once

// Shared helpers for the unit tests: temporary folders, small models built with the OpenVINO C++ API,
// deterministic inference, file patching, and checks on ovseal::Error.

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <openvino/core/model.hpp>
#include <openvino/runtime/compiled_model.hpp>
#include <openvino/runtime/core.hpp>

#include "ovseal/ovseal.hpp"

namespace ovseal_test {

namespace fs = std::filesystem;

/// A fresh folder under the system temp folder, removed with everything in it on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const noexcept { return m_path; }
    fs::path operator/(const std::string& name) const { return m_path / name; }

private:
    fs::path m_path;
};

/// Parameter f32 [1,64] -> MatMul [64,hidden] -> Add -> Relu -> MatMul [hidden,10]; random weights from `seed`.
std::shared_ptr<ov::Model> make_mlp(std::size_t hidden = 128, unsigned seed = 1);
/// Parameter f32 [1,8,16,16] -> Conv 32 -> Relu -> Conv 64 -> Relu -> ReduceMean -> Reshape -> MatMul [64,10].
/// About 85 KiB of weights: two 64 KiB chunks.
std::shared_ptr<ov::Model> make_cnn(unsigned seed = 2);

/// 32 bytes (8 floats) that the marker model's weights repeat: whatever holds its plaintext holds them.
extern const std::string plaintext_marker;
/// Parameter f32 [1,64] -> MatMul [64,512] -> Add a bias made of the marker: bias constants stay contiguous f32
/// in the compiled model too, so OpenVINO's exports and caches of it hold the marker.
std::shared_ptr<ov::Model> make_marker_model();
/// Whether `bytes` hold `needle`.
bool holds(const std::vector<std::uint8_t>& bytes, const std::string& needle);

/// Saves `model` as `dir/stem.xml` + `.bin` (fp32, no compression) and returns the .xml path.
fs::path write_model(const std::shared_ptr<ov::Model>& model, const fs::path& dir, const std::string& stem);

/// Output tensors of one inference, as raw bytes, for bit-exact comparison.
using Outputs = std::vector<std::vector<std::uint8_t>>;
/// Runs one inference with inputs drawn from `seed` (same seed, same inputs).
Outputs infer(ov::CompiledModel compiled, unsigned seed = 7);
Outputs infer(ov::InferRequest& request, unsigned seed = 7);
/// Expects two output sets to be equal byte for byte.
void expect_same_outputs(const Outputs& expected, const Outputs& actual);

std::vector<std::uint8_t> read_bytes(const fs::path& path);
void write_bytes(const fs::path& path, std::span<const std::uint8_t> bytes);
void patch_byte(const fs::path& path, std::uint64_t offset, std::uint8_t value);

/// Hex (lowercase when written, either case when read) for test vectors.
std::vector<std::uint8_t> from_hex(const std::string& hex);
std::string to_hex(std::span<const std::uint8_t> bytes);

/// 32 key bytes from a seed, and the Key made of them.
std::vector<std::uint8_t> key_bytes(unsigned seed);

/// XORs the byte at `offset` of the file with `mask` (non-zero).
void flip_byte(const fs::path& path, std::uint64_t offset, std::uint8_t mask = 0x01);
/// Writes / reads a whole file as text.
void write_text(const fs::path& path, const std::string& text);
std::string read_text(const fs::path& path);

/// A device identity (X25519) and a publisher signing key (Ed25519) made from key_bytes(seed): same seed, same key.
ovseal::DeviceIdentity device_identity(unsigned seed);
ovseal::SigningKey signing_key(unsigned seed);

/// The ovseal::Error that `f` throws, or nothing (and a test failure) if it returns or throws something else.
std::optional<ovseal::Error> error_of(const std::function<void()>& f);

/// The message is non-empty and holds no trace of `secret`: not the raw bytes (any 4-byte window), nor their hex.
void expect_clean_message(const ovseal::Error& error, std::span<const std::uint8_t> secret);

/// Runs `f`, expects an ovseal::Error with a code in `allowed`, a clean message, and no locked bytes left
/// over (region_stats().live_bytes is back to its value before the call). Returns the code (ok if none).
ovseal::ErrorCode expect_failure(const std::function<void()>& f, const std::set<ovseal::ErrorCode>& allowed,
                                 std::span<const std::uint8_t> secret, const std::string& context);

std::string code_name(ovseal::ErrorCode code);

/// A small MLP sealed with a key made of key_bytes(key_seed), 64 KiB chunks (an .xml chunk and a .bin chunk).
struct SealedSample {
    explicit SealedSample(unsigned key_seed = 11);
    ovseal::Key key() const { return ovseal::Key::from_bytes(key_bytes); }
    /// Writes `content` under a work name in the sample's folder and returns its path.
    fs::path write(std::span<const std::uint8_t> content, const std::string& name = "work.ovseal") const;

    TempDir dir;
    fs::path xml;
    fs::path sealed;
    std::vector<std::uint8_t> key_bytes;
    std::vector<std::uint8_t> bytes;  // the sealed file
    ovseal::FileInfo info;            // its verified description
};

/// A test fixture base whose tests share one SealedSample, made once per suite.
template <typename Base = ::testing::Test>
class WithSealedSample : public Base {
protected:
    static void SetUpTestSuite() { sample = std::make_unique<SealedSample>(); }
    static void TearDownTestSuite() { sample.reset(); }
    static inline std::unique_ptr<SealedSample> sample;
};

}  // namespace ovseal_test
