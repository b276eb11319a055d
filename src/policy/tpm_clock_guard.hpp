// SPDX-License-Identifier: Apache-2.0
#pragma once

// The rollback guard anchored to a TPM's clock (docs/FORMAT.md §13.4). The state file holds an anchor: a wall
// time and the TPM clock at that moment, authenticated by a key only this device can derive. The TPM clock
// only moves forward, so anchor + (TPM clock now − TPM clock then) is a lower bound of the real time now:
// setting the system clock back is caught even if the state file is replaced by an older copy of itself.

#include <cstdint>
#include <filesystem>

#include "keys/device_agreement.hpp"

namespace ovseal::container {

/// As check_and_advance_clock, with `device` a TPM-held identity (its TPM gives the clock, its key the MAC).
/// A state file of the first form is accepted once and upgraded.
void check_and_advance_clock_with_tpm(const std::filesystem::path& state, std::uint64_t now, std::int64_t tolerance,
                                      keys::DeviceAgreement& device);

}  // namespace ovseal::container
