// SPDX-License-Identifier: Apache-2.0
// The library reads no environment variable and writes nothing to standard error: a C++ application sets
// options (threads, hardening, huge pages, notices) in code, and ovseal's variables change nothing until an entry
// point maps them (ovseal::apply_environment, what the CLI, the Python package and the frontend call).

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "memory/locked_region.hpp"
#include "ovseal/environment.hpp"
#include "ovseal/hardening.hpp"
#include "ovseal/notice.hpp"
#include "ovseal/progress.hpp"
#include "parallel/parallel.hpp"
#include "scoped_env.hpp"

namespace {

using ovseal_test::ScopedEnv;

unsigned every_core() {
    const unsigned cores = std::thread::hardware_concurrency();
    return cores == 0 ? 1 : cores;
}

TEST(ProcessOptions, ThreadCountIsAnOptionNotTheEnvironment) {
    ScopedEnv threads("OVSEAL_THREADS", "5");
    ovseal::set_thread_count(0);
    EXPECT_EQ(ovseal::container::worker_count(0), every_core()) << "the library read OVSEAL_THREADS";
    ovseal::set_thread_count(3);
    EXPECT_EQ(ovseal::container::worker_count(0), 3u);
    EXPECT_EQ(ovseal::container::worker_count(2), 2u) << "a per-call request wins";
    // The entry points' mapping: OVSEAL_THREADS becomes the option; a value out of range leaves it alone.
    ovseal::apply_environment();
    EXPECT_EQ(ovseal::container::worker_count(0), 5u);
    {
        ScopedEnv bad("OVSEAL_THREADS", "5000");
        ovseal::apply_environment();
        EXPECT_EQ(ovseal::container::worker_count(0), 5u);
    }
    ovseal::set_thread_count(0);
}

TEST(ProcessOptions, HardeningIsAnOptionNotTheEnvironment) {
    const ovseal::Hardening saved = ovseal::hardening();
    ovseal::set_hardening({});
    {
        ScopedEnv harden("OVSEAL_HARDEN", "0");
        ScopedEnv lock_all("OVSEAL_MLOCKALL", "1");
        EXPECT_TRUE(ovseal::hardening().non_dumpable) << "the library read OVSEAL_HARDEN";
        EXPECT_FALSE(ovseal::hardening().lock_all_memory) << "the library read OVSEAL_MLOCKALL";
        ovseal::apply_environment();
        EXPECT_FALSE(ovseal::hardening().non_dumpable);
        EXPECT_TRUE(ovseal::hardening().lock_all_memory);
    }
    {
        ScopedEnv harden("OVSEAL_HARDEN", "1");
        ScopedEnv lock_all("OVSEAL_MLOCKALL", std::nullopt);
        ovseal::apply_environment();
        EXPECT_TRUE(ovseal::hardening().non_dumpable);
        EXPECT_TRUE(ovseal::hardening().lock_all_memory) << "an unset variable leaves its option alone";
    }
    ovseal::set_hardening(saved);
}

// The VmFlags line of the mapping that holds `address` in /proc/self/smaps ("hg": MADV_HUGEPAGE was asked for).
std::string vm_flags_of(const void* address) {
    std::ifstream smaps("/proc/self/smaps");
    const auto at = reinterpret_cast<std::uintptr_t>(address);
    bool inside = false;
    for (std::string line; std::getline(smaps, line);) {
        unsigned long begin = 0;
        unsigned long end = 0;
        if (std::sscanf(line.c_str(), "%lx-%lx", &begin, &end) == 2) {
            inside = at >= begin && at < end;  // a mapping's first line
        } else if (inside && line.rfind("VmFlags:", 0) == 0) {
            return line;
        }
    }
    return "";
}

TEST(ProcessOptions, HugePagesAreAnOptionNotTheEnvironment) {
    constexpr std::size_t large = std::size_t{8} << 20;
    ScopedEnv huge("OVSEAL_HUGEPAGES", "1");
    ovseal::set_huge_pages(false);
    {
        ovseal::memory::LockedRegion region(large);
        const auto flags = vm_flags_of(region.data());
        ASSERT_FALSE(flags.empty()) << "no VmFlags line for the region in /proc/self/smaps";
        EXPECT_EQ(flags.find(" hg"), std::string::npos) << "the library read OVSEAL_HUGEPAGES: " << flags;
    }
    ovseal::set_huge_pages(true);
    {
        ovseal::memory::LockedRegion region(large);
        EXPECT_NE(vm_flags_of(region.data()).find(" hg"), std::string::npos) << vm_flags_of(region.data());
        ovseal::memory::LockedRegion small(4096);
        EXPECT_EQ(vm_flags_of(small.data()).find(" hg"), std::string::npos) << "only buffers of 4 MiB or more";
    }
    ovseal::set_huge_pages(false);
}

// Runs `child` in a forked process as the user nobody with no lockable memory (so that locking fails even when
// the tests run as root), its standard error into `stderr_file`; returns its exit code, or -1 if it could not
// become nobody.
int run_unable_to_lock(const std::string& stderr_file, void (*child)()) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        if (std::freopen(stderr_file.c_str(), "w", stderr) == nullptr) ::_exit(90);
        const rlimit none{0, 0};
        if (::setrlimit(RLIMIT_MEMLOCK, &none) != 0 || ::setresgid(65534, 65534, 65534) != 0 ||
            ::setresuid(65534, 65534, 65534) != 0) {
            ::_exit(91);
        }
        child();
        std::fflush(stderr);
        ::_exit(0);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status)) return 128;
    return WEXITSTATUS(status) == 91 ? -1 : WEXITSTATUS(status);
}

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST(ProcessOptions, NoticesGoToTheHandlerAndNeverToStandardError) {
#ifdef __SANITIZE_ADDRESS__
    // The ASan runtime replaces mlock() with a no-op that reports success, so the locking failure whose notice this
    // test follows cannot happen under it (the CLI's memory-lock warning test is left out there for the same reason).
    GTEST_SKIP() << "AddressSanitizer's mlock() always succeeds";
#endif
    const std::string err = ::testing::TempDir() + "ovseal-notice-stderr-" + std::to_string(::getpid());
    // No handler: the locking notice is dropped, and nothing at all is written to standard error.
    int code = run_unable_to_lock(err, [] {
        ovseal::set_notice_handler({});
        ovseal::memory::LockedRegion region(8192);
        if (region.locked()) ::_exit(3);
    });
    if (code == -1) GTEST_SKIP() << "cannot become the user nobody to make locking fail";
    EXPECT_EQ(code, 0) << "the region was locked after all";
    EXPECT_EQ(read_text(err), "") << "the library wrote to standard error";
    // A handler gets the notice once, with the advice, and standard error stays empty.
    code = run_unable_to_lock(err, [] {
        static int notices = 0;
        static bool advice = false;
        ovseal::set_notice_handler([](std::string_view message) {
            ++notices;
            advice = message.find("RLIMIT_MEMLOCK") != std::string_view::npos;
        });
        { ovseal::memory::LockedRegion first(8192); }
        { ovseal::memory::LockedRegion second(8192); }
        ::_exit(notices == 1 && advice ? 0 : 4);
    });
    EXPECT_EQ(code, 0) << "expected one notice naming RLIMIT_MEMLOCK";
    EXPECT_EQ(read_text(err), "");
    // What the entry points install: the notice on standard error, as "ovseal: warning: ...".
    code = run_unable_to_lock(err, [] {
        ovseal::print_notices_on_standard_error();
        ovseal::memory::LockedRegion region(8192);
    });
    EXPECT_EQ(code, 0);
    EXPECT_EQ(read_text(err).rfind("ovseal: warning: could not lock", 0), 0u) << read_text(err);
    std::remove(err.c_str());
}

}  // namespace
