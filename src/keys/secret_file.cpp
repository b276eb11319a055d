// SPDX-License-Identifier: Apache-2.0
// Reading key files and other small secrets straight into locked memory, and writing key files with mode 0600.

#include "keys/secret_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "keys/public_key_text.hpp"
#include "ovseal/error.hpp"
#include "ovseal/output_file.hpp"

namespace ovseal::keys {

memory::SecretBytes read_secret_file(const std::filesystem::path& path, std::size_t limit, const char* what,
                                     ErrorCode too_large) {
    // Opened without blocking so that a FIFO nobody writes to reads as empty instead of hanging the open; then
    // blocking again, so that a pipe someone does write to (`--passphrase-file <(...)`) is read to its end.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        throw Error(ErrorCode::io,
                    std::string("cannot open ") + what + " '" + path.string() + "': " + std::strerror(errno));
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    memory::SecretBytes buffer(limit + 1);
    std::size_t total = 0;
    while (total <= limit) {
        const ssize_t n = ::read(fd, buffer.secret().data() + total, limit + 1 - total);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            const int err = errno;
            ::close(fd);
            throw Error(ErrorCode::io,
                        std::string("cannot read ") + what + " '" + path.string() + "': " + std::strerror(err));
        }
        if (n == 0) {
            break;
        }
        total += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (total > limit) {
        throw Error(too_large, std::string(what) + " '" + path.string() + "' is too large (more than " +
                                   std::to_string(limit) + " bytes)");
    }
    return memory::SecretBytes::copy_of(buffer.secret().first(total));
}

KeyLine read_key_file(const std::filesystem::path& path, std::span<const KeyLineForm> forms, const char* what,
                      const char* hint) {
    auto content = read_secret_file(path, 4096, what);
    const auto text = content.secret();
    auto invalid = [&](const char* why) {
        return Error(ErrorCode::invalid_key, "'" + path.string() + "' is not " + what + " (" + why + "); " + hint);
    };
    std::optional<KeyLine> found;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = pos;
        while (end < text.size() && text[end] != '\n') ++end;
        std::size_t line_end = end;
        if (line_end > pos && text[line_end - 1] == '\r') --line_end;
        const std::string_view line(reinterpret_cast<const char*>(text.data() + pos), line_end - pos);
        pos = end + 1;
        if (line.empty() || line[0] == '#') continue;
        std::size_t form = 0;
        while (form < forms.size() && !line.starts_with(forms[form].prefix)) ++form;
        if (form == forms.size()) throw invalid("a line is neither a comment nor a key of the expected kind");
        if (found) throw invalid("it holds more than one key");
        memory::SecretBytes secret(forms[form].size);
        if (!parse_hex(line.substr(forms[form].prefix.size()), secret.secret())) {
            throw invalid("the key is not the expected number of hexadecimal digits");
        }
        found = KeyLine{form, std::move(secret)};
    }
    if (!found) throw invalid("it holds no key");
    return std::move(*found);
}

void write_key_file(const std::filesystem::path& path, std::string_view comment, std::string_view prefix,
                    std::span<const std::uint8_t> secret, const char* what) {
    memory::SecretBytes text(comment.size() + prefix.size() + 2 * secret.size() + 1);
    auto out = text.secret();
    std::size_t n = 0;
    for (char c : comment) out[n++] = static_cast<std::uint8_t>(c);
    for (char c : prefix) out[n++] = static_cast<std::uint8_t>(c);
    static constexpr char digits[] = "0123456789abcdef";
    for (std::uint8_t b : secret) {
        out[n++] = static_cast<std::uint8_t>(digits[b >> 4]);
        out[n++] = static_cast<std::uint8_t>(digits[b & 15]);
    }
    out[n++] = '\n';

    write_output_file(path, out.first(n), {.mode = 0600, .if_exists = IfExists::refuse, .what = what});
}

}  // namespace ovseal::keys
