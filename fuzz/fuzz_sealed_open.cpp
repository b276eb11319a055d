// SPDX-License-Identifier: Apache-2.0
// A whole sealed file, opened as a device or a publisher opens it (docs/FORMAT.md §9): `inspect`'s unverified read
// and the model id, then OpenedContainer::open with the test vectors' key file and devices (no trust list), and again
// with a trust list and the vectors' licenses; whatever opens is decrypted entry by entry (or verified). Seeds are
// tests/vectors/*.ovseal (scripts/fuzz.sh copies them); most mutations go to the header (sealed_common.hpp).
// Invariants: every failure is one §9 names for its step; an opened file is exactly as long as its layout and
// checks a signature exactly when a trust list was given.

#include "sealed_common.hpp"

using namespace ovseal::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    open_every_way(Bytes(data, size));
    return 0;
}

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
    return mutate_sealed_file(data, size, max_size, seed);
}
