// SPDX-License-Identifier: Apache-2.0
#pragma once

// Where sealing draws file keys and salts from, so the test-vector generator can substitute a seeded source.

#include <cstdint>
#include <span>

namespace ovseal::crypto {

/// Where sealing draws file keys and salts from. Production code uses SystemRandom; only the test-vector
/// generator substitutes a seeded source, so that vectors are reproducible.
class RandomSource {
public:
    virtual ~RandomSource() = default;
    virtual void fill(std::span<std::uint8_t> out) = 0;
};

class SystemRandom final : public RandomSource {
public:
    void fill(std::span<std::uint8_t> out) override;
};

}  // namespace ovseal::crypto
