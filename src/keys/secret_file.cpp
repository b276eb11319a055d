#include "keys/secret_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "ovseal/error.hpp"

namespace ovseal::keys {

memory::SecretBytes read_secret_file(const std::filesystem::path& path, std::size_t limit, const char* what) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw Error(ErrorCode::io, std::string("cannot open ") + what + " '" + path.string() + "': " +
                                       std::strerror(errno));
    }
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
            throw Error(ErrorCode::io, std::string("cannot read ") + what + " '" + path.string() + "': " +
                                           std::strerror(err));
        }
        if (n == 0) {
            break;
        }
        total += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (total > limit) {
        throw Error(ErrorCode::invalid_key, std::string("the ") + what + " '" + path.string() +
                                                "' is too large to be one (more than " + std::to_string(limit) +
                                                " bytes)");
    }
    return memory::SecretBytes::copy_of(buffer.secret().first(total));
}

}  // namespace ovseal::keys
