// SPDX-License-Identifier: Apache-2.0
// Re-running the benchmark binary in a hidden sub-mode (fork + exec) and collecting what it reports on fd 3.

#include "spawn.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "child.hpp"

extern char** environ;

namespace bench {

std::map<std::string, double> run_self(const std::vector<std::string>& args, bool huge_pages) {
    // Everything the child needs is prepared before fork: the parent may have threads (OpenVINO, TBB), so the
    // child only calls async-signal-safe functions before exec.
    char exe[4096];
    const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) throw std::runtime_error("cannot find this executable");
    exe[n] = '\0';
    std::vector<char*> argv = {exe};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::string huge = "OVSEAL_HUGEPAGES=1";
    std::vector<char*> envp;
    for (char** e = environ; *e != nullptr; ++e) {
        if (std::strncmp(*e, "OVSEAL_HUGEPAGES=", 17) != 0) envp.push_back(*e);
    }
    if (huge_pages) envp.push_back(huge.data());
    envp.push_back(nullptr);

    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        if (fds[1] == result_fd) {
            ::fcntl(result_fd, F_SETFD, 0);
        } else if (::dup2(fds[1], result_fd) < 0) {
            ::_exit(127);
        }
        ::execve(exe, argv.data(), envp.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    std::string output;
    char buffer[512];
    for (;;) {
        const ssize_t got = ::read(fds[0], buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        output.append(buffer, static_cast<std::size_t>(got));
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::string command;
    for (const auto& a : args) command += " " + a;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error("child failed (status " + std::to_string(status) + "):" + command);
    }
    std::map<std::string, double> values;
    std::istringstream in(output);
    std::string pair;
    while (in >> pair) {
        const auto eq = pair.find('=');
        if (eq != std::string::npos) values[pair.substr(0, eq)] = std::stod(pair.substr(eq + 1));
    }
    if (values["ok"] != 1) throw std::runtime_error("child reported nothing:" + command);
    return values;
}

}  // namespace bench
