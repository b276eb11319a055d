// SPDX-License-Identifier: Apache-2.0
// The canonical text of compile option values (docs/FORMAT.md §16.2, revision 5): written by the format's rules
// from the type an ov::Any holds, never by OpenVINO's printing.

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>

#include <openvino/runtime/properties.hpp>

#include "cache/option_text.hpp"
#include "openvino/compile_options.hpp"
#include "test_support.hpp"

namespace {

using namespace ovseal_test;
using ovseal::container::float_text;
using ovseal::container::integer_text;

std::string text_of(const ov::Any& value) {
    const auto options = ovseal::openvino::cache_options({{"X", value}});
    EXPECT_EQ(options.size(), 1u);
    EXPECT_FALSE(options[0].is_map);
    return options[0].text;
}

std::vector<std::uint8_t> bound(const ov::AnyMap& config) {
    return ovseal::container::canonical_options(ovseal::openvino::cache_options(config));
}

TEST(CacheOptionText, Integers) {
    EXPECT_EQ(integer_text(std::int64_t{0}), "0");
    EXPECT_EQ(integer_text(std::int64_t{-1}), "-1");
    EXPECT_EQ(integer_text(std::int64_t{4}), "4");
    EXPECT_EQ(integer_text(std::numeric_limits<std::int64_t>::min()), "-9223372036854775808");
    EXPECT_EQ(integer_text(std::numeric_limits<std::uint64_t>::max()), "18446744073709551615");
}

TEST(CacheOptionText, FloatsAreExact) {
    EXPECT_EQ(float_text(1.0), "0x1.0000000000000p+0");
    EXPECT_EQ(float_text(0.1), "0x1.999999999999ap-4");
    EXPECT_EQ(float_text(-2.5), "-0x1.4000000000000p+1");
    EXPECT_EQ(float_text(1024.0), "0x1.0000000000000p+10");
    EXPECT_EQ(float_text(0.0), "0x0.0000000000000p+0");
    EXPECT_EQ(float_text(-0.0), "-0x0.0000000000000p+0");
    EXPECT_EQ(float_text(std::numeric_limits<double>::denorm_min()), "0x0.0000000000001p-1022");
    EXPECT_EQ(float_text(DBL_MAX), "0x1.fffffffffffffp+1023");
    EXPECT_EQ(float_text(static_cast<double>(0.1f)), "0x1.99999a0000000p-4");
    EXPECT_FALSE(float_text(std::nan("")));
    EXPECT_FALSE(float_text(-HUGE_VAL));
    // The format says this is C's "%.13a": check it against the C library over many bit patterns.
    std::mt19937_64 random(16);
    for (int i = 0; i < 20000; ++i) {
        const double value = std::bit_cast<double>(random());
        if (!std::isfinite(value)) continue;
        char c[64];
        std::snprintf(c, sizeof c, "%.13a", value);
        ASSERT_EQ(float_text(value), std::string(c)) << c;
    }
}

TEST(CacheOptionText, ByHeldType) {
    EXPECT_EQ(text_of(std::string("LATENCY")), "LATENCY");
    EXPECT_EQ(text_of("a \xc3\xa9 b"), "a \xc3\xa9 b");
    EXPECT_EQ(text_of(true), "YES");
    EXPECT_EQ(text_of(false), "NO");
    EXPECT_EQ(text_of(4), "4");
    EXPECT_EQ(text_of(-4L), "-4");
    EXPECT_EQ(text_of(std::size_t{1} << 40), "1099511627776");
    EXPECT_EQ(text_of(std::uint32_t{2}), "2");
    EXPECT_EQ(text_of(0.1), "0x1.999999999999ap-4");
    EXPECT_EQ(text_of(0.1f), "0x1.99999a0000000p-4");
    EXPECT_EQ(text_of(ov::element::f32), "f32");
    EXPECT_EQ(text_of(ov::element::bf16), "bf16");
    EXPECT_EQ(text_of(ov::streams::AUTO), "AUTO");
    EXPECT_EQ(text_of(ov::streams::NUMA), "NUMA");
    EXPECT_EQ(text_of(ov::streams::Num(3)), "3");
    EXPECT_EQ(text_of(ov::hint::PerformanceMode::CUMULATIVE_THROUGHPUT), "CUMULATIVE_THROUGHPUT");
    EXPECT_EQ(text_of(ov::hint::Priority::HIGH), "HIGH");
    EXPECT_EQ(text_of(ov::hint::ExecutionMode::ACCURACY), "ACCURACY");
    EXPECT_EQ(text_of(ov::hint::SchedulingCoreType::PCORE_ONLY), "PCORE_ONLY");
    EXPECT_EQ(text_of(ov::log::Level::WARNING), "LOG_WARNING");
    EXPECT_EQ(text_of(ov::CacheMode::OPTIMIZE_SPEED), "optimize_speed");
}

TEST(CacheOptionText, EqualTextBindsEquallyOtherwiseNot) {
    EXPECT_EQ(bound({ov::hint::performance_mode(ov::hint::PerformanceMode::LATENCY), ov::num_streams(1)}),
              bound({{"PERFORMANCE_HINT", "LATENCY"}, {"NUM_STREAMS", "1"}}));
    // OpenVINO prints both as "0.123457"; the format keeps them apart.
    EXPECT_EQ(ov::Any(0.1234567).as<std::string>(), ov::Any(0.1234568).as<std::string>());
    EXPECT_NE(bound({{"RATE", 0.1234567}}), bound({{"RATE", 0.1234568}}));
    EXPECT_NE(bound({{"FLAG", true}}), bound({{"FLAG", "true"}}));  // different text: at worst a rebuild
}

TEST(CacheOptionText, NoTextMeansNoCache) {
    const std::vector<std::pair<std::string, ov::Any>> values = {
        {"NaN", std::nan("")},
        {"infinity", HUGE_VAL},
        {"a list", std::vector<std::string>{"CPU", "GPU"}},
        {"a set", std::set<ov::hint::ModelDistributionPolicy>{ov::hint::ModelDistributionPolicy::TENSOR_PARALLEL}},
        {"a char", 'x'},
    };
    for (const auto& [what, value] : values) {
        const auto e = error_of([&] { (void)ovseal::openvino::cache_options({{"X", value}}); });
        ASSERT_TRUE(e) << what;
        EXPECT_EQ(e->code(), ovseal::ErrorCode::usage) << what;
        EXPECT_NE(std::string(e->what()).find("cannot bind"), std::string::npos) << e->what();
    }
    // Nested the same way.
    EXPECT_TRUE(error_of([] {
        (void)ovseal::openvino::cache_options(
            {{"DEVICE_PROPERTIES", ov::AnyMap{{"CPU", ov::AnyMap{{"X", HUGE_VAL}}}}}});
    }));
}

class CacheOptions : public WithSealedSample<> {};

// Typed options and their string forms bind to the same entry: a real compile stores it, the other form hits it.
TEST_F(CacheOptions, TypedAndTextOptionsShareAnEntry) {
    TempDir cache;
    const auto compile = [&](const ov::AnyMap& config) {
        ov::Core core;
        ovseal::CacheReport report;
        auto compiled = ovseal::compile_model(core, sample->sealed, sample->key(), "CPU", config,
                                              {cache.path(), [&](const ovseal::CacheReport& r) { report = r; }});
        ov::Core plain;
        expect_same_outputs(infer(plain.compile_model(sample->xml.string(), "CPU", config)), infer(compiled));
        return report.outcome;
    };
    using Outcome = ovseal::CacheReport::Outcome;
    EXPECT_EQ(compile({ov::hint::performance_mode(ov::hint::PerformanceMode::LATENCY), ov::num_streams(1),
                       ov::hint::inference_precision(ov::element::f32)}),
              Outcome::stored);
    EXPECT_EQ(compile({{"PERFORMANCE_HINT", "LATENCY"}, {"NUM_STREAMS", "1"}, {"INFERENCE_PRECISION_HINT", "f32"}}),
              Outcome::hit);
}

}  // namespace
