// SPDX-License-Identifier: Apache-2.0
// The decision behind every refusal of OpenVINO's model cache and pass tracing, on plain data (no OpenVINO):
// what it reads in a configuration, which devices it asks the core about, which variables count as on.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "openvino/disk_writes.hpp"
#include "ovseal/error.hpp"

namespace {

using ovseal::openvino::CacheQuery;
using ovseal::openvino::ConfigEntry;

ConfigEntry text(const std::string& name, const std::string& value) {
    return {name, value, {}, false};
}
ConfigEntry map(const std::string& name, std::vector<ConfigEntry> entries) {
    return {name, "", entries, true};
}

// A core with these cache folders per device ("" is the core-wide one), which records what it was asked.
struct FakeCore {
    std::map<std::string, std::string> caches;
    std::vector<std::string> devices = {"CPU", "GPU.0", "GPU.1"};
    std::vector<std::string> asked;
    bool listed = false;

    CacheQuery query(const std::string& device, std::vector<ConfigEntry> config = {}) {
        return {device, std::move(config),
                [this] {
                    listed = true;
                    return devices;
                },
                [this](const std::string& d) {
                    asked.push_back(d);
                    return caches.count(d) ? caches[d] : std::string();
                }};
    }
    bool was_asked(const std::string& d) const { return std::find(asked.begin(), asked.end(), d) != asked.end(); }
};

std::string refusal(const CacheQuery& query) {
    return ovseal::openvino::model_cache_refusal(query);
}

TEST(CacheDecision, NoCacheAnywhere) {
    FakeCore core;
    EXPECT_EQ(refusal(core.query("CPU", {text("PERFORMANCE_HINT", "LATENCY")})), "");
}

TEST(CacheDecision, EveryCacheSettingInTheConfig) {
    FakeCore core;
    const std::vector<std::vector<ConfigEntry>> configs = {
        {text("CACHE_DIR", "/c")},
        {text("CACHE_PATH", "/c")},
        {map("DEVICE_PROPERTIES", {map("CPU", {text("CACHE_DIR", "/c")})})},
        {map("DEVICE_PROPERTIES", {map("AUTO", {map("DEVICE_PROPERTIES", {map("GPU", {text("CACHE_PATH", "/c")})})})})},
        {text("DEVICE_PROPERTIES", "{CPU:{CACHE_DIR:/c}}")},
        {map("DEVICE_PROPERTIES", {text("CPU", " {CACHE_PATH:/c}")})},
    };
    for (const auto& config : configs) {
        const auto message = refusal(core.query("CPU", config));
        EXPECT_NE(message.find("compile configuration"), std::string::npos) << message;
    }
    EXPECT_NE(refusal(core.query("CPU", configs[2])).find("DEVICE_PROPERTIES > CPU > CACHE_DIR"), std::string::npos);
}

TEST(CacheDecision, EmptyCacheSettingsAreNoCache) {
    FakeCore core;
    EXPECT_EQ(refusal(core.query("CPU", {text("CACHE_DIR", ""), text("CACHE_PATH", ""),
                                         map("DEVICE_PROPERTIES", {map("CPU", {text("CACHE_DIR", "")})}),
                                         text("MODEL_NAME", "CACHE_DIR")})),
              "");
}

TEST(CacheDecision, ThePlainDeviceAndTheCoreOnly) {
    FakeCore core;
    EXPECT_EQ(refusal(core.query("CPU.1")), "");
    EXPECT_TRUE(core.was_asked(""));
    EXPECT_TRUE(core.was_asked("CPU.1"));
    EXPECT_TRUE(core.was_asked("CPU"));
    EXPECT_FALSE(core.was_asked("AUTO"));
    EXPECT_FALSE(core.listed) << "a plain device needs no list of every device (it loads every plugin)";
}

TEST(CacheDecision, CacheOnTheCoreOrTheDevice) {
    for (const std::string where : {"", "CPU"}) {
        FakeCore core;
        core.caches[where] = "/c";
        EXPECT_NE(refusal(core.query("CPU")).find("on the Core"), std::string::npos) << where;
    }
}

TEST(CacheDecision, VirtualDevicesAskEveryDeviceTheyMayUse) {
    for (const std::string device : {"AUTO", "AUTO:GPU.1", "AUTO:-GPU", "MULTI:CPU", "HETERO:CPU", "BATCH:CPU(4)"}) {
        for (const std::string where : {"CPU", "GPU", "GPU.0", "AUTO", "MULTI", "HETERO", "BATCH"}) {
            FakeCore core;
            core.caches[where] = "/c";
            EXPECT_NE(refusal(core.query(device)), "") << device << " with a cache on " << where;
            EXPECT_TRUE(core.listed) << device;
        }
    }
}

TEST(CacheDecision, DevicesNamedInPriorities) {
    FakeCore core;
    core.devices = {};  // not listed as available, named all the same
    core.caches["NPU"] = "/c";
    EXPECT_NE(refusal(core.query("MULTI", {text("MULTI_DEVICE_PRIORITIES", "GPU(2), NPU")})), "");
    EXPECT_NE(refusal(core.query("AUTO",
                                 {map("DEVICE_PROPERTIES", {map("AUTO", {text("MULTI_DEVICE_PRIORITIES", "NPU")})})})),
              "");
}

TEST(CacheDecision, RefusalIsAUsageError) {
    FakeCore core;
    core.caches[""] = "/c";
    try {
        ovseal::openvino::refuse_model_cache(core.query("CPU"));
        FAIL() << "no refusal";
    } catch (const ovseal::Error& e) {
        EXPECT_EQ(e.code(), ovseal::ErrorCode::usage);
        EXPECT_NE(std::string(e.what()).find("plaintext"), std::string::npos) << e.what();
    }
}

TEST(CacheDecision, VirtualDeviceNames) {
    using ovseal::openvino::is_virtual_device;
    for (const char* device : {"AUTO", "AUTO:CPU", "MULTI:GPU,CPU", "HETERO:GPU.1,CPU", "BATCH:CPU(4)"}) {
        EXPECT_TRUE(is_virtual_device(device)) << device;
    }
    for (const char* device : {"CPU", "GPU.1", "NPU", "", "AUTOMATIC"}) {
        EXPECT_FALSE(is_virtual_device(device)) << device;
    }
}

TEST(PassTracingDecision, OnUnlessEmptyOrOff) {
    std::map<std::string, std::string> environment;
    const auto lookup = [&](const char* name) -> const char* {
        const auto found = environment.find(name);
        return found == environment.end() ? nullptr : found->second.c_str();
    };
    EXPECT_EQ(ovseal::openvino::model_dump_variable(lookup), "");
    for (const char* off : {"", "0", "false", "Off", "FALSE"}) {
        environment["OV_ENABLE_SERIALIZE_TRACING"] = off;
        EXPECT_EQ(ovseal::openvino::model_dump_variable(lookup), "") << off;
    }
    for (const char* on : {"1", "true", "ON", "ConstantFolding,MOCTransformations"}) {
        environment["OV_ENABLE_SERIALIZE_TRACING"] = on;
        EXPECT_EQ(ovseal::openvino::model_dump_variable(lookup), "OV_ENABLE_SERIALIZE_TRACING") << on;
    }
    environment.clear();
    environment["OV_ENABLE_VISUALIZE_TRACING"] = "on";
    EXPECT_EQ(ovseal::openvino::model_dump_variable(lookup), "OV_ENABLE_VISUALIZE_TRACING");
    EXPECT_THROW(ovseal::openvino::refuse_model_dumps(lookup), ovseal::Error);
}

}  // namespace
