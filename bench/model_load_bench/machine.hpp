// SPDX-License-Identifier: Apache-2.0
#pragma once

// The facts about the machine that the figures depend on.

#include <string>

namespace bench {

struct Machine {
    std::string kernel;       ///< uname -r
    std::string thp_enabled;  ///< /sys/kernel/mm/transparent_hugepage/enabled
    std::string thp_defrag;   ///< /sys/kernel/mm/transparent_hugepage/defrag
    std::string cpu;
    unsigned cores = 0;
    double memory_gib = 0;
    std::string
        virtualization;  ///< hypervisor flag and virtio-balloon free page reporting, which make fresh memory dear
    std::string memlock_limit;  ///< RLIMIT_MEMLOCK (soft)
    bool can_lock = false;      ///< CAP_IPC_LOCK: mlock is not bounded by RLIMIT_MEMLOCK
    std::string openvino, openssl, ovseal;
    std::string inference_precision;  ///< the CPU plugin's default (bf16 where the CPU has it)
};

Machine describe_machine();

}  // namespace bench
