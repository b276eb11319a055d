// SPDX-License-Identifier: Apache-2.0
// Turning OpenVINO compile options into the canonical text the model cache binds (docs/FORMAT.md §16.2).

#include "openvino/compile_options.hpp"

#include <optional>
#include <string>
#include <utility>

#include <openvino/runtime/auto/properties.hpp>
#include <openvino/runtime/intel_cpu/properties.hpp>
#include <openvino/runtime/properties.hpp>

#include "cache/option_text.hpp"
#include "ovseal/error.hpp"

namespace ovseal::openvino {
namespace {

// The names OpenVINO reads from text for each value of an enumeration (§16.2's table).
template <typename Enum>
using Names = std::initializer_list<std::pair<Enum, const char*>>;

template <typename Enum>
std::optional<std::string> enum_text(const ov::Any& value, Names<Enum> names) {
    if (!value.is<Enum>()) return std::nullopt;
    for (const auto& [v, name] : names) {
        if (value.as<Enum>() == v) return name;
    }
    return std::nullopt;
}

template <typename Int>
std::optional<std::string> integer(const ov::Any& value) {
    if (!value.is<Int>()) return std::nullopt;
    if constexpr (std::is_signed_v<Int>)
        return container::integer_text(static_cast<std::int64_t>(value.as<Int>()));
    else
        return container::integer_text(static_cast<std::uint64_t>(value.as<Int>()));
}

std::optional<std::string> enumeration(const ov::Any& value) {
    using namespace ov::hint;
    std::optional<std::string> text;
    if (!text)
        text = enum_text<PerformanceMode>(value, {{PerformanceMode::LATENCY, "LATENCY"},
                                                  {PerformanceMode::THROUGHPUT, "THROUGHPUT"},
                                                  {PerformanceMode::CUMULATIVE_THROUGHPUT, "CUMULATIVE_THROUGHPUT"}});
    if (!text)
        text = enum_text<Priority>(value,
                                   {{Priority::LOW, "LOW"}, {Priority::MEDIUM, "MEDIUM"}, {Priority::HIGH, "HIGH"}});
    if (!text)
        text = enum_text<ExecutionMode>(
            value, {{ExecutionMode::PERFORMANCE, "PERFORMANCE"}, {ExecutionMode::ACCURACY, "ACCURACY"}});
    if (!text)
        text = enum_text<SchedulingCoreType>(value, {{SchedulingCoreType::ANY_CORE, "ANY_CORE"},
                                                     {SchedulingCoreType::PCORE_ONLY, "PCORE_ONLY"},
                                                     {SchedulingCoreType::ECORE_ONLY, "ECORE_ONLY"}});
    if (!text)
        text = enum_text<ov::WorkloadType>(
            value, {{ov::WorkloadType::DEFAULT, "DEFAULT"}, {ov::WorkloadType::EFFICIENT, "EFFICIENT"}});
    if (!text)
        text = enum_text<ov::log::Level>(value, {{ov::log::Level::NO, "LOG_NONE"},
                                                 {ov::log::Level::ERR, "LOG_ERROR"},
                                                 {ov::log::Level::WARNING, "LOG_WARNING"},
                                                 {ov::log::Level::INFO, "LOG_INFO"},
                                                 {ov::log::Level::DEBUG, "LOG_DEBUG"},
                                                 {ov::log::Level::TRACE, "LOG_TRACE"}});
    if (!text)
        text = enum_text<ov::CacheMode>(value, {{ov::CacheMode::OPTIMIZE_SIZE, "optimize_size"},
                                                {ov::CacheMode::OPTIMIZE_SPEED, "optimize_speed"}});
    if (!text)
        text = enum_text<ov::intel_cpu::TbbPartitioner>(value, {{ov::intel_cpu::TbbPartitioner::NONE, "NONE"},
                                                                {ov::intel_cpu::TbbPartitioner::STATIC, "STATIC"},
                                                                {ov::intel_cpu::TbbPartitioner::AUTO, "AUTO"}});
    if (!text)
        text = enum_text<ov::intel_auto::SchedulePolicy>(
            value, {{ov::intel_auto::SchedulePolicy::ROUND_ROBIN, "ROUND_ROBIN"},
                    {ov::intel_auto::SchedulePolicy::DEVICE_PRIORITY, "DEVICE_PRIORITY"}});
    return text;
}

// §16.2: the canonical text of a value that is not a map, by the type it holds.
std::optional<std::string> canonical_text(const ov::Any& value) {
    if (value.is<std::string>()) return value.as<std::string>();
    if (value.is<bool>()) return value.as<bool>() ? "YES" : "NO";
    // Before the integers: ov::Any also calls a streams::Num an int32 (its declared base).
    if (value.is<ov::streams::Num>()) {
        const auto n = value.as<ov::streams::Num>().num;
        if (n == ov::streams::AUTO.num) return std::string("AUTO");
        if (n == ov::streams::NUMA.num) return std::string("NUMA");
        return container::integer_text(static_cast<std::int64_t>(n));
    }
    for (auto text :
         {integer<int>(value), integer<long>(value), integer<long long>(value), integer<short>(value),
          integer<signed char>(value), integer<unsigned>(value), integer<unsigned long>(value),
          integer<unsigned long long>(value), integer<unsigned short>(value), integer<unsigned char>(value)}) {
        if (text) return text;
    }
    if (value.is<double>()) return container::float_text(value.as<double>());
    if (value.is<float>()) return container::float_text(static_cast<double>(value.as<float>()));
    if (value.is<ov::element::Type>()) return value.as<ov::element::Type>().get_type_name();
    return enumeration(value);
}

}  // namespace

std::vector<container::CacheOption> cache_options(const ov::AnyMap& config) {
    std::vector<container::CacheOption> options;
    for (const auto& [name, value] : config) {
        container::CacheOption option{name, {}, false, {}};
        if (value.is<ov::AnyMap>()) {
            option.is_map = true;
            option.map = cache_options(value.as<ov::AnyMap>());
        } else if (auto text = canonical_text(value)) {
            option.text = std::move(*text);
        } else {
            throw Error(ErrorCode::usage,
                        "compile option " + name + " has a value the model cache cannot bind (FORMAT.md §16.2)");
        }
        options.push_back(std::move(option));
    }
    return options;
}

}  // namespace ovseal::openvino
