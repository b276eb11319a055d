// SPDX-License-Identifier: Apache-2.0
#pragma once

// What every fuzz target shares: the invariant that a parser either returns or throws an ovseal::Error with a
// code of error.hpp that the format allows for that step and a non-empty message (anything else escaping is a
// bug and aborts, so libFuzzer saves the input), scratch files for parsers that read paths, and the fixed keys
// of the test vectors (tests/vectors/manifest.json).

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include "ovseal/error.hpp"
#include "ovseal/identity.hpp"
#include "ovseal/key.hpp"

namespace ovseal::fuzz {

using Bytes = std::span<const std::uint8_t>;

/// Reports a broken invariant on stderr and aborts (libFuzzer then saves the input as a crash).
[[noreturn]] void fail(std::string_view what);
inline void check(bool ok, std::string_view what) {
    if (!ok) fail(what);
}

/// OVSEAL_FUZZ_VERBOSE=1 prints every outcome (to see what a seed or a crash input does).
bool verbose();
void note(std::string_view what, std::string_view outcome);

/// Checks one caught ovseal::Error: a real code (not ok, not out of the enum), one of `allowed`, a message.
void check_error(std::string_view what, const Error& error, std::initializer_list<ErrorCode> allowed);

/// Runs `f`. Returns true if it returned; false if it threw an allowed ovseal::Error. Anything else aborts.
template <typename F>
bool expect(std::string_view what, std::initializer_list<ErrorCode> allowed, F&& f) {
    try {
        f();
        if (verbose()) note(what, "ok");
        return true;
    } catch (const Error& e) {
        check_error(what, e, allowed);
        return false;
    } catch (const std::exception& e) {
        fail(std::string(what) + " threw " + typeid(e).name() + " instead of ovseal::Error: " + e.what());
    } catch (...) {
        fail(std::string(what) + " threw something that is not a std::exception");
    }
}

inline std::string_view as_text(Bytes data) {
    return {reinterpret_cast<const char*>(data.data()), data.size()};
}
inline Bytes as_bytes(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

/// A folder of this process only (on tmpfs when /dev/shm is writable), removed when the process exits.
const std::filesystem::path& scratch_dir();
/// Writes `data` to scratch_dir()/name, replacing it, and returns the path.
std::filesystem::path write_scratch(const std::filesystem::path& name, Bytes data);
/// Removes scratch_dir()/name if it exists.
void remove_scratch(const std::filesystem::path& name);
/// A whole file (for the license files of the test vectors).
std::vector<std::uint8_t> read_file(const std::filesystem::path& path);
/// tests/vectors in the source tree the targets were built from.
std::filesystem::path vectors_dir();

/// Lowercase hex to bytes (the fixed keys below); aborts on bad text.
std::vector<std::uint8_t> from_hex(std::string_view hex);

/// The test vectors' keys (tests/vectors/manifest.json): the key file, the X25519 and P-256 device keys, the
/// publisher the signed vectors and licenses trust, and the time the license vectors are checked at.
inline constexpr std::string_view vector_key_hex = "69c22948c18751730fa3dbd852bc587086d4495191c7d298e639bcdc04df13bc";
inline constexpr std::string_view vector_x25519_device_hex =
    "723ca5b80d18bdaed28d398302514f195f0271490a828dea191e61e4baafb3c8";
inline constexpr std::string_view vector_p256_device_hex =
    "c0fe8a8a993fa8a8cfcafe248298c623617a5b14e35c820b42d1e18420a0a4c8";
inline constexpr std::string_view vector_publisher = "ovseal-ed25519:RCJAHsjDMZxue_zaGF9I84rPQCjMHVgQToXy9O3A7A3xiDZy";
inline constexpr std::uint64_t vector_now = 1790000000;

/// A signing key of the fuzz targets' own, for re-signing mutated licenses and trailers (32-byte seed).
inline constexpr std::string_view fuzz_signing_seed_hex =
    "0f0e0d0c0b0a09080706050403020100f0e0d0c0b0a090807060504030201000";

/// The secrets above, made into keys: the vectors' key file, X25519 device and P-256 device (software scalar, as
/// the vectors use), and the fuzz targets' signing seed.
struct VectorSecrets {
    Key key = Key::from_bytes(from_hex(vector_key_hex));
    DeviceIdentity x25519 = DeviceIdentity::from_bytes(from_hex(vector_x25519_device_hex));
    DeviceIdentity p256 = DeviceIdentity::from_p256_bytes(from_hex(vector_p256_device_hex));
    std::vector<std::uint8_t> fuzz_seed = from_hex(fuzz_signing_seed_hex);
};

}  // namespace ovseal::fuzz
