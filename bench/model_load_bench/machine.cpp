// SPDX-License-Identifier: Apache-2.0
// Gathering the facts about the machine (kernel, CPU, memory, lock limits, versions) that the figures depend on.

#include "machine.hpp"

#include <sys/resource.h>
#include <sys/utsname.h>

#include <fstream>
#include <thread>

#include <openvino/core/version.hpp>
#include <openvino/runtime/core.hpp>
#include <openvino/runtime/properties.hpp>

#include "common.hpp"
#include "crypto/crypto.hpp"
#include "ovseal/version.hpp"

namespace bench {
namespace {

// A virtio balloon (device 5) with feature bit 5 hands free memory back to the host, which must then fault it
// in again when the guest reuses it: fresh memory costs far more than on bare metal.
std::string describe_virtualization(const std::string& cpu_flags) {
    if (cpu_flags.find(" hypervisor") == std::string::npos) return "no hypervisor flag";
    std::string text = "virtual machine";
    std::error_code ec;
    for (const auto& device : fs::directory_iterator("/sys/bus/virtio/devices", ec)) {
        const std::string features = read_text(device.path() / "features");
        if (read_text(device.path() / "device") == "0x0005" && features.size() > 5 && features[5] == '1') {
            text += ", virtio-balloon free page reporting on (order " +
                    read_text("/sys/module/page_reporting/parameters/page_reporting_order") + ")";
        }
    }
    return text;
}

}  // namespace

Machine describe_machine() {
    Machine m;
    utsname u{};
    if (::uname(&u) == 0) m.kernel = u.release;
    m.thp_enabled = read_text("/sys/kernel/mm/transparent_hugepage/enabled");
    m.thp_defrag = read_text("/sys/kernel/mm/transparent_hugepage/defrag");
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string flags;
    for (std::string line; std::getline(cpuinfo, line) && (m.cpu.empty() || flags.empty());) {
        if (line.rfind("model name", 0) == 0) m.cpu = line.substr(line.find(':') + 2);
        if (line.rfind("flags", 0) == 0) flags = line.substr(line.find(':') + 1) + " ";
    }
    m.virtualization = describe_virtualization(flags);
    m.cores = std::thread::hardware_concurrency();
    m.memory_gib = proc_fields("/proc/meminfo")["MemTotal"] / (1024.0 * 1024.0);
    rlimit limit{};
    if (::getrlimit(RLIMIT_MEMLOCK, &limit) == 0) {
        m.memlock_limit =
            limit.rlim_cur == RLIM_INFINITY ? "unlimited" : std::to_string(limit.rlim_cur / 1024) + " KiB";
    }
    // CapEff bit 14 is CAP_IPC_LOCK.
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("CapEff:", 0) == 0) m.can_lock = (std::stoull(line.substr(7), nullptr, 16) >> 14) & 1;
    }
    const auto& ov = ov::get_openvino_version();
    m.openvino = ov.buildNumber;
    m.openssl = std::string(ovseal::crypto::library_version());
    m.ovseal = ovseal::version();
    ov::Core core;
    m.inference_precision = core.get_property("CPU", ov::hint::inference_precision).get_type_name();
    return m;
}

}  // namespace bench
