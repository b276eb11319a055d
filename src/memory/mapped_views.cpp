// SPDX-License-Identifier: Apache-2.0
// Finding, from /proc/self/maps, where else this process maps an in-memory file such as OpenVINO's own view.

#include "memory/mapped_views.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "ovseal/error.hpp"

namespace ovseal::memory {

std::vector<MappedView> mapped_views(int fd, const void* except) {
    struct stat st {};
    if (fstat(fd, &st) != 0) {
        throw Error(ErrorCode::internal, std::string("cannot stat an in-memory file: ") + std::strerror(errno));
    }
    std::FILE* maps = std::fopen("/proc/self/maps", "re");
    if (maps == nullptr) {
        throw Error(ErrorCode::internal, std::string("cannot read /proc/self/maps: ") + std::strerror(errno));
    }
    std::vector<MappedView> views;
    char line[4096];
    while (std::fgets(line, sizeof line, maps) != nullptr) {
        // "begin-end perms offset major:minor inode [path]"
        unsigned long begin = 0, end = 0, offset = 0, inode = 0;
        unsigned major_id = 0, minor_id = 0;
        char perms[8] = {};
        if (std::sscanf(line, "%lx-%lx %7s %lx %x:%x %lu", &begin, &end, perms, &offset, &major_id, &minor_id,
                        &inode) != 7) {
            continue;
        }
        if (inode != st.st_ino || makedev(major_id, minor_id) != st.st_dev) continue;
        if (reinterpret_cast<const void*>(begin) == except) continue;
        views.push_back({begin, end, offset});
    }
    std::fclose(maps);
    return views;
}

}  // namespace ovseal::memory
