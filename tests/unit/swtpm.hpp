#pragma once

// A software TPM 2.0 (swtpm) for the TPM tests, reached by ovseal through the TCTI `swtpm:port=P`.
//
// Each Swtpm is one swtpm process, a child of the test, with its state (seeds, NV) in its own temporary folder:
// restarting it on the same folder is the same TPM (same owner seed; PCRs back to zero, swtpm runs
// TPM2_Startup(CLEAR) on every start); another Swtpm is another device. Ports are free loopback ports chosen at
// each start (ctest runs tests in parallel): the TCTI uses P and P+1 (control), the test binds and listens on
// P+1 itself and hands that socket to swtpm (`--ctrl type=tcp,fd=N`), swtpm binds P, and if P was taken in the
// meantime swtpm exits and the start is retried on other ports. Started means the TPM answered a
// TPM2_GetRandom. The destructor stops swtpm (SIGTERM, then SIGKILL) and reaps it, also when a test fails or
// throws; if the test process itself dies, swtpm is killed too (PR_SET_PDEATHSIG). swtpm logs every command it
// receives (--log level=5), so a test can count the TPM commands an operation costs.

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

    bool running() const noexcept { return m_pid > 0; }
    pid_t pid() const noexcept { return m_pid; }
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
    pid_t m_pid = -1;
};

}  // namespace ovseal_test

/// Skips the test when swtpm is not installed (scripts/setup.sh installs it, so CI runs these tests).
#define OVSEAL_REQUIRE_SWTPM()                                                                                  \
    do {                                                                                                        \
        if (::ovseal_test::Swtpm::binary().empty()) {                                                           \
            GTEST_SKIP() << "swtpm is not installed (scripts/setup.sh installs the Debian package swtpm): the "  \
                            "TPM tests need a software TPM";                                                    \
        }                                                                                                       \
    } while (false)
