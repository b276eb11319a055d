// SPDX-License-Identifier: Apache-2.0
// An entry past 4 GiB (docs/FORMAT.md: 64-bit sizes and offsets): sealed from a sparse file, opened and
// verified, with markers on both sides of every 32-bit boundary and everything else checked to be zero.
// Needs about 4.1 GiB of disk and of memory; it skips itself (and says why) where those are missing, and
// OVSEAL_SKIP_LARGE_TESTS=1 skips it on purpose.
#include "shared_suite.hpp"

#include "container/opened_container.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace {

using namespace ovseal_test;
using ovseal::ErrorCode;

constexpr std::uint64_t gib = std::uint64_t{1} << 30;
constexpr std::uint64_t two_to_32 = std::uint64_t{1} << 32;
// Not a multiple of any chunk size, so the last chunk is partial.
constexpr std::uint64_t bin_size = two_to_32 + (std::uint64_t{5} << 20) + 12345;

// Distinct 8-byte markers at offsets that straddle and follow 2^32 (and the ends of the entry).
const std::array<std::uint64_t, 6> marker_offsets = {
    0, two_to_32 - 16, two_to_32 - 4, two_to_32 + 4096, two_to_32 + (std::uint64_t{4} << 20) - 1, bin_size - 8};
std::array<std::uint8_t, 8> marker(std::size_t k) {
    return {'O', 'V', 'S', 'E', 'A', 'L', '#', static_cast<std::uint8_t>('0' + k)};
}

// An anonymous mapping for the decrypted entry (not locked: the test needs no RLIMIT_MEMLOCK).
struct Mapping {
    explicit Mapping(std::uint64_t size) : size(size) {
        void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        data = p == MAP_FAILED ? nullptr : static_cast<std::uint8_t*>(p);
    }
    ~Mapping() {
        if (data != nullptr) ::munmap(data, size);
    }
    std::uint64_t size;
    std::uint8_t* data;
};

TEST(LargeEntry, PastFourGiBSealsOpensAndRejectsDamage) {
    if (const char* skip = std::getenv("OVSEAL_SKIP_LARGE_TESTS"); skip != nullptr && std::string(skip) == "1") {
        GTEST_SKIP() << "OVSEAL_SKIP_LARGE_TESTS=1";
    }
    TempDir dir;
    struct statvfs fs_info {};
    ASSERT_EQ(::statvfs(dir.path().c_str(), &fs_info), 0);
    const std::uint64_t disk_free = std::uint64_t{fs_info.f_bavail} * fs_info.f_frsize;
    if (disk_free < bin_size + gib || mem_available() < bin_size + 2 * gib) {
        GTEST_SKIP() << "needs " << (bin_size + gib) / gib << " GiB of free disk and " << (bin_size + 2 * gib) / gib
                     << " GiB of available memory; has " << disk_free / gib << " and " << mem_available() / gib;
    }

    // A sparse model.bin: no disk blocks but the markers'.
    const fs::path xml = dir / "big.xml";
    write_bytes(xml, std::vector<std::uint8_t>{'<', 'n', 'e', 't', '/', '>'});
    {
        const int fd = ::open((dir / "big.bin").c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
        ASSERT_GE(fd, 0);
        ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(bin_size)), 0);
        for (std::size_t k = 0; k < marker_offsets.size(); ++k) {
            const auto m = marker(k);
            ASSERT_EQ(::pwrite(fd, m.data(), m.size(), static_cast<off_t>(marker_offsets[k])), 8);
        }
        ::close(fd);
    }

    const auto key = ovseal::Key::generate();
    const auto publisher = ovseal::SigningKey::generate();
    ovseal::SealOptions options;
    options.check_model = false;  // not a real network: this is about sizes and offsets
    options.sign = publisher;
    const fs::path sealed = dir / "big.ovseal";
    ovseal::seal_model(xml, sealed, {key}, options);
    fs::remove(dir / "big.bin");

    ovseal::KeyRing ring({key});
    ring.trusted.push_back(publisher.public_key());
    {
        const auto file = ovseal::container::OpenedContainer::open(sealed, ring);
        ASSERT_TRUE(file.checks_signature());
        ASSERT_EQ(file.entries().size(), 2u);
        ASSERT_EQ(file.entries()[1].size, bin_size);
        const auto& layout = file.layout();
        EXPECT_GT(layout.chunk_offset(layout.chunk_count - 1), two_to_32);
        EXPECT_EQ(file.file_size(), fs::file_size(sealed));

        std::vector<std::uint8_t> xml_out(file.entries()[0].size);
        Mapping bin_out(bin_size);
        ASSERT_NE(bin_out.data, nullptr);
        const std::vector<ovseal::container::EntryOutput> outputs = {
            {0, xml_out}, {1, std::span(bin_out.data, static_cast<std::size_t>(bin_size))}};
        file.decrypt_entries(outputs, true);  // every chunk authenticated and hashed, the signature verified

        EXPECT_EQ(std::string(xml_out.begin(), xml_out.end()), "<net/>");
        for (std::size_t k = 0; k < marker_offsets.size(); ++k) {
            const auto m = marker(k);
            EXPECT_EQ(std::memcmp(bin_out.data + marker_offsets[k], m.data(), m.size()), 0) << "marker " << k;
        }
        std::uint64_t nonzero_outside_markers = 0;
        std::uint64_t at = 0;
        // Every byte outside the markers is zero.
        for (; at < bin_size; ++at) {
            if (bin_out.data[at] == 0) {
                // Skip zero runs quickly, eight bytes at a time (memcpy: `at` need not be 8-byte aligned).
                const auto word_at = [&](std::uint64_t offset) {
                    std::uint64_t word;
                    std::memcpy(&word, bin_out.data + offset, sizeof word);
                    return word;
                };
                while (at + 8 <= bin_size && word_at(at) == 0) at += 8;
                if (at >= bin_size || bin_out.data[at] == 0) continue;
            }
            bool in_marker = false;
            for (const auto offset : marker_offsets) in_marker |= at >= offset && at < offset + 8;
            if (!in_marker) ++nonzero_outside_markers;
        }
        EXPECT_EQ(nonzero_outside_markers, 0u);
    }

    // One flipped bit in a chunk stored past 4 GiB is caught.
    {
        const auto file = ovseal::container::OpenedContainer::open(sealed, std::vector<ovseal::Key>{key});
        const std::uint64_t last = file.layout().chunk_offset(file.layout().chunk_count - 1);
        const int fd = ::open(sealed.c_str(), O_RDWR);
        ASSERT_GE(fd, 0);
        std::uint8_t byte = 0;
        ASSERT_EQ(::pread(fd, &byte, 1, static_cast<off_t>(last + 100)), 1);
        byte ^= 0x10;
        ASSERT_EQ(::pwrite(fd, &byte, 1, static_cast<off_t>(last + 100)), 1);
        ::close(fd);
    }
    const auto error = error_of([&] { (void)ovseal::verify(sealed, std::vector<ovseal::Key>{key}); });
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code(), ErrorCode::payload_auth_failed) << code_name(error->code());
}

}  // namespace
