// SPDX-License-Identifier: Apache-2.0
#pragma once

// TPM response codes as ovseal errors: each class of failure an operator can act on gets its own code and a
// message that says what to check.

#include <string>

#include <tss2/tss2_common.h>

namespace ovseal::tpm {

/// Throws the ovseal::Error for a failed TSS call. `what` names the step ("unsealing the device key").
[[noreturn]] void throw_tpm_error(TSS2_RC rc, const std::string& what, const std::string& tcti);

/// Throws if rc is not success.
inline void check(TSS2_RC rc, const std::string& what, const std::string& tcti) {
    if (rc != TSS2_RC_SUCCESS) throw_tpm_error(rc, what, tcti);
}

}  // namespace ovseal::tpm
