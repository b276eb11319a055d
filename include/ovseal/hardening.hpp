// SPDX-License-Identifier: Apache-2.0
#pragma once

// Process-level protection while decrypted model data is held (docs/THREAT_MODEL.md, "Memory"), and how that
// memory is mapped. The CLI, the Python package and the frontend set these from environment variables
// (docs/ARCHITECTURE.md, "Environment variables"); the library reads none.

namespace ovseal {

struct Hardening {
    /// Makes the process non-dumpable (PR_SET_DUMPABLE 0) from the first sealed model loaded: no core dumps, and
    /// other processes of the same user can neither ptrace it nor read /proc/PID/mem. It stays so after the model
    /// is released: OpenVINO's own copies (repacked weights, the XML's DOM) stay in the memory it frees, unwiped.
    /// On by default; OVSEAL_HARDEN=0 turns it off in the CLI, the Python package and the frontend.
    bool non_dumpable = true;
    /// Also locks all of the process's memory (mlockall with MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) from the
    /// first sealed model loaded on (for the same reason), so that the copies OpenVINO makes (the XML text, repacked
    /// weights) stay out of swap
    /// too. Needs a large RLIMIT_MEMLOCK or CAP_IPC_LOCK; if the kernel refuses, a warning says so once and
    /// loading goes on (ovseal/notice.hpp). Off by default; OVSEAL_MLOCKALL=1 turns it on in the CLI, the Python
    /// package and the frontend.
    bool lock_all_memory = false;
};

/// Replaces the settings (the defaults above until then). Applies from the next sealed model loaded while none
/// is held.
void set_hardening(const Hardening& settings);
Hardening hardening();

/// Makes this process non-dumpable for good and sets the core size limit to zero, whatever set_hardening says
/// (what `ovseal run` does).
void harden_process();

/// Asks for transparent huge pages (MADV_HUGEPAGE) on plaintext buffers of 4 MiB or more, from the next one
/// mapped. Off by default: with the kernel's usual defrag=madvise a fault may stall in memory compaction
/// (docs/PERFORMANCE.md). OVSEAL_HUGEPAGES=1 turns it on in the CLI, the Python package and the frontend.
void set_huge_pages(bool on);

}  // namespace ovseal
