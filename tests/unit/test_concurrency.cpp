// SPDX-License-Identifier: Apache-2.0
// Concurrency: many threads opening and running sealed models at once, through ovseal::compile_model and
// ovseal::read_model, with one ov::Core shared by every thread and with a core per thread. Every output must be
// byte-identical to the plain model's for the same inputs (each thread also runs inputs of its own, so crossed
// requests or buffers would show), and when everything is released no locked memory may be left
// (memory::region_stats). The signed model is opened under a trust list with a key, a device identity and a
// license; the license path runs the rollback guard (docs/FORMAT.md §13.4) with a state file per thread, and a
// separate test shares one state file between threads.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <latch>
#include <map>
#include <mutex>
#include <thread>

#include "policy/clock_guard.hpp"
#include "memory/locked_region.hpp"
#include "shared_suite.hpp"

namespace {

using namespace ovseal_test;
using ovseal::ErrorCode;
using ovseal::KeyRing;

constexpr unsigned shared_seed = 7;      // inputs every thread runs
constexpr unsigned own_seed_base = 100;  // thread i also runs inputs from seed 100 + i
constexpr std::size_t same_model_threads = 16;

struct SealedModel {
    std::string name;
    fs::path xml, sealed;
    ovseal::Key key;
    std::map<unsigned, Outputs> plain;  // the plain model's outputs, by input seed
};

// Eight small models of both shapes and several sizes (one to five 64 KiB chunks of weights), each sealed with a
// key of its own, and a ninth, signed, sealed to a key and a device and licensed to another device.
struct Models {
    Models()
        : publisher(signing_key(601)),
          device(device_identity(602)),
          licensed(device_identity(603)),
          signed_key(ovseal::Key::from_bytes(key_bytes(604))) {
        ov::Core core;
        const auto plain_outputs = [&](const fs::path& xml, std::size_t own_seeds) {
            std::map<unsigned, Outputs> out;
            auto compiled = core.compile_model(xml.string(), "CPU");
            out[shared_seed] = infer(compiled, shared_seed);
            for (unsigned i = 0; i < own_seeds; ++i) out[own_seed_base + i] = infer(compiled, own_seed_base + i);
            return out;
        };
        const std::vector<std::pair<std::string, std::shared_ptr<ov::Model>>> shapes = {
            {"cnn-a", make_cnn(31)},          {"mlp-64", make_mlp(64, 32)},   {"mlp-128", make_mlp(128, 33)},
            {"cnn-b", make_cnn(34)},          {"mlp-256", make_mlp(256, 35)}, {"mlp-512", make_mlp(512, 36)},
            {"mlp-1024", make_mlp(1024, 37)}, {"cnn-c", make_cnn(38)}};
        ovseal::SealOptions o;
        o.chunk_size = chunk_64k;
        for (std::size_t i = 0; i < shapes.size(); ++i) {
            SealedModel m{shapes[i].first,
                          write_model(shapes[i].second, dir.path(), shapes[i].first),
                          dir / (shapes[i].first + ".ovseal"),
                          ovseal::Key::from_bytes(key_bytes(static_cast<unsigned>(610 + i))),
                          {}};
            ovseal::seal_model(m.xml, m.sealed, {m.key}, o);
            m.plain = plain_outputs(m.xml, same_model_threads);
            models.push_back(std::move(m));
        }
        o.devices = {device.public_key()};
        o.sign = publisher;
        signed_model = SealedModel{
            "signed", write_model(make_mlp(384, 39), dir.path(), "signed"), dir / "signed.ovseal", signed_key, {}};
        ovseal::seal_model(signed_model.xml, signed_model.sealed, {signed_key}, o);
        signed_model.plain = plain_outputs(signed_model.xml, same_model_threads);
        license = dir / "device.lic";
        write_issued_license(license, signed_model.sealed, signed_key, licensed.public_key(), publisher,
                             {not_before, expires, "concurrency"});
    }

    TempDir dir;
    ovseal::SigningKey publisher;
    ovseal::DeviceIdentity device, licensed;
    ovseal::Key signed_key;
    std::vector<SealedModel> models;
    SealedModel signed_model{"", {}, {}, ovseal::Key::from_bytes(key_bytes(604)), {}};
    fs::path license;
};

// What one thread produced: the outputs for each input seed it ran, or what it threw.
struct ThreadResult {
    std::map<unsigned, Outputs> outputs;
    std::string error;
};

// Runs work(i) on `count` threads released at the same moment; returns what each produced or threw.
std::vector<ThreadResult> run_together(std::size_t count,
                                       const std::function<std::map<unsigned, Outputs>(std::size_t)>& work) {
    std::vector<ThreadResult> results(count);
    std::latch start(static_cast<std::ptrdiff_t>(count));
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < count; ++i) {
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            try {
                results[i].outputs = work(i);
            } catch (const ovseal::Error& e) {
                results[i].error = "ovseal::Error " + code_name(e.code()) + ": " + e.what();
            } catch (const std::exception& e) {
                results[i].error = std::string("std::exception: ") + e.what();
            } catch (...) {
                results[i].error = "an unknown exception";
            }
        });
    }
    for (auto& t : threads) t.join();
    return results;
}

// Runs the shared inputs and the thread's own on a compiled model, twice each from two infer requests.
std::map<unsigned, Outputs> run(ov::CompiledModel compiled, unsigned own_seed) {
    std::map<unsigned, Outputs> out;
    auto first = compiled.create_infer_request();
    auto second = compiled.create_infer_request();
    out[shared_seed] = infer(first, shared_seed);
    out[own_seed] = infer(second, own_seed);
    // Again, swapped: a request reused for other inputs gives the same answers.
    const auto again_shared = infer(second, shared_seed);
    const auto again_own = infer(first, own_seed);
    if (again_shared != out[shared_seed] || again_own != out[own_seed]) {
        throw std::runtime_error("a second inference on the same compiled model gave other outputs");
    }
    return out;
}

class Concurrency : public SharedSuite<Models> {
protected:
    void SetUp() override {
        before = ovseal::memory::region_stats();
        start = std::chrono::steady_clock::now();
    }
    void TearDown() override {
        const auto after = ovseal::memory::region_stats();
        EXPECT_EQ(after.live_bytes, before.live_bytes) << "locked memory is left after every model was released";
        EXPECT_EQ(after.live_regions, before.live_regions) << "locked regions are left after every model was released";
        std::cout << "  [" << ::testing::UnitTest::GetInstance()->current_test_info()->name() << ": "
                  << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << " s, "
                  << after.wiped_regions - before.wiped_regions << " locked regions wiped and released]\n";
    }

    // Every thread finished, and each output set equals the plain model's for the same inputs, byte for byte.
    static void expect_exact(const std::vector<ThreadResult>& results,
                             const std::function<const SealedModel&(std::size_t)>& model_of, const std::string& what) {
        for (std::size_t i = 0; i < results.size(); ++i) {
            const auto& r = results[i];
            const SealedModel& model = model_of(i);
            EXPECT_TRUE(r.error.empty()) << what << ", thread " << i << " (" << model.name << "): " << r.error;
            if (!r.error.empty()) continue;
            EXPECT_EQ(r.outputs.size(), 2u) << what << ", thread " << i;
            for (const auto& [seed, outputs] : r.outputs) {
                SCOPED_TRACE(what + ", thread " + std::to_string(i) + " (" + model.name + "), inputs of seed " +
                             std::to_string(seed));
                ASSERT_TRUE(model.plain.count(seed));
                expect_same_outputs(model.plain.at(seed), outputs);
            }
        }
    }

    ovseal::memory::RegionStats before{};
    std::chrono::steady_clock::time_point start;
    TempDir work;
};

TEST_F(Concurrency, SixteenThreadsOneModelOneSharedCore) {
    ov::Core core;
    const SealedModel& model = m().models.front();
    const auto results = run_together(same_model_threads, [&](std::size_t i) {
        // Half the threads compile in one call, half read the model and compile it themselves.
        const auto own = static_cast<unsigned>(own_seed_base + i);
        if (i % 2 == 0) return run(ovseal::compile_model(core, model.sealed, model.key), own);
        const auto read = ovseal::read_model(core, model.sealed, model.key);
        return run(core.compile_model(read, "CPU"), own);
    });
    expect_exact(
        results, [&](std::size_t) -> const SealedModel& { return model; }, "shared core");
}

TEST_F(Concurrency, SixteenThreadsOneModelACoreEach) {
    const SealedModel& model = m().models.front();
    const auto results = run_together(same_model_threads, [&](std::size_t i) {
        ov::Core core;
        const auto own = static_cast<unsigned>(own_seed_base + i);
        if (i % 2 == 1) return run(ovseal::compile_model(core, model.sealed, {model.key}), own);
        const auto read = ovseal::read_model(core, model.sealed, std::vector<ovseal::Key>{model.key});
        return run(core.compile_model(read, "CPU"), own);
    });
    expect_exact(
        results, [&](std::size_t) -> const SealedModel& { return model; }, "a core per thread");
}

TEST_F(Concurrency, EightModelsInParallelSharedCoreAndACoreEach) {
    const std::size_t n = m().models.size();
    ASSERT_EQ(n, 8u);
    ov::Core shared;
    // Threads 0–7 use the shared core, 8–15 a core each; thread i runs model i % 8.
    const auto results = run_together(2 * n, [&](std::size_t i) {
        const SealedModel& model = m().models[i % n];
        const auto own = static_cast<unsigned>(own_seed_base + i);
        if (i < n) return run(ovseal::compile_model(shared, model.sealed, model.key), own);
        ov::Core core;
        return run(core.compile_model(ovseal::read_model(core, model.sealed, model.key), "CPU"), own);
    });
    expect_exact(
        results, [&](std::size_t i) -> const SealedModel& { return m().models[i % n]; }, "eight models");
}

TEST_F(Concurrency, SignedModelUnderTrustWithKeyDeviceAndLicense) {
    const SealedModel& model = m().signed_model;
    ov::Core shared;
    // Four ways in, four threads each: the key under a trust list, the device identity, and the license with a
    // rollback-guard state file of its own, on the shared core and on a core of its own.
    const auto ring_of = [&](std::size_t i) {
        KeyRing ring;
        ring.trusted = {m().publisher.public_key()};
        switch (i % 4) {
            case 0:
                ring.keys = {model.key};
                break;
            case 1:
                ring.identities = {m().device};
                break;
            default:
                ring.identities = {m().licensed};
                ring.licenses = {m().license};
                ring.now = inside;
                ring.clock_state = work / ("clock-" + std::to_string(i));
        }
        return ring;
    };
    const auto results = run_together(same_model_threads, [&](std::size_t i) {
        const KeyRing ring = ring_of(i);
        const auto own = static_cast<unsigned>(own_seed_base + i);
        if (i % 4 == 3) {
            ov::Core core;
            return run(ovseal::compile_model(core, model.sealed, ring), own);
        }
        return run(i % 2 == 0 ? ovseal::compile_model(shared, model.sealed, ring)
                              : shared.compile_model(ovseal::read_model(shared, model.sealed, ring), "CPU"),
                   own);
    });
    expect_exact(
        results, [&](std::size_t) -> const SealedModel& { return model; }, "signed model");
    // Every license thread left a valid state file holding the time it opened at.
    for (std::size_t i = 0; i < same_model_threads; ++i) {
        const auto ring = ring_of(i);
        if (!ring.clock_state) continue;
        ASSERT_TRUE(fs::exists(*ring.clock_state)) << "thread " << i;
        EXPECT_EQ(ovseal::container::read_clock_state(*ring.clock_state), inside) << "thread " << i;
        EXPECT_TRUE(read_text(*ring.clock_state).starts_with("OVSEAL-CLOCK-1 ")) << "thread " << i;
    }
}

// One rollback-guard state file shared by 16 threads (as by every application on a device that opens licensed
// models with the same --clock-state), each opening the signed model with its license 8 times at interleaved times
// that keep moving forward, so that the threads keep storing new times. Returns the count of each outcome ("ok"
// or the error's code name) and one message per error code.
struct SharedClockRun {
    std::map<std::string, std::size_t> outcomes;
    std::map<std::string, std::string> example;
    std::size_t opens = 0;
    std::string summary() const {
        std::string out;
        for (const auto& [o, n] : outcomes) out += (out.empty() ? "" : ", ") + o + " " + std::to_string(n);
        return out + " of " + std::to_string(opens) + " opens";
    }
};

SharedClockRun open_with_shared_clock(const Models& models, const fs::path& state) {
    constexpr std::size_t threads = 16;
    constexpr std::size_t opens_per_thread = 8;
    SharedClockRun run;
    std::mutex mutex;
    std::latch go(threads);
    std::vector<std::thread> pool;
    for (std::size_t i = 0; i < threads; ++i) {
        pool.emplace_back([&, i] {
            go.arrive_and_wait();
            for (std::size_t k = 0; k < opens_per_thread; ++k) {
                KeyRing ring;
                ring.trusted = {models.publisher.public_key()};
                ring.identities = {models.licensed};
                ring.licenses = {models.license};
                ring.clock_state = state;
                ring.now = inside + k * threads + i;
                std::string outcome = "ok";
                std::string message;
                try {
                    if (!ovseal::verify(models.signed_model.sealed, ring).verified) outcome = "not verified";
                } catch (const ovseal::Error& e) {
                    outcome = code_name(e.code());
                    message = e.what();
                } catch (const std::exception& e) {
                    outcome = "std::exception";
                    message = e.what();
                }
                std::lock_guard lock(mutex);
                ++run.opens;
                ++run.outcomes[outcome];
                if (!message.empty()) run.example.emplace(outcome, message);
            }
        });
    }
    for (auto& t : pool) t.join();
    return run;
}

// The shared state file stays a valid state file (§13.4: one line, checksum right) holding one of the times the
// threads opened at.
TEST_F(Concurrency, SharedClockStateFileStaysValid) {
    const fs::path state = work / "clock";
    const auto run = open_with_shared_clock(m(), state);
    std::cout << "  shared clock state file: " << run.summary() << "\n";
    for (const auto& [outcome, n] : run.outcomes) {
        EXPECT_EQ(outcome, "ok") << n << " opens gave " << outcome << ": " << run.example.at(outcome);
    }
    EXPECT_GT(run.outcomes.count("ok") ? run.outcomes.at("ok") : 0, 0u);
    std::uint64_t stored = 0;
    try {
        stored = ovseal::container::read_clock_state(state);
    } catch (const ovseal::Error& e) {
        FAIL() << "the shared state file is no longer valid: " << e.what();
    }
    EXPECT_GE(stored, inside);
    EXPECT_LT(stored, inside + run.opens);
}

// Every one of those opens must succeed: the times are all within the tolerance of each other, and the file is
// valid before and after. (They did not while writers shared one temporary file name and nothing serialised
// read, check and write.)
TEST_F(Concurrency, SharedClockStateFileEveryOpenSucceeds) {
    const fs::path state = work / "clock";
    const auto run = open_with_shared_clock(m(), state);
    std::cout << "  shared clock state file: " << run.summary() << "\n";
    const std::size_t ok = run.outcomes.count("ok") ? run.outcomes.at("ok") : 0;
    EXPECT_EQ(ok, run.opens) << run.summary();
    for (const auto& [outcome, message] : run.example) ADD_FAILURE() << outcome << ": " << message;
    EXPECT_FALSE(fs::exists(fs::path(state.string() + ".new"))) << "a temporary state file was left behind";
}

}  // namespace
