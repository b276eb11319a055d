#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "cli_common.hpp"
#include "memory/wipe.hpp"
#include "ovseal/error.hpp"

namespace ovseal::cli {

void KeyOptions::add_to(CLI::App& command, bool exclusive) {
    // Missing files are reported by the key readers (exit code io), not by the argument parser (usage).
    auto* key = command.add_option("--key-file,-k", key_files, "Key file made by `ovseal keygen`");
    auto* pass = command.add_option("--passphrase-file,-p", passphrase_file,
                                    "File holding the passphrase (one trailing newline is ignored)");
    if (exclusive) {
        key->excludes(pass);
    }
}

std::vector<Key> KeyOptions::resolve(bool confirm_prompt) const {
    std::vector<Key> keys;
    for (const auto& path : key_files) {
        keys.push_back(Key::from_key_file(path));
    }
    if (!passphrase_file.empty()) {
        keys.push_back(Key::from_passphrase_file(passphrase_file));
    }
    if (!keys.empty()) {
        return keys;
    }
    if (const char* env = std::getenv("OVSEAL_PASSPHRASE"); env != nullptr && *env != '\0') {
        keys.push_back(Key::from_passphrase(env));
        return keys;
    }
    std::string first = prompt_passphrase("Passphrase: ");
    if (first.empty()) {
        throw Error(ErrorCode::usage,
                    "no key given: use --key-file FILE or --passphrase-file FILE, set OVSEAL_PASSPHRASE, or run "
                    "on a terminal to be asked for a passphrase");
    }
    if (confirm_prompt) {
        std::string second = prompt_passphrase("Passphrase (again): ");
        const bool same = first == second;
        memory::wipe(second.data(), second.size());
        if (!same) {
            memory::wipe(first.data(), first.size());
            throw Error(ErrorCode::usage, "the two passphrases differ");
        }
    }
    keys.push_back(Key::from_passphrase(first));
    memory::wipe(first.data(), first.size());
    return keys;
}

std::string prompt_passphrase(const char* prompt) {
    const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        return {};
    }
    termios saved{};
    const bool is_tty = ::tcgetattr(fd, &saved) == 0;
    if (!is_tty) {
        ::close(fd);
        return {};
    }
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
    (void)!::write(fd, prompt, std::char_traits<char>::length(prompt));
    std::string line;
    line.reserve(1024);  // no reallocation, so no stray copies of a typical passphrase on the heap
    char c = 0;
    while (::read(fd, &c, 1) == 1 && c != '\n' && line.size() < 1023) {
        line.push_back(c);
    }
    c = 0;
    ::tcsetattr(fd, TCSAFLUSH, &saved);
    (void)!::write(fd, "\n", 1);
    ::close(fd);
    return line;
}

}  // namespace ovseal::cli
