// SPDX-License-Identifier: Apache-2.0
// compile_model refuses OpenVINO's model cache wherever it is set: OpenVINO would write the compiled model, the
// decrypted weights included, into it. Each route that OpenVINO honours has a control: plain OpenVINO with the
// same setting writes a file holding the marker from the model's weights, so the route is real.

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <optional>

#include <openvino/runtime/properties.hpp>

#include "test_support.hpp"

namespace {

using namespace ovseal_test;
using ovseal::ErrorCode;

// The marker model, plain and sealed, made once for all the tests here.
struct MarkerModel {
    MarkerModel() : xml(write_model(make_marker_model(), dir.path(), "marker")), sealed(dir / "marker.ovseal") {
        ovseal::seal_model(xml, sealed, {key()});
    }
    ovseal::Key key() const { return ovseal::Key::from_bytes(key_bytes); }

    TempDir dir;
    fs::path xml;
    fs::path sealed;
    std::vector<std::uint8_t> key_bytes = ovseal_test::key_bytes(31);
};

std::size_t files_in(const fs::path& dir) {
    std::size_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir)) n += e.is_regular_file() ? 1 : 0;
    return n;
}

bool marker_in(const fs::path& dir) {
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (e.is_regular_file() && holds(read_bytes(e.path()), plaintext_marker)) return true;
    }
    return false;
}

// One way to give OpenVINO a model cache: something set on the core, a device, a configuration.
struct Route {
    const char* name;
    std::function<void(ov::Core&, const std::string& cache)> on_core;
    std::string device;
    std::function<ov::AnyMap(const std::string& cache)> config;
    bool honoured;  // plain OpenVINO 2026.4 writes a cache this way (measured)
};

void PrintTo(const Route& route, std::ostream* out) {
    *out << route.name;
}

void nothing(ov::Core&, const std::string&) {}
void core_wide(ov::Core& core, const std::string& cache) {
    core.set_property(ov::cache_dir(cache));
}
void on_cpu(ov::Core& core, const std::string& cache) {
    core.set_property("CPU", ov::cache_dir(cache));
}
ov::AnyMap none(const std::string&) {
    return {};
}
ov::AnyMap cpu_first(const std::string&) {
    return {ov::device::priorities("CPU")};
}

const Route routes[] = {
    {"CoreWide", core_wide, "CPU", none, true},
    {"CoreWideCachePath", [](ov::Core& c, const std::string& d) { c.set_property(ov::cache_path(d)); }, "CPU", none,
     true},
    {"OnTheDevice", on_cpu, "CPU", none, true},
    {"OnTheDeviceCachePath", [](ov::Core& c, const std::string& d) { c.set_property("CPU", ov::cache_path(d)); }, "CPU",
     none, true},
    {"OnTheDeviceWithId", [](ov::Core& c, const std::string& d) { c.set_property("CPU.0", ov::cache_dir(d)); }, "CPU",
     none, true},
    {"InTheConfig", nothing, "CPU", [](const std::string& d) { return ov::AnyMap{ov::cache_dir(d)}; }, true},
    {"InTheConfigCachePath", nothing, "CPU", [](const std::string& d) { return ov::AnyMap{ov::cache_path(d)}; }, true},
    {"InDevicePropertiesMap", nothing, "CPU",
     [](const std::string& d) { return ov::AnyMap{ov::device::properties("CPU", ov::cache_dir(d))}; }, true},
    {"InDevicePropertiesSerialized", nothing, "CPU",
     [](const std::string& d) {
         return ov::AnyMap{{"DEVICE_PROPERTIES", "{CPU:{CACHE_DIR:" + d + "}}"}};
     },
     true},
    {"InTheConfigForAuto", nothing, "AUTO", [](const std::string& d) { return ov::AnyMap{ov::cache_dir(d)}; }, true},
    {"CoreWideForHetero", core_wide, "HETERO:CPU", none, true},
    {"OnTheDeviceForAuto", on_cpu, "AUTO", none, true},
    {"OnTheDeviceForAutoCpu", on_cpu, "AUTO:CPU", none, true},
    {"OnTheDeviceForAutoExcludingGpu", on_cpu, "AUTO:-GPU", none, true},
    {"OnTheDeviceForMultiCpu", on_cpu, "MULTI:CPU", none, true},
    {"OnTheDeviceForBatchCpu", on_cpu, "BATCH:CPU(4)", none, true},
    {"OnTheDeviceForHeteroCpu", on_cpu, "HETERO:CPU", none, false},
    {"OnTheDeviceForMultiWithPriorities", on_cpu, "MULTI", cpu_first, true},
    {"OnTheDeviceForAutoWithPriorities", on_cpu, "AUTO", cpu_first, true},
    {"OnTheDeviceForBatchWithPriorities", on_cpu, "BATCH", cpu_first, true},
    {"OnHetero", [](ov::Core& c, const std::string& d) { c.set_property("HETERO", ov::cache_dir(d)); }, "HETERO:CPU",
     none, true},
    {"OnAuto", [](ov::Core& c, const std::string& d) { c.set_property("AUTO", ov::cache_dir(d)); }, "AUTO:CPU", none,
     false},
    {"InDevicePropertiesForAuto", nothing, "AUTO",
     [](const std::string& d) { return ov::AnyMap{ov::device::properties("CPU", ov::cache_dir(d))}; }, true},
    {"InDevicePropertiesForMultiCpu", nothing, "MULTI:CPU",
     [](const std::string& d) { return ov::AnyMap{ov::device::properties("CPU", ov::cache_dir(d))}; }, true},
    {"InDevicePropertiesOfHetero", nothing, "HETERO:CPU",
     [](const std::string& d) { return ov::AnyMap{ov::device::properties("HETERO", ov::cache_dir(d))}; }, true},
    {"InDevicePropertiesForHeteroCpu", nothing, "HETERO:CPU",
     [](const std::string& d) { return ov::AnyMap{ov::device::properties("CPU", ov::cache_dir(d))}; }, false},
};

class CacheRoute : public ::testing::TestWithParam<Route> {
protected:
    static void SetUpTestSuite() { model.emplace(); }
    static void TearDownTestSuite() { model.reset(); }
    static inline std::optional<MarkerModel> model;
    TempDir cache;
};

TEST_P(CacheRoute, IsRefused) {
    const auto& route = GetParam();
    ov::Core core;
    route.on_core(core, cache.path().string());
    const auto config = route.config(cache.path().string());
    const auto compile = [&] { ovseal::compile_model(core, model->sealed, model->key(), route.device, config); };
    expect_failure(compile, {ErrorCode::usage}, model->key_bytes, route.name);
    const auto error = error_of(compile);
    ASSERT_TRUE(error);
    EXPECT_NE(std::string(error->what()).find("model cache"), std::string::npos) << error->what();
    EXPECT_EQ(files_in(cache.path()), 0u) << "something was written into the cache folder";
}

TEST_P(CacheRoute, WritesTheWeightsWithPlainOpenVino) {
    const auto& route = GetParam();
    if (!route.honoured) GTEST_SKIP() << "OpenVINO writes no cache this way; ovseal refuses it all the same";
    ov::Core core;
    route.on_core(core, cache.path().string());
    core.compile_model(model->xml.string(), route.device, route.config(cache.path().string()));
    EXPECT_TRUE(marker_in(cache.path())) << "OpenVINO no longer writes the weights this way: revisit the route";
}

INSTANTIATE_TEST_SUITE_P(, CacheRoute, ::testing::ValuesIn(routes),
                         [](const ::testing::TestParamInfo<Route>& info) { return std::string(info.param.name); });

class CacheGuard : public WithSealedSample<> {
protected:
    TempDir cache;
};

// The check reads the core at every call: properties set after a first compile count.
TEST_F(CacheGuard, CacheSetAfterAFirstCompileIsRefused) {
    ov::Core core;
    ovseal::compile_model(core, sample->sealed, sample->key(), "CPU");
    core.set_property("CPU", ov::cache_dir(cache.path().string()));
    expect_failure([&] { ovseal::compile_model(core, sample->sealed, sample->key(), "CPU"); }, {ErrorCode::usage},
                   sample->key_bytes, "cache_dir set after a first compile");
    EXPECT_EQ(files_in(cache.path()), 0u);

    // Plain OpenVINO honours it from the next compile on.
    ov::Core plain;
    const auto xml = write_model(make_marker_model(), cache.path() / "model", "marker");
    plain.compile_model(xml.string(), "CPU");
    plain.set_property("CPU", ov::cache_dir((cache / "cache").string()));
    plain.compile_model(xml.string(), "CPU");
    EXPECT_TRUE(marker_in(cache / "cache"));
}

TEST_F(CacheGuard, TheSealedCacheRefusesOpenVinosCacheToo) {
    ov::Core core;
    core.set_property("CPU", ov::cache_dir(cache.path().string()));
    expect_failure(
        [&] {
            ovseal::compile_model(core, sample->sealed, sample->key(), "CPU", {},
                                  ovseal::CompileCache{cache / "sealed", {}});
        },
        {ErrorCode::usage}, sample->key_bytes, "cache_dir on the device, with ovseal's cache");
    EXPECT_EQ(files_in(cache.path()), 0u);
}

TEST_F(CacheGuard, EmptyCacheDirIsNoCache) {
    ov::Core core;
    auto compiled = ovseal::compile_model(core, sample->sealed, sample->key(), "CPU",
                                          {ov::cache_dir(""), ov::device::properties("CPU", ov::cache_dir(""))});
    expect_same_outputs(infer(core.compile_model(sample->xml.string(), "CPU")), infer(compiled));
}

TEST_F(CacheGuard, UnknownDeviceIsUsageError) {
    ov::Core core;
    expect_failure([&] { ovseal::compile_model(core, sample->sealed, sample->key(), "NO_SUCH_DEVICE"); },
                   {ErrorCode::usage}, sample->key_bytes, "unknown device");
}

// OpenVINO's pass tracing writes the model, weights included, to the current folder after every pass, even
// while it only reads a model: every load is refused while it is on.
class PassTracing : public WithSealedSample<> {
protected:
    void SetUp() override {
        ASSERT_EQ(std::getenv(variable), nullptr) << variable << " is set in the test's environment";
        ASSERT_EQ(::chdir(folder.path().c_str()), 0);
    }
    void TearDown() override {
        ::unsetenv(variable);
        EXPECT_EQ(::chdir(previous.c_str()), 0);
    }
    static constexpr const char* variable = "OV_ENABLE_SERIALIZE_TRACING";
    TempDir folder;
    fs::path previous = fs::current_path();
};

TEST_F(PassTracing, ReadAndCompileAreRefused) {
    ::setenv(variable, "true", 1);
    ov::Core core;
    expect_failure([&] { ovseal::read_model(core, sample->sealed, sample->key()); }, {ErrorCode::usage},
                   sample->key_bytes, "read_model with pass tracing");
    expect_failure([&] { ovseal::compile_model(core, sample->sealed, sample->key(), "CPU"); }, {ErrorCode::usage},
                   sample->key_bytes, "compile_model with pass tracing");
    EXPECT_EQ(files_in(folder.path()), 0u);
}

TEST_F(PassTracing, OffIsOff) {
    for (const char* off : {"0", "false", "OFF", ""}) {
        ::setenv(variable, off, 1);
        ov::Core core;
        EXPECT_NO_THROW(ovseal::compile_model(core, sample->sealed, sample->key(), "CPU")) << off;
    }
    EXPECT_EQ(files_in(folder.path()), 0u);
}

TEST_F(PassTracing, WritesTheWeightsWithPlainOpenVino) {
    const auto xml = write_model(make_marker_model(), folder.path() / "model", "marker");
    ::setenv(variable, "true", 1);
    ov::Core().read_model(xml.string());
    ::unsetenv(variable);
    fs::remove_all(folder.path() / "model");
    EXPECT_TRUE(marker_in(folder.path())) << "OpenVINO no longer dumps models this way: revisit the check";
}

}  // namespace
