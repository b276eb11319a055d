// SPDX-License-Identifier: Apache-2.0
// ovseal's sealed model cache: a miss stores a sealed entry, a hit imports it; stale, foreign or damaged entries
// are ignored and rebuilt; an unwritable folder only costs the cache; nothing on disk holds plaintext.

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <random>
#include <sstream>

#include <openvino/op/ops.hpp>
#include <openvino/runtime/properties.hpp>

#include "memory/locked_region.hpp"
#include "test_support.hpp"

namespace {

using namespace ovseal_test;
using Outcome = ovseal::CacheReport::Outcome;

const std::string& marker = plaintext_marker;

std::size_t file_count(const fs::path& dir) {
    std::size_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir)) n += e.is_regular_file() ? 1 : 0;
    return n;
}

class CompileCache : public WithSealedSample<> {
protected:
    // One compile through the cache with a fresh ov::Core, as a new process would start.
    ov::CompiledModel compile(const fs::path& sealed, const ov::AnyMap& config = {},
                              const std::string& device = "CPU") {
        ov::Core core;
        return ovseal::compile_model(core, sealed, sample->key(), device, config,
                                     {cache.path(), [&](const ovseal::CacheReport& r) { reports.push_back(r); }});
    }
    const ovseal::CacheReport& last() const { return reports.back(); }
    Outputs plain_outputs(const fs::path& xml, const ov::AnyMap& config = {}) {
        ov::Core core;
        return infer(core.compile_model(xml.string(), "CPU", config));
    }

    TempDir cache;
    std::vector<ovseal::CacheReport> reports;
};

TEST_F(CompileCache, MissThenHitImportsAndInfersTheSame) {
    const auto plain = plain_outputs(sample->xml);
    expect_same_outputs(plain, infer(compile(sample->sealed)));
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(last().outcome, Outcome::stored) << last().notice;
    EXPECT_TRUE(last().notice.empty());
    ASSERT_EQ(file_count(cache.path()), 1u);
    EXPECT_TRUE(fs::exists(last().entry));
    EXPECT_EQ(fs::status(last().entry).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
    const auto stored = read_bytes(last().entry);

    expect_same_outputs(plain, infer(compile(sample->sealed)));
    EXPECT_EQ(last().outcome, Outcome::hit) << last().notice;
    EXPECT_EQ(read_bytes(last().entry), stored) << "a hit must not rewrite the entry";
    EXPECT_EQ(file_count(cache.path()), 1u);
}

TEST_F(CompileCache, ImportBufferLivesAsLongAsTheCompiledModel) {
    compile(sample->sealed);
    const auto before = ovseal::memory::region_stats();
    auto compiled = compile(sample->sealed);
    ASSERT_EQ(last().outcome, Outcome::hit);
    const auto during = ovseal::memory::region_stats();
    // The CPU plugin keeps a reference to the imported blob (its weights are used in place): the protected
    // buffer stays alive, through the tensor's allocator, as long as the compiled model.
    std::cout << "live protected regions: " << before.live_regions << " before, " << during.live_regions
              << " while the imported model lives\n";
    EXPECT_EQ(during.live_regions, before.live_regions + 1);
    expect_same_outputs(plain_outputs(sample->xml), infer(compiled));
    compiled = {};
    const auto after = ovseal::memory::region_stats();
    EXPECT_EQ(after.live_regions, before.live_regions);
    EXPECT_GT(after.wiped_regions, during.wiped_regions);
}

TEST_F(CompileCache, OtherOptionsOrDeviceNameGetTheirOwnEntry) {
    const auto plain = plain_outputs(sample->xml);
    compile(sample->sealed);
    const fs::path base = last().entry;
    const ov::AnyMap options{ov::hint::inference_precision(ov::element::f32)};
    expect_same_outputs(plain_outputs(sample->xml, options), infer(compile(sample->sealed, options)));
    EXPECT_EQ(last().outcome, Outcome::stored);
    const fs::path with_options = last().entry;
    EXPECT_NE(with_options, base);
    const ov::AnyMap more{ov::hint::inference_precision(ov::element::f32), ov::hint::num_requests(2)};
    compile(sample->sealed, more);
    EXPECT_EQ(last().outcome, Outcome::stored);
    const fs::path with_more = last().entry;
    EXPECT_NE(with_more, with_options);
    EXPECT_EQ(file_count(cache.path()), 3u);
    // Each is a hit again under its own binding.
    expect_same_outputs(plain_outputs(sample->xml, options), infer(compile(sample->sealed, options)));
    EXPECT_EQ(last().outcome, Outcome::hit);
    compile(sample->sealed);
    EXPECT_EQ(last().outcome, Outcome::hit);

    // An entry made for other options, put under this binding's name, does not open: ignored and rebuilt.
    fs::copy_file(with_options, base, fs::copy_options::overwrite_existing);
    expect_same_outputs(plain, infer(compile(sample->sealed)));
    EXPECT_EQ(last().outcome, Outcome::rebuilt);
    std::cout << "notice: " << last().notice << "\n";
    EXPECT_NE(last().notice.find("ignored"), std::string::npos);
    EXPECT_EQ(last().notice.find('\n'), std::string::npos);
    compile(sample->sealed);
    EXPECT_EQ(last().outcome, Outcome::hit) << "the rebuilt entry must be valid";
}

TEST_F(CompileCache, EntryForAnotherDeviceNameIsRebuilt) {
    compile(sample->sealed, {}, "CPU");
    const fs::path cpu = last().entry;
    // Another device string for the same plugin, with the CPU entry planted under its name.
    const std::string other_device = "HETERO:CPU";
    compile(sample->sealed, {}, other_device);
    ASSERT_EQ(last().outcome, Outcome::stored) << last().notice;
    const fs::path other = last().entry;
    EXPECT_NE(other, cpu);
    fs::copy_file(cpu, other, fs::copy_options::overwrite_existing);
    expect_same_outputs(plain_outputs(sample->xml), infer(compile(sample->sealed, {}, other_device)));
    EXPECT_EQ(last().outcome, Outcome::rebuilt) << last().notice;
    std::cout << "notice: " << last().notice << "\n";
    compile(sample->sealed, {}, other_device);
    EXPECT_EQ(last().outcome, Outcome::hit) << last().notice;
    // A device the plugin cannot export for still compiles, without an entry.
    expect_same_outputs(plain_outputs(sample->xml), infer(compile(sample->sealed, {}, "AUTO")));
    EXPECT_EQ(last().outcome, Outcome::not_stored);
    std::cout << "notice: " << last().notice << "\n";
}

TEST_F(CompileCache, EntryOfAnotherModelIsRebuilt) {
    TempDir other_dir;
    const auto other_xml = write_model(make_mlp(128, 99), other_dir.path(), "other");
    const auto other_sealed = other_dir / "other.ovseal";
    ovseal::seal_model(other_xml, other_sealed, {sample->key()});  // same key, other model
    compile(other_sealed);
    const fs::path other_entry = last().entry;
    compile(sample->sealed);
    const fs::path entry = last().entry;
    ASSERT_NE(entry, other_entry);
    fs::copy_file(other_entry, entry, fs::copy_options::overwrite_existing);
    expect_same_outputs(plain_outputs(sample->xml), infer(compile(sample->sealed)));
    EXPECT_EQ(last().outcome, Outcome::rebuilt) << last().notice;
    // Sealing the same model again (new file key) is another model too.
    const auto resealed = sample->dir / "resealed.ovseal";
    ovseal::seal_model(sample->xml, resealed, {sample->key()});
    compile(resealed);
    EXPECT_EQ(last().outcome, Outcome::stored);
    EXPECT_NE(last().entry, entry);
}

TEST_F(CompileCache, EveryDamagedEntryIsIgnoredAndRebuilt) {
    const auto plain = plain_outputs(sample->xml);
    compile(sample->sealed);
    const fs::path entry = last().entry;
    const auto good = read_bytes(entry);
    const std::uint32_t header = static_cast<std::uint32_t>(good[12]) | good[13] << 8 | good[14] << 16 | good[15] << 24;

    std::vector<std::vector<std::uint8_t>> damaged;
    std::vector<std::uint64_t> flips;
    for (std::uint64_t at = 0; at < header; at += 3) flips.push_back(at);  // every third header byte
    for (std::uint64_t at = header; at < good.size(); at += std::max<std::uint64_t>(1, (good.size() - header) / 40))
        flips.push_back(at);
    flips.push_back(good.size() - 1);
    for (auto at : flips) {
        auto d = good;
        d[at] ^= 0x01 << (at % 8);
        damaged.push_back(std::move(d));
    }
    std::size_t truncations = 0;
    for (std::uint64_t len :
         {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{19}, std::uint64_t{header} - 1, std::uint64_t{header},
          std::uint64_t{header} + 100, std::uint64_t{good.size()} / 2, std::uint64_t{good.size()} - 1}) {
        damaged.emplace_back(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(len));
        ++truncations;
    }
    auto appended = good;
    appended.push_back(0);
    damaged.push_back(appended);

    std::size_t rebuilt = 0;
    for (const auto& d : damaged) {
        write_bytes(entry, d);
        reports.clear();
        const auto outputs = infer(compile(sample->sealed));
        expect_same_outputs(plain, outputs);
        ASSERT_EQ(reports.size(), 1u);
        if (last().outcome == Outcome::rebuilt)
            ++rebuilt;
        else
            ADD_FAILURE() << "damaged entry not rebuilt: " << last().notice;
        EXPECT_EQ(last().notice.find('\n'), std::string::npos);
    }
    std::cout << "damaged entries: " << flips.size() << " flips, " << truncations << " truncations, 1 append; "
              << rebuilt << " of " << damaged.size() << " ignored and rebuilt\n";
    EXPECT_EQ(rebuilt, damaged.size());
    compile(sample->sealed);
    EXPECT_EQ(last().outcome, Outcome::hit);
}

TEST_F(CompileCache, UnwritableFolderStillCompiles) {
    const fs::path blocker = cache / "not-a-folder";
    write_text(blocker, "a file where the cache folder would be");
    ov::Core core;
    std::vector<ovseal::CacheReport> seen;
    auto compiled =
        ovseal::compile_model(core, sample->sealed, sample->key(), "CPU", {},
                              {blocker / "cache", [&](const ovseal::CacheReport& r) { seen.push_back(r); }});
    expect_same_outputs(plain_outputs(sample->xml), infer(compiled));
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].outcome, Outcome::not_stored);
    std::cout << "notice: " << seen[0].notice << "\n";
    EXPECT_FALSE(seen[0].notice.empty());
    EXPECT_EQ(file_count(cache.path()), 1u);  // the blocker alone
}

TEST_F(CompileCache, EmptyFolderMeansNoCache) {
    ov::Core core;
    std::vector<ovseal::CacheReport> seen;
    auto compiled = ovseal::compile_model(core, sample->sealed, sample->key(), "CPU", {},
                                          {fs::path(), [&](const ovseal::CacheReport& r) { seen.push_back(r); }});
    expect_same_outputs(plain_outputs(sample->xml), infer(compiled));
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].outcome, Outcome::not_stored);
    EXPECT_TRUE(seen[0].entry.empty());
    for (const auto& e : fs::directory_iterator(fs::current_path())) {
        EXPECT_NE(e.path().extension(), ".ovcache") << "an entry in the current folder: " << e.path();
    }
}

TEST_F(CompileCache, OpenVinoCacheSettingsAreStillRefused) {
    EXPECT_THROW(compile(sample->sealed, {ov::cache_dir((cache / "ov").string())}), ovseal::Error);
    EXPECT_TRUE(reports.empty());
}

TEST_F(CompileCache, NoPlaintextOnDisk) {
    TempDir models;
    const auto xml = write_model(make_marker_model(), models.path(), "marker");
    const auto sealed = models / "marker.ovseal";
    ovseal::seal_model(xml, sealed, {sample->key()});
    ASSERT_TRUE(holds(read_bytes(models / "marker.bin"), marker));

    // What an unsealed export (OpenVINO's own cache) holds: the marker, so the scan below can fail.
    {
        ov::Core core;
        std::stringstream plain_export;
        core.compile_model(xml.string(), "CPU").export_model(plain_export);
        const std::string text = plain_export.str();
        ASSERT_NE(text.find(marker), std::string::npos) << "the compiled model does not keep the marker";
    }
    compile(sealed);
    ASSERT_EQ(last().outcome, Outcome::stored);
    compile(sealed);
    ASSERT_EQ(last().outcome, Outcome::hit);
    for (const auto& e : fs::recursive_directory_iterator(cache.path())) {
        EXPECT_FALSE(holds(read_bytes(e.path()), marker)) << e.path();
        EXPECT_EQ(e.path().extension(), ".ovcache") << "a leftover: " << e.path();
    }
}

// Why the cache exists: OpenVINO's own cache_dir on the plain path writes the weights in plaintext.
TEST_F(CompileCache, OpenVinoOwnCacheWritesPlaintext) {
    TempDir models;
    const auto xml = write_model(make_marker_model(), models.path(), "marker");
    TempDir ov_cache;
    ov::Core core;
    core.set_property(ov::cache_dir(ov_cache.path().string()));
    core.compile_model(xml.string(), "CPU");
    bool leaked = false;
    for (const auto& e : fs::recursive_directory_iterator(ov_cache.path())) {
        if (e.is_regular_file() && holds(read_bytes(e.path()), marker)) leaked = true;
    }
    EXPECT_TRUE(leaked) << "OpenVINO's cache no longer holds the weights in plaintext: revisit docs/THREAT_MODEL.md";
}

}  // namespace
