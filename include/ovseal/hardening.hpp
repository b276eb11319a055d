#pragma once

// Process-level protection while decrypted model data is held (docs/THREAT_MODEL.md, "Memory").

namespace ovseal {

struct Hardening {
    /// Makes the process non-dumpable (PR_SET_DUMPABLE 0) from the first sealed model loaded: no core dumps, and
    /// other processes of the same user can neither ptrace it nor read /proc/PID/mem. It stays so after the model
    /// is released: OpenVINO's own copies (repacked weights, the XML's DOM) stay in the memory it frees, unwiped.
    /// On by default; OVSEAL_HARDEN=0 in the environment turns it off.
    bool non_dumpable = true;
    /// Also locks all of the process's memory (mlockall with MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) from the
    /// first sealed model loaded on (for the same reason), so that the copies OpenVINO makes (the XML text, repacked weights) stay out of swap
    /// too. Needs a large RLIMIT_MEMLOCK or CAP_IPC_LOCK; if the kernel refuses, a warning says so once and
    /// loading goes on. Off by default; OVSEAL_MLOCKALL=1 turns it on.
    bool lock_all_memory = false;
};

/// Replaces the settings (the environment's defaults are read once, on first use). Applies from the next
/// sealed model loaded while none is held.
void set_hardening(const Hardening& settings);
Hardening hardening();

/// Makes this process non-dumpable for good and sets the core size limit to zero, whatever set_hardening says
/// (what `ovseal run` does).
void harden_process();

}  // namespace ovseal
