// SPDX-License-Identifier: Apache-2.0
// Starting, reaching and stopping a private swtpm process per test, so TPM tests run without real hardware.

#include "swtpm.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

namespace ovseal_test {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto answer_timeout = std::chrono::seconds(60);  // a start tries up to 5 port pairs, 10 s each
constexpr auto stop_timeout = std::chrono::seconds(30);    // the harness gives swtpm 10 s after SIGTERM
constexpr auto poll_interval = std::chrono::milliseconds(5);

// A file descriptor closed on scope exit.
class Fd {
public:
    explicit Fd(int fd = -1) : m_fd(fd) {}
    ~Fd() { reset(); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    Fd(Fd&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) {
            reset();
            m_fd = other.m_fd;
            other.m_fd = -1;
        }
        return *this;
    }
    int get() const noexcept { return m_fd; }
    int release() noexcept { return std::exchange(m_fd, -1); }
    void reset() {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = -1;
    }

private:
    int m_fd;
};

// Waits up to `timeout` for `pid` to exit; true if it did (and was reaped).
bool wait_exit(pid_t pid, Clock::duration timeout) {
    const auto deadline = Clock::now() + timeout;
    while (true) {
        int status = 0;
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid || (r < 0 && errno == ECHILD)) return true;
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(poll_interval);
    }
}

std::string read_log(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    return s.size() > 2000 ? s.substr(s.size() - 2000) : s;
}

// Starts `swtpm_harness.py serve` for the state in `dir` (its standard error appended to `log`): its pid, and pipes
// to its standard input (requests) and from its standard output (answers). It dies with the test
// (PR_SET_PDEATHSIG), and the swtpm it started dies with it.
std::tuple<pid_t, int, int> run_harness(const fs::path& state, const fs::path& log, const fs::path& command_log) {
    // -I -S: only the standard library, so that the interpreter starts in a few tens of milliseconds.
    const std::vector<std::string> command = {
        OVSEAL_TEST_PYTHON,  "-I",           "-S",    OVSEAL_SWTPM_HARNESS, "serve",
        "--state",           state.string(), "--log", log.string(),         "--command-log",
        command_log.string()};
    // Everything the child needs is prepared before fork(): between fork and exec it only makes
    // async-signal-safe calls (the test process has OpenVINO's threads).
    std::vector<char*> argv;
    for (const auto& a : command) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    int in[2];
    int out[2];
    if (::pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    Fd in_read(in[0]), in_write(in[1]);
    if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    Fd out_read(out[0]), out_write(out[1]);
    const Fd err(::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
    if (err.get() < 0) throw std::runtime_error("cannot open " + log.string());
    const pid_t parent = ::getpid();

    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(126);  // the test died before prctl took effect
        ::dup2(in_read.get(), 0);
        ::dup2(out_write.get(), 1);
        ::dup2(err.get(), 2);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    return {pid, in_write.release(), out_read.release()};
}

// One line from `fd` (without its newline), or "" at end of file or after `timeout`. The harness answers each
// request with one line before it reads the next, so nothing is left over after the newline.
std::string read_line(int fd, Clock::duration timeout) {
    const auto deadline = Clock::now() + timeout;
    std::string line;
    char c = 0;
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return "";
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
        if (::read(fd, &c, 1) != 1) return "";
        if (c == '\n') return line;
        line += c;
    }
}

// An ESAPI connection to a TPM, for the test's own checks.
class Esys {
public:
    explicit Esys(const std::string& tcti) {
        ::setenv("TSS2_LOG", "all+NONE", 0);
        if (Tss2_TctiLdr_Initialize(tcti.c_str(), &m_tcti) != TSS2_RC_SUCCESS ||
            Esys_Initialize(&m_esys, m_tcti, nullptr) != TSS2_RC_SUCCESS) {
            finalize();
            throw std::runtime_error("test helper: cannot connect to the TPM at " + tcti);
        }
    }
    ~Esys() { finalize(); }
    Esys(const Esys&) = delete;
    Esys& operator=(const Esys&) = delete;
    ESYS_CONTEXT* get() const noexcept { return m_esys; }

    std::size_t count_handles(TPM2_HC first) {
        TPMI_YES_NO more = TPM2_NO;
        TPMS_CAPABILITY_DATA* data = nullptr;
        check(Esys_GetCapability(m_esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, TPM2_CAP_HANDLES, first,
                                 TPM2_MAX_CAP_HANDLES, &more, &data),
              "TPM2_GetCapability(handles)");
        const std::size_t count = data->data.handles.count;
        Esys_Free(data);
        return count;
    }

    static void check(TSS2_RC rc, const char* what) {
        if (rc != TSS2_RC_SUCCESS) {
            char hex[16];
            std::snprintf(hex, sizeof hex, "0x%x", static_cast<unsigned>(rc));
            throw std::runtime_error(std::string("test helper: ") + what + " failed: " + hex);
        }
    }

private:
    void finalize() {
        if (m_esys != nullptr) Esys_Finalize(&m_esys);
        if (m_tcti != nullptr) Tss2_TctiLdr_Finalize(&m_tcti);
    }
    TSS2_TCTI_CONTEXT* m_tcti = nullptr;
    ESYS_CONTEXT* m_esys = nullptr;
};

}  // namespace

std::string Swtpm::binary() {
    const char* path = std::getenv("PATH");
    std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        const std::size_t colon = dirs.find(':', start);
        const std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
        const fs::path candidate = fs::path(dir.empty() ? "." : dir) / "swtpm";
        if (::access(candidate.c_str(), X_OK) == 0 && fs::is_regular_file(candidate)) return candidate.string();
        if (colon == std::string::npos) break;
        start = colon + 1;
    }
    return "";
}

Swtpm::Swtpm() : m_state(m_dir / "state"), m_log(m_dir / "swtpm.log"), m_command_log(m_dir / "commands.log") {
    fs::create_directories(m_state);
    if (binary().empty()) throw std::runtime_error("swtpm is not installed");
    std::tie(m_harness, m_requests, m_answers) = run_harness(m_state, m_log, m_command_log);
    start();
}

Swtpm::~Swtpm() {
    ::close(m_requests);  // at the end of its input the harness stops swtpm and exits
    if (!wait_exit(m_harness, stop_timeout)) {
        ::kill(m_harness, SIGKILL);
        wait_exit(m_harness, std::chrono::hours(1));
    }
    ::close(m_answers);
}

std::string Swtpm::tcti() const {
    return "swtpm:port=" + std::to_string(m_port);
}

std::string Swtpm::request(const std::string& what, const std::string& expected) const {
    const std::string line = what + "\n";
    const bool sent = ::write(m_requests, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    const std::string answer = sent ? read_line(m_answers, answer_timeout) : "";
    if (answer.rfind(expected + " ", 0) != 0 && answer != expected) {
        throw std::runtime_error("swtpm harness: '" + what + "' answered '" + answer + "'; log " + m_log.string() +
                                 ":\n" + read_log(m_log));
    }
    return answer.substr(std::min(answer.size(), expected.size() + 1));
}

void Swtpm::start() {
    if (running()) throw std::logic_error("swtpm is already running");
    m_port = std::stoi(request("start", "started"));  // on the ports of the last start if they are free
    m_running = true;
}

void Swtpm::stop() {
    if (m_running) {
        request("stop", "stopped");
        m_running = false;
    }
}

void Swtpm::restart() {
    stop();
    start();
}

void Swtpm::extend_pcr(unsigned index) {
    Esys esys(tcti());
    TPML_DIGEST_VALUES digests{};
    digests.count = 1;
    digests.digests[0].hashAlg = TPM2_ALG_SHA256;
    digests.digests[0].digest.sha256[31] = 1;
    Esys::check(
        Esys_PCR_Extend(esys.get(), ESYS_TR_PCR0 + index, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &digests),
        "TPM2_PCR_Extend");
}

std::string Swtpm::read_pcr(unsigned index) {
    Esys esys(tcti());
    TPML_PCR_SELECTION selection{};
    selection.count = 1;
    selection.pcrSelections[0].hash = TPM2_ALG_SHA256;
    selection.pcrSelections[0].sizeofSelect = 3;
    selection.pcrSelections[0].pcrSelect[index / 8] = static_cast<BYTE>(1u << (index % 8));
    UINT32 counter = 0;
    TPML_PCR_SELECTION* out_selection = nullptr;
    TPML_DIGEST* values = nullptr;
    Esys::check(Esys_PCR_Read(esys.get(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &selection, &counter,
                              &out_selection, &values),
                "TPM2_PCR_Read");
    std::string hex;
    if (values->count == 1) {
        for (UINT16 i = 0; i < values->digests[0].size; ++i) {
            char two[3];
            std::snprintf(two, sizeof two, "%02x", values->digests[0].buffer[i]);
            hex += two;
        }
    }
    Esys_Free(out_selection);
    Esys_Free(values);
    return hex;
}

std::vector<std::uint32_t> Swtpm::commands() const {
    std::istringstream codes(request("commands", "commands"));
    std::vector<std::uint32_t> out;
    for (std::uint32_t code = 0; codes >> code;) out.push_back(code);
    return out;
}

std::size_t Swtpm::transient_handles() {
    return Esys(tcti()).count_handles(TPM2_HR_TRANSIENT);
}

std::size_t Swtpm::loaded_sessions() {
    return Esys(tcti()).count_handles(TPM2_LOADED_SESSION_FIRST);
}

}  // namespace ovseal_test
