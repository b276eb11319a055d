// SPDX-License-Identifier: Apache-2.0
// Making the process non-dumpable (and optionally all-locked) while plaintext lives, and undoing it after.

#include "memory/plaintext_hold.hpp"

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>

#include "notice/notice.hpp"
#include "ovseal/hardening.hpp"

namespace ovseal::memory {

namespace {

struct State {
    std::mutex mutex;
    Hardening settings;  // the defaults until set_hardening
    std::size_t holds = 0;
    bool permanent = false;
    bool reached_openvino =
        false;                 // OpenVINO's copies outlive the models: stay hardened (§ plaintext_reached_openvino)
    int dumpable_before = -1;  // what the first hold changed, to undo at the last release
    bool locked_all = false;
};

State& state() {
    static State s;
    return s;
}

void first_hold(State& s) {
    const Hardening& h = s.settings;
    if (h.non_dumpable && !s.permanent) {
        s.dumpable_before = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
    if (h.lock_all_memory) {
        s.locked_all = mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) == 0;
        if (!s.locked_all) {
            notice::notify(std::string("could not lock all process memory (") + std::strerror(errno) +
                           "); raise RLIMIT_MEMLOCK (ulimit -l) or grant CAP_IPC_LOCK. Continuing without it.");
        }
    }
}

void last_release(State& s) {
    if (s.reached_openvino) return;  // what hardening was done stays
    if (s.dumpable_before > 0 && !s.permanent) prctl(PR_SET_DUMPABLE, s.dumpable_before, 0, 0, 0);
    s.dumpable_before = -1;
    if (s.locked_all) munlockall();
    s.locked_all = false;
}

}  // namespace

PlaintextHold hold_plaintext() {
    State& s = state();
    {
        std::lock_guard lock(s.mutex);
        if (s.holds++ == 0) first_hold(s);
    }
    return PlaintextHold(static_cast<void*>(&s), [](void*) {
        State& st = state();
        std::lock_guard lock(st.mutex);
        if (--st.holds == 0) last_release(st);
    });
}

void plaintext_reached_openvino() {
    State& s = state();
    std::lock_guard lock(s.mutex);
    s.reached_openvino = true;
}

void harden_permanently() {
    State& s = state();
    std::lock_guard lock(s.mutex);
    s.permanent = true;
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    const rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
}

}  // namespace ovseal::memory

namespace ovseal {

void set_hardening(const Hardening& settings) {
    auto& s = memory::state();
    std::lock_guard lock(s.mutex);
    s.settings = settings;
}

Hardening hardening() {
    auto& s = memory::state();
    std::lock_guard lock(s.mutex);
    return s.settings;
}

void harden_process() {
    memory::harden_permanently();
}

}  // namespace ovseal
