// SPDX-License-Identifier: Apache-2.0
// Running OpenVINO calls on a thread whose working directory is /proc/self/fdinfo, where no stray .bin can exist.

#include "openvino/sealed_off_directory.hpp"

#include <sched.h>
#include <unistd.h>

#include <exception>
#include <thread>

namespace ovseal::openvino {
namespace {

// A directory of procfs: its entries are the process's descriptor numbers, so nothing named ".bin" (or any other
// file name OpenVINO might make up) can exist in it, and nobody, root included, can create one.
constexpr const char* sealed_off_directory = "/proc/self/fdinfo";

}  // namespace

bool run_in_sealed_off_directory(const std::function<void()>& work) {
    bool ran = false;
    std::exception_ptr failure;
    std::thread worker([&] {
        if (unshare(CLONE_FS) != 0 || chdir(sealed_off_directory) != 0) return;
        ran = true;
        try {
            work();
        } catch (...) {
            failure = std::current_exception();
        }
    });
    worker.join();
    if (failure) std::rethrow_exception(failure);
    return ran;
}

bool sealed_off_directory_available() {
    static const bool available = run_in_sealed_off_directory([] {});
    return available;
}

}  // namespace ovseal::openvino
