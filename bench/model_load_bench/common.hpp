// SPDX-License-Identifier: Apache-2.0
#pragma once

// What every part of model_load_bench shares: file layout, the load variants, timing and /proc readers.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace bench {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

inline double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

/// The median (the mean of the two middle values for an even count); 0 for no values.
double median(std::vector<double> values);

/// The numeric fields of a /proc file in "Name:   123 kB" form (values as printed, kB for sizes).
std::map<std::string, double> proc_fields(const fs::path& file);

/// The whole text of a small file without its trailing newline; "" if it cannot be read.
std::string read_text(const fs::path& file);

/// Keys shared by the parent (which makes them) and the children (which load with them).
struct KeyFiles {
    explicit KeyFiles(const fs::path& root)
        : file_key(root / "file.key"),
          aes_key(root / "aes.key"),
          signer(root / "signer"),
          signer_pub(root / "signer.pub") {}
    fs::path file_key;    ///< ovseal key file, for (c)
    fs::path aes_key;     ///< 32 raw bytes, for the guide's approach (b)
    fs::path signer;      ///< publisher signing key
    fs::path signer_pub;  ///< its public key, the trust list of the signed variant
};

/// One model in every form the benchmark loads it from.
struct ModelFiles {
    fs::path dir;
    fs::path xml() const { return dir / "model.xml"; }
    fs::path bin() const { return dir / "model.bin"; }
    fs::path xml_enc() const { return dir / "model.xml.enc"; }  ///< ciphertext || tag, for (b)
    fs::path bin_enc() const { return dir / "model.bin.enc"; }
    fs::path sealed() const { return dir / "model.ovseal"; }
    fs::path sealed_signed() const { return dir / "model-signed.ovseal"; }
    std::uint64_t payload_bytes() const { return fs::file_size(xml()) + fs::file_size(bin()); }
};

/// The guide's files (b) are whole-file AES-256-GCM under one key with a different nonce each.
constexpr std::uint8_t nonce_for_xml = 1;
constexpr std::uint8_t nonce_for_bin = 2;

enum class Variant { plain, guide, sealed, sealed_signed, sealed_thp, sealed_signed_thp };

struct VariantInfo {
    Variant variant;
    const char* name;   ///< JSON key and child argument
    const char* label;  ///< table column
    bool signed_file;
    bool huge_pages;  ///< run with OVSEAL_HUGEPAGES=1
};

inline constexpr VariantInfo variants[] = {
    {Variant::plain, "a_plain", "(a) plain", false, false},
    {Variant::guide, "b_guide", "(b) guide", false, false},
    {Variant::sealed, "c_sealed", "(c) ovseal", false, false},
    {Variant::sealed_signed, "c_signed", "(c) signed", true, false},
    {Variant::sealed_thp, "c_sealed_thp", "(c) THP", false, true},
    {Variant::sealed_signed_thp, "c_signed_thp", "(c) sig+THP", true, true},
};

const VariantInfo& variant_named(const std::string& name);  // throws std::invalid_argument

}  // namespace bench
