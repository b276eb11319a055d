#include "swtpm.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

namespace ovseal_test {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto start_timeout = std::chrono::seconds(10);  // swtpm answers within a few tens of milliseconds
constexpr auto stop_timeout = std::chrono::seconds(10);   // to exit after SIGTERM, before SIGKILL
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
    void reset() {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = -1;
    }

private:
    int m_fd;
};

sockaddr_in loopback(int port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

// A socket listening on 127.0.0.1:port (0: any free port), or -1.
Fd listen_on(int port) {
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) return Fd();
    const int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    const sockaddr_in addr = loopback(port);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd.get(), 8) != 0) {
        return Fd();
    }
    return fd;
}

int port_of(int fd) {
    sockaddr_in addr{};
    socklen_t size = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size) != 0) return 0;
    return ntohs(addr.sin_port);
}

// A free port P with P+1 free too: returns P and a socket listening on P+1 (the control channel).
std::pair<int, Fd> pick_ports() {
    for (int i = 0; i < 200; ++i) {
        Fd probe(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        const sockaddr_in any = loopback(0);
        if (probe.get() < 0 || ::bind(probe.get(), reinterpret_cast<const sockaddr*>(&any), sizeof any) != 0) continue;
        const int port = port_of(probe.get());
        if (port == 0 || port >= 65535) continue;
        Fd ctrl = listen_on(port + 1);
        if (ctrl.get() >= 0) return {port, std::move(ctrl)};
    }
    throw std::runtime_error("no free pair of loopback ports for swtpm");
}

// True if the TPM on 127.0.0.1:port answers TPM2_GetRandom(8) with success.
bool answers(int port) {
    static constexpr std::uint8_t get_random[] = {0x80, 0x01, 0, 0, 0, 0x0c, 0, 0, 0x01, 0x7b, 0, 0x08};
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) return false;
    const timeval timeout{1, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    const sockaddr_in addr = loopback(port);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) return false;
    if (::send(fd.get(), get_random, sizeof get_random, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof get_random)) {
        return false;
    }
    std::uint8_t response[64];
    std::size_t got = 0;
    while (got < 10) {
        const ssize_t n = ::recv(fd.get(), response + got, sizeof response - got, 0);
        if (n <= 0) return false;
        got += static_cast<std::size_t>(n);
    }
    return response[0] == 0x80 && response[1] == 0x01 && response[6] == 0 && response[7] == 0 && response[8] == 0 &&
           response[9] == 0;
}

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

void end_process(pid_t pid) {
    ::kill(pid, SIGTERM);
    if (!wait_exit(pid, stop_timeout)) {
        ::kill(pid, SIGKILL);
        wait_exit(pid, std::chrono::hours(1));
    }
}

std::string read_log(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    return s.size() > 2000 ? s.substr(s.size() - 2000) : s;
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
    start();
}

Swtpm::~Swtpm() { stop(); }

std::string Swtpm::tcti() const { return "swtpm:port=" + std::to_string(m_port); }

void Swtpm::start() {
    if (running()) throw std::logic_error("swtpm is already running");
    const std::string exe = binary();
    if (exe.empty()) throw std::runtime_error("swtpm is not installed");
    std::string failures;
    for (int attempt = 0; attempt < 5; ++attempt) {
        int port = 0;
        Fd ctrl;
        if (attempt == 0 && m_port != 0) {  // a restart: the same ports if they are still free
            ctrl = listen_on(m_port + 1);
            port = m_port;
        }
        if (ctrl.get() < 0) {
            auto picked = pick_ports();
            port = picked.first;
            ctrl = std::move(picked.second);
        }

        // Everything the child needs is prepared before fork(): between fork and exec it only makes
        // async-signal-safe calls (the test process has OpenVINO's threads).
        const std::vector<std::string> args = {
            exe,
            "socket",
            "--tpm2",
            "--server",
            "type=tcp,port=" + std::to_string(port) + ",bindaddr=127.0.0.1",
            "--ctrl",
            "type=tcp,fd=" + std::to_string(ctrl.get()),
            "--tpmstate",
            "dir=" + m_state.string(),
            "--flags",
            "not-need-init,startup-clear",
            "--log",
            "file=" + m_command_log.string() + ",level=5",  // level 5 logs every command and response
        };
        std::vector<char*> argv;
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        const Fd log(::open(m_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
        const Fd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        if (log.get() < 0 || null.get() < 0) throw std::runtime_error("cannot open " + m_log.string());
        const pid_t parent = ::getpid();

        const pid_t pid = ::fork();
        if (pid < 0) throw std::runtime_error("fork failed");
        if (pid == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != parent) ::_exit(126);  // the test died before prctl took effect
            ::dup2(null.get(), 0);
            ::dup2(log.get(), 1);
            ::dup2(log.get(), 2);
            ::fcntl(ctrl.get(), F_SETFD, 0);  // the control socket is inherited; every other descriptor is CLOEXEC
            ::execv(exe.c_str(), argv.data());
            ::_exit(127);
        }
        ctrl.reset();

        const auto deadline = Clock::now() + start_timeout;
        bool exited = false;
        while (Clock::now() < deadline) {
            int status = 0;
            if (::waitpid(pid, &status, WNOHANG) == pid) {
                exited = true;
                break;
            }
            if (answers(port)) {
                m_pid = pid;
                m_port = port;
                return;
            }
            std::this_thread::sleep_for(poll_interval);
        }
        if (!exited) end_process(pid);
        failures += " port " + std::to_string(port) + (exited ? ": exited;" : ": no answer;");
    }
    throw std::runtime_error("swtpm did not start (" + failures + ") log " + m_log.string() + ":\n" + read_log(m_log));
}

void Swtpm::stop() {
    if (m_pid > 0) {
        end_process(m_pid);
        m_pid = -1;
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
    Esys::check(Esys_PCR_Extend(esys.get(), ESYS_TR_PCR0 + index, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                                &digests),
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
    // Each command appears as " SWTPM_IO_Read: length N" and then its bytes in hex, 16 per line: tag (2),
    // size (4), command code (4), ...
    std::ifstream in(m_command_log);
    std::vector<std::uint32_t> codes;
    std::string line;
    while (std::getline(in, line)) {
        if (line.find("SWTPM_IO_Read:") == std::string::npos || !std::getline(in, line)) continue;
        std::istringstream bytes(line);
        unsigned value = 0;
        std::uint32_t code = 0;
        int i = 0;
        for (; i < 10 && (bytes >> std::hex >> value); ++i) {
            if (i >= 6) code = code << 8 | value;
        }
        if (i == 10) codes.push_back(code);
    }
    return codes;
}

std::size_t Swtpm::transient_handles() { return Esys(tcti()).count_handles(TPM2_HR_TRANSIENT); }

std::size_t Swtpm::loaded_sessions() { return Esys(tcti()).count_handles(TPM2_LOADED_SESSION_FIRST); }

}  // namespace ovseal_test
