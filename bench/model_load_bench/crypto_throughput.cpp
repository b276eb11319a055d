// SPDX-License-Identifier: Apache-2.0
// AES-256-GCM, SHA-256 and seal_model throughput, the figures the load times are judged against.

#include <functional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "crypto/crypto.hpp"
#include "ovseal/seal.hpp"
#include "throughput.hpp"

namespace bench {
namespace {

constexpr std::size_t chunk_size = std::size_t{1} << 20;

// Runs body(begin, end) over the chunks on `threads` threads (contiguous ranges, like the library does) and
// returns GB/s over `bytes`.
double timed_gbs(std::size_t chunks, unsigned threads, std::size_t bytes,
                 const std::function<void(std::size_t, std::size_t)>& body) {
    const auto start = Clock::now();
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) {
        pool.emplace_back(body, chunks * t / threads, chunks * (t + 1) / threads);
    }
    for (auto& t : pool) t.join();
    return static_cast<double>(bytes) / 1e6 / ms_since(start);
}

void nonce_of(std::size_t index, std::uint8_t (&nonce)[ovseal::crypto::gcm_nonce_size]) {
    for (std::size_t i = 0; i < sizeof nonce; ++i) nonce[i] = static_cast<std::uint8_t>(index >> (8 * (i % 8)));
}

}  // namespace

CryptoRates measure_crypto(std::size_t buffer_bytes, int reps) {
    const std::size_t chunks = buffer_bytes / chunk_size;
    const std::size_t bytes = chunks * chunk_size;
    std::vector<std::uint8_t> buffer(bytes);
    for (std::size_t i = 0; i < bytes; ++i) buffer[i] = static_cast<std::uint8_t>(i * 131 + (i >> 12));
    std::vector<std::uint8_t> tags(chunks * ovseal::crypto::gcm_tag_size);
    std::vector<ovseal::crypto::Bytes32> digests(chunks);
    std::uint8_t key[32];
    ovseal::crypto::random_bytes(key);

    auto seal = [&](std::size_t begin, std::size_t end) {
        ovseal::crypto::Aes256Gcm gcm{ovseal::crypto::KeyView(key)};
        std::uint8_t nonce[ovseal::crypto::gcm_nonce_size];
        for (std::size_t i = begin; i < end; ++i) {
            nonce_of(i, nonce);
            const std::span<std::uint8_t> chunk(buffer.data() + i * chunk_size, chunk_size);
            gcm.seal(nonce, {}, chunk, chunk, std::span(tags).subspan(i * 16).first<16>());
        }
    };
    auto open = [&](std::size_t begin, std::size_t end) {
        ovseal::crypto::Aes256Gcm gcm{ovseal::crypto::KeyView(key)};
        std::uint8_t nonce[ovseal::crypto::gcm_nonce_size];
        for (std::size_t i = begin; i < end; ++i) {
            nonce_of(i, nonce);
            const std::span<std::uint8_t> chunk(buffer.data() + i * chunk_size, chunk_size);
            if (!gcm.open(nonce, {}, chunk, std::span<const std::uint8_t>(tags).subspan(i * 16).first<16>(), chunk)) {
                throw std::runtime_error("AES-GCM benchmark: a chunk did not authenticate");
            }
        }
    };
    auto hash = [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) {
            digests[i] = ovseal::crypto::sha256({buffer.data() + i * chunk_size, chunk_size});
        }
    };

    CryptoRates rates;
    rates.cores = std::max(1u, std::thread::hardware_concurrency());
    std::vector<double> open_one, open_all, seal_one, seal_all, sha_one, sha_all;
    for (int rep = 0; rep < reps; ++rep) {
        seal_one.push_back(timed_gbs(chunks, 1, bytes, seal));  // plaintext -> ciphertext
        open_one.push_back(timed_gbs(chunks, 1, bytes, open));  // and back
        seal_all.push_back(timed_gbs(chunks, rates.cores, bytes, seal));
        open_all.push_back(timed_gbs(chunks, rates.cores, bytes, open));
        sha_one.push_back(timed_gbs(chunks, 1, bytes, hash));
        sha_all.push_back(timed_gbs(chunks, rates.cores, bytes, hash));
    }
    rates.open_one = median(open_one);
    rates.open_all = median(open_all);
    rates.seal_one = median(seal_one);
    rates.seal_all = median(seal_all);
    rates.sha_one = median(sha_one);
    rates.sha_all = median(sha_all);
    return rates;
}

SealRates measure_seal(const ModelFiles& files, const ovseal::Key& key, const ovseal::SigningKey& signer,
                       const fs::path& out_dir, int reps) {
    const fs::path out = out_dir / "seal-throughput.ovseal";
    const double bytes = static_cast<double>(files.payload_bytes());
    std::vector<double> plain, signed_;
    for (int rep = 0; rep < reps; ++rep) {
        for (const bool sign : {false, true}) {
            ovseal::SealOptions options;
            options.check_model = false;
            if (sign) options.sign = signer;
            const auto start = Clock::now();
            ovseal::seal_model(files.xml(), out, {key}, options);
            (sign ? signed_ : plain).push_back(bytes / 1e6 / ms_since(start));
            fs::remove(out);
        }
    }
    return {median(plain), median(signed_)};
}

}  // namespace bench
