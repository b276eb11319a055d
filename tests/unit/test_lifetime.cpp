// SPDX-License-Identifier: Apache-2.0
// Decrypted weights live in locked memory exactly as long as OpenVINO uses them, and are wiped on release.

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>

#include "memory/locked_region.hpp"
#include "test_support.hpp"

namespace {

using namespace ovseal_test;

struct Release {
    std::size_t size;
    bool all_zero;
};

// Records every region released while it is installed; removes itself at the end of the scope.
class ReleaseRecorder {
public:
    ReleaseRecorder() {
        ovseal::memory::set_release_observer([this](const std::uint8_t* data, std::size_t size) {
            const bool zero = std::all_of(data, data + size, [](std::uint8_t b) { return b == 0; });
            std::lock_guard lock(m_mutex);
            m_releases.push_back({size, zero});
        });
    }
    ~ReleaseRecorder() { ovseal::memory::set_release_observer({}); }
    std::vector<Release> releases() {
        std::lock_guard lock(m_mutex);
        return m_releases;
    }

private:
    std::mutex m_mutex;
    std::vector<Release> m_releases;
};

class Lifetime : public ::testing::Test {
protected:
    void SetUp() override {
        xml = write_model(make_mlp(512), dir.path(), "mlp");
        auto bin = xml;
        bin.replace_extension(".bin");
        weights_size = fs::file_size(bin);
        ovseal::SealOptions options;
        options.chunk_size = 64 * 1024;
        ovseal::seal_model(xml, sealed = dir / "mlp.ovseal", {key}, options);
        expected = infer(core.compile_model(xml.string(), "CPU"));
    }

    void check_released(ReleaseRecorder& recorder, const ovseal::memory::RegionStats& before) {
        const auto after = ovseal::memory::region_stats();
        EXPECT_EQ(after.live_bytes, before.live_bytes) << "decrypted memory outlived the compiled model";
        EXPECT_EQ(after.live_regions, before.live_regions);
        EXPECT_GT(after.wiped_regions, before.wiped_regions);
        const auto releases = recorder.releases();
        EXPECT_EQ(releases.size(), after.wiped_regions - before.wiped_regions);
        bool weights_region = false;
        for (const auto& r : releases) {
            EXPECT_TRUE(r.all_zero) << "a region of " << r.size << " bytes was not wiped before release";
            weights_region = weights_region || r.size >= weights_size;
        }
        EXPECT_TRUE(weights_region) << "no released region was large enough to hold the weights";
    }

    TempDir dir;
    ov::Core core;
    std::vector<std::uint8_t> key_bytes = std::vector<std::uint8_t>(32, 0x5a);
    ovseal::Key key = ovseal::Key::from_bytes(key_bytes);
    fs::path xml, sealed;
    std::uint64_t weights_size = 0;
    Outputs expected;
};

TEST_F(Lifetime, CompiledModelAloneKeepsWeightsAliveUntilReleased) {
    ReleaseRecorder recorder;
    const auto before = ovseal::memory::region_stats();
    {
        ov::CompiledModel compiled = ovseal::compile_model(core, sealed, key, "CPU");
        const auto during = ovseal::memory::region_stats();
        EXPECT_GE(during.live_bytes, before.live_bytes + weights_size)
            << "the weights region is not live while the compiled model is";
        for (int round = 0; round < 5; ++round) {
            auto request = compiled.create_infer_request();
            expect_same_outputs(expected, infer(request));
        }
        auto request = compiled.create_infer_request();
        for (int round = 0; round < 5; ++round) {
            expect_same_outputs(expected, infer(request));
        }
        EXPECT_EQ(ovseal::memory::region_stats().live_bytes, during.live_bytes);
    }
    check_released(recorder, before);
}

TEST_F(Lifetime, ModelDroppedBeforeInference) {
    ReleaseRecorder recorder;
    const auto before = ovseal::memory::region_stats();
    {
        ov::CompiledModel compiled;
        {
            std::shared_ptr<ov::Model> model = ovseal::read_model(core, sealed, key);
            EXPECT_GE(ovseal::memory::region_stats().live_bytes, before.live_bytes + weights_size);
            compiled = core.compile_model(model, "CPU");
            model.reset();
        }
        EXPECT_GE(ovseal::memory::region_stats().live_bytes, before.live_bytes + weights_size)
            << "the weights region is not live while the compiled model is";
        std::vector<ov::InferRequest> requests;
        for (int i = 0; i < 3; ++i) {
            requests.push_back(compiled.create_infer_request());
        }
        for (int round = 0; round < 3; ++round) {
            for (auto& r : requests) {
                expect_same_outputs(expected, infer(r));
            }
        }
        // The requests outlive the compiled model handle; memory must stay until they are gone too.
        compiled = ov::CompiledModel();
        for (auto& r : requests) {
            expect_same_outputs(expected, infer(r));
        }
    }
    check_released(recorder, before);
}

TEST_F(Lifetime, FileKeyAndCoreGoneBeforeInference) {
    ReleaseRecorder recorder;
    const auto before = ovseal::memory::region_stats();
    {
        ov::CompiledModel compiled;
        {
            ov::Core own_core;
            const fs::path copy = sealed.parent_path() / "copy.ovseal";
            fs::copy_file(sealed, copy);
            ovseal::Key own_key = ovseal::Key::from_bytes(key_bytes);
            compiled = ovseal::compile_model(own_core, copy, own_key, "CPU");
            fs::remove(copy);  // the sealed file, the key and the core all go away here
        }
        auto request = compiled.create_infer_request();
        for (int round = 0; round < 3; ++round) {
            expect_same_outputs(expected, infer(request));
        }
    }
    check_released(recorder, before);
}

TEST_F(Lifetime, ModelWithoutCompilationIsWipedOnRelease) {
    ReleaseRecorder recorder;
    const auto before = ovseal::memory::region_stats();
    {
        auto model = ovseal::read_model(core, sealed, key);
        EXPECT_GE(ovseal::memory::region_stats().live_bytes, before.live_bytes + weights_size);
        auto copy = model->clone();
        model.reset();
        EXPECT_GE(ovseal::memory::region_stats().live_bytes, before.live_bytes + weights_size);
    }
    check_released(recorder, before);
}

TEST_F(Lifetime, RepeatedLoadsDoNotLeak) {
    const auto before = ovseal::memory::region_stats();
    for (int i = 0; i < 3; ++i) {
        auto compiled = ovseal::compile_model(core, sealed, key, "CPU");
        expect_same_outputs(expected, infer(compiled));
    }
    EXPECT_EQ(ovseal::memory::region_stats().live_bytes, before.live_bytes);
    EXPECT_EQ(ovseal::memory::region_stats().live_regions, before.live_regions);
}

}  // namespace

namespace {

// Key material is wiped on release too: key files, passphrases (and what scrypt derives from them), device
// identities and signing keys, each seen through the release hook.
TEST(KeyLifetime, EveryKindOfKeyIsWipedOnRelease) {
    ReleaseRecorder recorder;
    const auto before = ovseal::memory::region_stats();
    {
        const auto key = ovseal::Key::from_bytes(key_bytes(801));
        const auto passphrase = ovseal::Key::from_passphrase("correct horse battery staple");
        const auto device = device_identity(802);
        const auto signer = signing_key(803);
        const auto p256 = ovseal::DeviceIdentity::from_p256_bytes(key_bytes(804));
        EXPECT_GT(ovseal::memory::region_stats().live_regions, before.live_regions);
    }
    EXPECT_EQ(ovseal::memory::region_stats().live_regions, before.live_regions) << "a key outlived its object";
    const auto releases = recorder.releases();
    EXPECT_GE(releases.size(), 4u) << "key file, passphrase, device key and signing seed each live in a region";
    for (const auto& r : releases) EXPECT_TRUE(r.all_zero) << "a released key region of " << r.size << " bytes";
}

}  // namespace
