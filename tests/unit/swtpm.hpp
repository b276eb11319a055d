// SPDX-License-Identifier: Apache-2.0
#pragma once

// A software TPM 2.0 (swtpm) for the TPM tests, reached by ovseal through the TCTI `swtpm:port=P`.
//
// Run by the tests' one swtpm harness, tests/swtpm/swtpm_harness.py (the CLI's TPM tests use it too), which picks
// the loopback ports, waits until the TPM answers, stops swtpm and reads its command log: see there. Each Swtpm is
// one `swtpm_harness.py serve` process, a child of the test, that starts and stops one swtpm on request, with its
// state (seeds, NV) in its own temporary folder: restarting it on the same folder is the same TPM (same owner seed;
// PCRs back to zero); another Swtpm is another device. The destructor closes the harness's standard input, on
// which it stops swtpm and exits, also when a test fails or throws; if the test process itself dies, the harness
// and swtpm are killed too (PR_SET_PDEATHSIG). swtpm logs every command it receives, so a test can count the TPM
// commands an operation costs.

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace ovseal_test {

class Swtpm {
public:
    /// The swtpm executable found on PATH, or "" if it is not installed.
    static std::string binary();

    /// Starts swtpm on a fresh state folder: a new TPM. Throws std::runtime_error if it does not start.
    Swtpm();
    /// Stops swtpm if it runs, then removes its state.
    ~Swtpm();
    Swtpm(const Swtpm&) = delete;
    Swtpm& operator=(const Swtpm&) = delete;

    /// Starts swtpm again on the same state (on the same ports if they are free).
    void start();
    /// Stops swtpm and waits until it has exited; its port is then closed.
    void stop();
    /// stop() then start(): the same TPM after a reboot.
    void restart();

    bool running() const noexcept { return m_running; }
    /// "swtpm:port=P" (the last port used, also once stopped).
    std::string tcti() const;

    /// Extends PCR `index` of the sha256 bank with the digest 00..01 (ESAPI, as tpm2_pcrextend does).
    void extend_pcr(unsigned index);
    /// The value of PCR `index` of the sha256 bank.
    std::string read_pcr(unsigned index);
    /// Transient objects loaded, and sessions loaded, in the TPM now (swtpm has no resource manager: whatever a
    /// client did not flush stays).
    std::size_t transient_handles();
    std::size_t loaded_sessions();

    /// The command codes (TPM_CC) of every command the TPM has received, in order, from swtpm's log: what an
    /// operation costs is the difference before and after it. Count, never time: swtpm is much faster than a
    /// real TPM. (The helpers above send commands too.)
    std::vector<std::uint32_t> commands() const;

private:
    TempDir m_dir;
    fs::path m_state;
    fs::path m_log;
    fs::path m_command_log;
    int m_port = 0;
    bool m_running = false;
    pid_t m_harness = -1;
    int m_requests = -1;  // the harness's standard input
    int m_answers = -1;   // its standard output

    /// Sends one request line to the harness and returns its answer after the word `expected`; throws (with the
    /// end of the log) on any other answer, or none within a minute.
    std::string request(const std::string& what, const std::string& expected) const;
};

}  // namespace ovseal_test

/// Skips the test when swtpm is not installed (scripts/setup.sh installs it, so CI runs these tests).
#define OVSEAL_REQUIRE_SWTPM()                                                                                  \
    do {                                                                                                        \
        if (::ovseal_test::Swtpm::binary().empty()) {                                                           \
            GTEST_SKIP() << "swtpm is not installed (scripts/setup.sh installs the Debian package swtpm): the " \
                            "TPM tests need a software TPM";                                                    \
        }                                                                                                       \
    } while (false)

namespace ovseal_test {

/// A fixture base for the TPM tests: a swtpm of its own for each test (skipped where swtpm is not installed) and
/// a folder to work in; at the end, no transient object or session may be left loaded in the TPM.
class SwtpmTest : public ::testing::Test {
protected:
    void SetUp() override {
        OVSEAL_REQUIRE_SWTPM();
        tpm = std::make_unique<Swtpm>();
    }
    void TearDown() override {
        if (tpm && tpm->running()) {
            // swtpm has no resource manager: a handle ovseal did not flush would still be loaded.
            EXPECT_EQ(tpm->transient_handles(), 0u) << "transient objects left in the TPM";
            EXPECT_EQ(tpm->loaded_sessions(), 0u) << "sessions left in the TPM";
        }
        tpm.reset();
    }
    ovseal::TpmOptions options(const std::string& pcrs = "") const { return ovseal::TpmOptions{tpm->tcti(), pcrs}; }

    std::unique_ptr<Swtpm> tpm;
    TempDir work;
};

}  // namespace ovseal_test
