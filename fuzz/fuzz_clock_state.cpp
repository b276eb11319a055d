// SPDX-License-Identifier: Apache-2.0
// The rollback guard's state files (docs/FORMAT.md §13.4): `OVSEAL-CLOCK-1 <seconds> <checksum>` (read by
// read_clock_state and check_and_advance_clock) and `OVSEAL-CLOCK-TPM-1 <seconds> <clock_ms> <mac>` (read by the
// TPM-anchored guard). The TPM form is reached through its reader itself: the guard's entry point asks a TPM for
// its clock and its key, so this target compiles src/policy/tpm_clock_guard.cpp into itself (its helpers live
// in an unnamed namespace) and calls read_anchor with a fixed key; fuzz/make_seeds.py uses the same key.
// Invariants: only state_invalid (and clock_rollback from the guard); a state the guard accepts and stores reads
// back as the stored time; an anchor the TPM guard writes reads back as written.

#include "policy/tpm_clock_guard.cpp"  // NOLINT: the reader of the TPM form is internal to this file

#include "fuzz_support.hpp"

using namespace ovseal;
using namespace ovseal::fuzz;
using E = ErrorCode;

namespace {

const memory::SecretBytes& anchor_key() {
    static const memory::SecretBytes key = [] {
        std::array<std::uint8_t, 32> bytes{};
        for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i);
        return memory::SecretBytes::copy_of(bytes);
    }();
    return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Bytes input(data, size);
    const auto path = write_scratch("clock", input);

    // The first form, through the file-only guard's reader.
    std::uint64_t stored = 0;
    if (expect("read_clock_state", {E::state_invalid}, [&] { stored = container::read_clock_state(path); })) {
        expect("check_and_advance_clock at the stored time", {},
               [&] { container::check_and_advance_clock(path, stored, 0); });
        if (stored < std::numeric_limits<std::uint64_t>::max()) {
            std::uint64_t advanced = 0;
            expect("advance by one second and read again", {}, [&] {
                container::check_and_advance_clock(path, stored + 1, 0);
                advanced = container::read_clock_state(path);
            });
            check(advanced == stored + 1, "the clock guard did not store the time it accepted");
        }
        write_scratch("clock", input);
    }
    // The guard's own entry, as OpenedContainer::open calls it (a missing file is a first use; here it exists).
    expect("check_and_advance_clock", {E::state_invalid, E::clock_rollback},
           [&] { container::check_and_advance_clock(path, vector_now, 300); });

    // The TPM form.
    write_scratch("clock", input);
    (void)container::first_word(path);
    container::Anchor anchor;
    if (expect("read_anchor", {E::state_invalid}, [&] { anchor = container::read_anchor(path, anchor_key()); })) {
        const std::string fields = std::to_string(anchor.seconds) + " " + std::to_string(anchor.clock_ms);
        container::Anchor again;
        expect("write an anchor and read it again", {}, [&] {
            container::write_clock_state(
                path, std::string(container::tag) + " " + fields + " " + container::mac_of(anchor_key(), fields));
            again = container::read_anchor(path, anchor_key());
        });
        check(again.seconds == anchor.seconds && again.clock_ms == anchor.clock_ms,
              "an anchor does not read back as it was written");
    }
    return 0;
}
