// SPDX-License-Identifier: Apache-2.0
// The rollback guard (docs/FORMAT.md §13.4): container::check_and_advance_clock, and KeyRing.clock_state.

#include <gtest/gtest.h>

#include <limits>

#include "policy/clock_guard.hpp"
#include "crypto/crypto.hpp"
#include "test_support.hpp"

namespace {

using namespace ovseal_test;
using ovseal::ErrorCode;
using ovseal::container::check_and_advance_clock;

constexpr std::int64_t tolerance = 300;
constexpr std::uint64_t t0 = 1'850'000'000;

std::string checksum(const std::string& seconds) {
    const std::string message = "ovseal-v1 clock" + seconds;
    const auto digest = ovseal::crypto::sha256({reinterpret_cast<const std::uint8_t*>(message.data()), message.size()});
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < 8; ++i) {
        out += digits[digest[i] >> 4];
        out += digits[digest[i] & 15];
    }
    return out;
}

// The state file's one line for `seconds`, as §13.4 describes it.
std::string state_line(const std::string& seconds) {
    return "OVSEAL-CLOCK-1 " + seconds + " " + checksum(seconds);
}
std::string state_line(std::uint64_t seconds) {
    return state_line(std::to_string(seconds));
}

// The stored time, read back through the spec's format (fails the test if the file is not one line of it).
std::uint64_t stored_time(const fs::path& state) {
    std::string text = read_text(state);
    EXPECT_TRUE(text.ends_with("\n")) << text;
    if (text.ends_with("\n")) text.pop_back();
    EXPECT_EQ(text.find('\n'), std::string::npos) << text;
    const auto first = text.find(' ');
    const auto second = text.rfind(' ');
    if (first == std::string::npos || second == first) {
        ADD_FAILURE() << "not a state line: " << text;
        return 0;
    }
    const std::string seconds = text.substr(first + 1, second - first - 1);
    EXPECT_EQ(text, state_line(seconds));
    return std::stoull(seconds);
}

class ClockGuard : public ::testing::Test {
protected:
    TempDir dir;
    fs::path state = dir / "clock";
};

TEST_F(ClockGuard, MissingFileIsAFirstUseAndIsWritten) {
    ASSERT_FALSE(fs::exists(state));
    check_and_advance_clock(state, t0, tolerance);
    ASSERT_TRUE(fs::is_regular_file(state));
    EXPECT_EQ(read_text(state), state_line(t0) + "\n");
    EXPECT_EQ(stored_time(state), t0);
    EXPECT_FALSE(fs::exists(dir / "clock.new")) << "the temporary file was left behind";
}

TEST_F(ClockGuard, LaterTimeAdvancesTheStoredTime) {
    check_and_advance_clock(state, t0, tolerance);
    check_and_advance_clock(state, t0 + 1, tolerance);
    EXPECT_EQ(stored_time(state), t0 + 1);
    check_and_advance_clock(state, t0 + 86400, tolerance);
    EXPECT_EQ(stored_time(state), t0 + 86400);
    check_and_advance_clock(state, t0 + 86400, tolerance);  // the same time again
    EXPECT_EQ(stored_time(state), t0 + 86400);
}

TEST_F(ClockGuard, EarlierWithinToleranceIsAcceptedAndDoesNotLowerTheTime) {
    check_and_advance_clock(state, t0, tolerance);
    check_and_advance_clock(state, t0 - 1, tolerance);
    EXPECT_EQ(stored_time(state), t0);
    check_and_advance_clock(state, t0 - tolerance, tolerance);  // exactly the tolerance: still accepted
    EXPECT_EQ(stored_time(state), t0);
    check_and_advance_clock(state, t0 - 100, 100);
    EXPECT_EQ(stored_time(state), t0);
}

TEST_F(ClockGuard, EarlierBeyondToleranceIsClockRollback) {
    check_and_advance_clock(state, t0, tolerance);
    const auto before = read_bytes(state);
    for (const std::uint64_t now : {t0 - tolerance - 1, t0 - 86400, std::uint64_t{0}}) {
        expect_failure([&] { check_and_advance_clock(state, now, tolerance); }, {ErrorCode::clock_rollback}, {},
                       "now = " + std::to_string(now));
        EXPECT_EQ(read_bytes(state), before) << "a refused check changed the state";
    }
    // With no tolerance, one second back is refused.
    expect_failure([&] { check_and_advance_clock(state, t0 - 1, 0); }, {ErrorCode::clock_rollback}, {}, "tolerance 0");
    EXPECT_EQ(stored_time(state), t0);
}

TEST_F(ClockGuard, AcceptsAStateFileWrittenByTheSpec) {
    write_text(state, state_line(t0) + "\n");
    check_and_advance_clock(state, t0 + 10, tolerance);
    EXPECT_EQ(stored_time(state), t0 + 10);
    write_text(state, state_line(t0));  // no final newline
    expect_failure([&] { check_and_advance_clock(state, t0 - 1000, tolerance); }, {ErrorCode::clock_rollback}, {},
                   "no final newline");
}

TEST_F(ClockGuard, DamagedStateIsStateInvalidAndIsNotReset) {
    std::string bad_sum = state_line(t0);
    bad_sum.back() = bad_sum.back() == '0' ? '1' : '0';
    const std::string other_time = "OVSEAL-CLOCK-1 " + std::to_string(t0 - 100000) + " " + checksum(std::to_string(t0));
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"checksum", bad_sum + "\n"},
        {"time changed, checksum kept", other_time + "\n"},
        {"garbage", "hello world\n"},
        {"binary", std::string("\x89OVSEAL\n\0\1", 10)},
        {"empty", ""},
        {"two lines", state_line(t0) + "\n" + state_line(t0) + "\n"},
        {"a blank second line", state_line(t0) + "\n\n"},
        {"wrong tag", "OVSEAL-CLOCK-2 " + std::to_string(t0) + " " + checksum(std::to_string(t0)) + "\n"},
        {"missing checksum", "OVSEAL-CLOCK-1 " + std::to_string(t0) + "\n"},
        {"extra field", state_line(t0) + " extra\n"},
        {"negative time", state_line("-5") + "\n"},
        {"not a number", state_line("12a4") + "\n"},
        {"short checksum", state_line(t0).substr(0, state_line(t0).size() - 1) + "\n"},
    };
    for (const auto& [name, content] : cases) {
        write_text(state, content);
        expect_failure([&] { check_and_advance_clock(state, t0, tolerance); }, {ErrorCode::state_invalid}, {}, name);
        EXPECT_EQ(read_text(state), content) << name << ": the damaged state was rewritten";
    }
}

// A state file too large to be one is damaged like the others, with the same advice to the operator.
TEST_F(ClockGuard, OversizedStateIsDamagedWithTheSameAdvice) {
    const std::string content(5000, 'x');
    write_text(state, content);
    try {
        check_and_advance_clock(state, t0, tolerance);
        FAIL() << "an oversized state was accepted";
    } catch (const ovseal::Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::state_invalid);
        EXPECT_NE(std::string(e.what()).find("restore it or remove it deliberately"), std::string::npos) << e.what();
    }
    EXPECT_EQ(read_text(state), content);
}

// A time of 20 digits that does not fit in 64 bits, with a valid checksum: a damaged file, not a crash.
TEST_F(ClockGuard, TimeBeyondSixtyFourBitsIsStateInvalid) {
    write_text(state, state_line("99999999999999999999") + "\n");
    expect_failure([&] { check_and_advance_clock(state, t0, tolerance); }, {ErrorCode::state_invalid}, {},
                   "20-digit time");
}

// Near the top of the range, now + tolerance must not wrap around.
TEST_F(ClockGuard, LargeTimesDoNotOverflow) {
    const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    check_and_advance_clock(state, max - 10, tolerance);
    EXPECT_EQ(stored_time(state), max - 10);
    EXPECT_NO_THROW(check_and_advance_clock(state, max - 100, tolerance)) << "100 s back is within the tolerance";
}

TEST_F(ClockGuard, UnwritableStateIsIo) {
    expect_failure([&] { check_and_advance_clock(dir / "missing" / "clock", t0, tolerance); }, {ErrorCode::io}, {},
                   "missing folder");
}

// Through a key ring: the guard runs when a license is offered.
class ClockGuardWithLicense : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        static TempDir shared;
        models_dir = &shared;
        const auto xml = write_model(make_mlp(64, 12), shared.path(), "mlp");
        ovseal::SealOptions o;
        o.chunk_size = 64 * 1024;
        o.sign = signing_key(302);
        sealed = shared / "model.ovseal";
        ovseal::seal_model(xml, sealed, {ovseal::Key::from_bytes(key_bytes(301))}, o);
        license = shared / "device.lic";
        const auto licenses = ovseal::issue_licenses(sealed, ovseal::KeyRing({ovseal::Key::from_bytes(key_bytes(301))}),
                                                     {device_identity(303).public_key()},
                                                     {t0 - 86400 * 10, t0 + 86400 * 10, ""}, signing_key(302));
        write_bytes(license, licenses.at(0));
    }
    static inline TempDir* models_dir = nullptr;
    static inline fs::path sealed;
    static inline fs::path license;

    TempDir dir;
    fs::path state = dir / "clock";

    ovseal::KeyRing ring(std::uint64_t now) const {
        ovseal::KeyRing r;
        r.identities = {device_identity(303)};
        r.trusted = {signing_key(302).public_key()};
        r.licenses = {license};
        r.now = now;
        r.clock_state = state;
        return r;
    }
};

TEST_F(ClockGuardWithLicense, StateIsKeptAcrossOpens) {
    ov::Core core;
    EXPECT_NE(ovseal::read_model(core, sealed, ring(t0)), nullptr);
    EXPECT_EQ(stored_time(state), t0);
    EXPECT_NE(ovseal::read_model(core, sealed, ring(t0 + 3600)), nullptr);
    EXPECT_EQ(stored_time(state), t0 + 3600);
    // A little back: accepted, not lowered.
    EXPECT_NE(ovseal::read_model(core, sealed, ring(t0 + 3600 - 60)), nullptr);
    EXPECT_EQ(stored_time(state), t0 + 3600);

    // Back by a day (the license itself would still be valid): refused, nothing produced.
    std::shared_ptr<ov::Model> model;
    expect_failure([&] { model = ovseal::read_model(core, sealed, ring(t0 + 3600 - 86400)); },
                   {ErrorCode::clock_rollback}, key_bytes(301), "rollback through the key ring");
    EXPECT_EQ(model, nullptr);
    EXPECT_EQ(stored_time(state), t0 + 3600);

    // A custom tolerance.
    auto wide = ring(t0 + 3600 - 86400);
    wide.clock_tolerance_seconds = 2 * 86400;
    EXPECT_NE(ovseal::read_model(core, sealed, wide), nullptr);
    EXPECT_EQ(stored_time(state), t0 + 3600);
}

TEST_F(ClockGuardWithLicense, DamagedStateRefusesTheLicense) {
    write_text(state, "OVSEAL-CLOCK-1 " + std::to_string(t0) + " 0000000000000000\n");
    std::shared_ptr<ov::Model> model;
    ov::Core core;
    expect_failure([&] { model = ovseal::read_model(core, sealed, ring(t0)); }, {ErrorCode::state_invalid},
                   key_bytes(301), "damaged state through the key ring");
    EXPECT_EQ(model, nullptr);
    expect_failure([&] { ovseal::verify(sealed, ring(t0)); }, {ErrorCode::state_invalid}, key_bytes(301),
                   "damaged state, verify");
}

}  // namespace
