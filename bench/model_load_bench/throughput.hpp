// SPDX-License-Identifier: Apache-2.0
#pragma once

// In-process figures the load times are judged against: AES-256-GCM and SHA-256 throughput, the cost of
// populating locked memory, and ovseal::seal_model throughput.

#include <cstdint>

#include "common.hpp"
#include "ovseal/identity.hpp"
#include "ovseal/key.hpp"

namespace bench {

/// GB/s (1e9 bytes) over a buffer in 1 MiB chunks, one thread per core for the "all" figures.
struct CryptoRates {
    unsigned cores = 0;
    double open_one = 0, open_all = 0;  ///< Aes256Gcm::open (decrypt + verify), in place
    double seal_one = 0, seal_all = 0;  ///< Aes256Gcm::seal, in place
    double sha_one = 0, sha_all = 0;    ///< crypto::sha256 of each chunk
};
CryptoRates measure_crypto(std::size_t buffer_bytes, int reps);

/// T_populate, once, on fresh memory. It runs in a process of its own, interleaved with the loads, so that it
/// pays what a load pays for memory the kernel hands out anew. `touch_first`: mmap anonymous + first touch of
/// every page + mlock (the definition); otherwise mmap + mlock alone, which populates and locks in one
/// call (how memory::LockedRegion does it). MADV_HUGEPAGE before populating if `huge_pages`.
struct PopulateSample {
    double ms = 0;
    bool locked = false;       ///< mlock succeeded
    double huge_fraction = 0;  ///< share of the mapping the kernel backed with huge pages
};
PopulateSample populate_once(std::uint64_t bytes, bool touch_first, bool huge_pages);

/// ovseal::seal_model (check_model = false) of `files` to `out_dir`, GB/s of payload (xml + bin), median.
struct SealRates {
    double unsigned_gbs = 0, signed_gbs = 0;
};
SealRates measure_seal(const ModelFiles& files, const ovseal::Key& key, const ovseal::SigningKey& signer,
                       const fs::path& out_dir, int reps);

}  // namespace bench
