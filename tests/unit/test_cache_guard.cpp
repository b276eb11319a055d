// compile_model refuses a model cache: OpenVINO would write the decrypted weights into it.

#include <gtest/gtest.h>

#include <algorithm>

#include <openvino/runtime/properties.hpp>

#include "memory/locked_region.hpp"
#include "test_support.hpp"

namespace {

using namespace ovseal_test;
using ovseal::ErrorCode;

bool empty_folder(const fs::path& p) { return fs::is_directory(p) && fs::is_empty(p); }

class CacheGuard : public WithSealedSample<> {
protected:
    TempDir cache;
};


TEST_F(CacheGuard, CacheDirInConfigIsRefused) {
    ov::Core core;
    const ov::AnyMap config{ov::cache_dir(cache.path().string())};
    expect_failure([&] { ovseal::compile_model(core, sample->sealed, sample->key(), "CPU", config); },
                   {ErrorCode::usage}, sample->key_bytes, "cache_dir in the config");
    expect_failure([&] { ovseal::compile_model(core, sample->sealed, sample->key(), "AUTO", config); },
                   {ErrorCode::usage}, sample->key_bytes, "cache_dir in the config, AUTO");
    EXPECT_TRUE(empty_folder(cache.path())) << "something was written into the cache folder";
}

TEST_F(CacheGuard, CacheDirOnTheCoreIsRefused) {
    ov::Core core;
    core.set_property(ov::cache_dir(cache.path().string()));
    expect_failure([&] { ovseal::compile_model(core, sample->sealed, sample->key(), "CPU"); }, {ErrorCode::usage},
                   sample->key_bytes, "cache_dir on the core");
    EXPECT_TRUE(empty_folder(cache.path())) << "something was written into the cache folder";
}

TEST_F(CacheGuard, CacheDirOnTheDeviceIsRefused) {
    ov::Core core;
    core.set_property("CPU", ov::cache_dir(cache.path().string()));
    expect_failure([&] { ovseal::compile_model(core, sample->sealed, sample->key(), "CPU"); }, {ErrorCode::usage},
                   sample->key_bytes, "cache_dir on the CPU device");
    EXPECT_TRUE(empty_folder(cache.path())) << "something was written into the cache folder";
}

TEST_F(CacheGuard, EmptyCacheDirIsNoCache) {
    ov::Core core;
    auto compiled = ovseal::compile_model(core, sample->sealed, sample->key(), "CPU", {ov::cache_dir("")});
    expect_same_outputs(infer(core.compile_model(sample->xml.string(), "CPU")), infer(compiled));
}

TEST_F(CacheGuard, UnknownDeviceIsUsageError) {
    ov::Core core;
    expect_failure([&] { ovseal::compile_model(core, sample->sealed, sample->key(), "NO_SUCH_DEVICE"); },
                   {ErrorCode::usage}, sample->key_bytes, "unknown device");
}

}  // namespace

namespace {

using namespace ovseal_test;
using ovseal::ErrorCode;

// Other ways to give OpenVINO a cache: whatever ovseal does, no decrypted model may land in the folder.
class CacheGuardIndirect : public ::testing::Test {
protected:
    void expect_refused_or_nothing_written(ov::Core& core, const std::string& device, const ov::AnyMap& config,
                                           const std::string& context) {
        try {
            auto compiled = ovseal::compile_model(core, sample.sealed, sample.key(), device, config);
            infer(compiled);
        } catch (const ovseal::Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::usage) << context << ": " << e.what();
        }
        std::vector<std::string> files;
        for (const auto& f : fs::recursive_directory_iterator(cache.path())) {
            files.push_back(f.path().filename().string());
        }
        EXPECT_TRUE(files.empty()) << context << ": OpenVINO wrote " << files.size()
                                   << " file(s) into the model cache, e.g. " << (files.empty() ? "" : files[0])
                                   << "; 64-byte runs of the plaintext .bin found in it: " << plaintext_runs();
    }

    // How many 64-byte-aligned 64-byte runs of the model's weights appear verbatim in the cache folder.
    std::size_t plaintext_runs() const {
        auto bin = sample.xml;
        bin.replace_extension(".bin");
        const auto weights = read_bytes(bin);
        std::size_t found = 0;
        for (const auto& f : fs::recursive_directory_iterator(cache.path())) {
            if (!f.is_regular_file()) continue;
            const auto blob = read_bytes(f.path());
            for (std::size_t at = 0; at + 64 <= weights.size(); at += 64) {
                found += std::search(blob.begin(), blob.end(), weights.begin() + at, weights.begin() + at + 64) !=
                         blob.end();
            }
        }
        return found;
    }

    SealedSample sample;
    TempDir cache;
};

TEST_F(CacheGuardIndirect, CacheDirOnCpuWhileCompilingForAuto) {
    ov::Core core;
    core.set_property("CPU", ov::cache_dir(cache.path().string()));
    expect_refused_or_nothing_written(core, "AUTO", {}, "CPU cache_dir, device AUTO");
}

TEST_F(CacheGuardIndirect, CacheDirOnCpuWhileCompilingForAutoCpu) {
    ov::Core core;
    core.set_property("CPU", ov::cache_dir(cache.path().string()));
    expect_refused_or_nothing_written(core, "AUTO:CPU", {}, "CPU cache_dir, device AUTO:CPU");
}

TEST_F(CacheGuardIndirect, CacheDirInDevicePropertiesOfConfig) {
    ov::Core core;
    expect_refused_or_nothing_written(core, "CPU", {ov::device::properties("CPU", ov::cache_dir(cache.path().string()))},
                                      "ov::device::properties(CPU, cache_dir)");
}

TEST_F(CacheGuardIndirect, CacheDirForCpuInConfigWhileCompilingForAuto) {
    ov::Core core;
    expect_refused_or_nothing_written(core, "AUTO",
                                      {ov::device::properties("CPU", ov::cache_dir(cache.path().string()))},
                                      "AUTO with device properties(CPU, cache_dir)");
}

}  // namespace
