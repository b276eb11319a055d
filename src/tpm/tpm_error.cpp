// SPDX-License-Identifier: Apache-2.0
// Sorting TPM response codes into ovseal errors, with advice on what an operator should check.

#include "tpm/tpm_error.hpp"

#include <cstdio>

#include <tss2/tss2_rc.h>
#include <tss2/tss2_tpm2_types.h>

#include "ovseal/error.hpp"

namespace ovseal::tpm {
namespace {

constexpr TSS2_RC base_io_error = TSS2_BASE_RC_IO_ERROR;
constexpr TSS2_RC base_no_connection = TSS2_BASE_RC_NO_CONNECTION;

bool is_tpm_layer(TSS2_RC rc) {
    const TSS2_RC layer = rc & TSS2_RC_LAYER_MASK;
    return layer == TSS2_TPM_RC_LAYER || layer == TSS2_RESMGR_TPM_RC_LAYER;
}

// The TPM's format-one error number (bits 0-5 plus the format bit), or 0 for other codes.
TSS2_RC format_one(TSS2_RC rc) {
    const TSS2_RC code = rc & 0xFFFF;
    return (code & TPM2_RC_FMT1) != 0 ? (code & (TPM2_RC_FMT1 | 0x3F)) : 0;
}

// The TPM's warning code (TPM2_RC_WARN + number), or 0 for other codes.
TSS2_RC warning(TSS2_RC rc) {
    const TSS2_RC code = rc & 0xFFFF;
    return (code & TPM2_RC_FMT1) == 0 && (code & 0xF00) == TPM2_RC_WARN ? (code & 0x97F) : 0;
}

ErrorCode classify(TSS2_RC rc) {
    const TSS2_RC layer = rc & TSS2_RC_LAYER_MASK;
    const TSS2_RC base = rc & 0xFFFF;
    if (layer == TSS2_TCTI_RC_LAYER || (!is_tpm_layer(rc) && (base == base_io_error || base == base_no_connection))) {
        return ErrorCode::tpm_unavailable;
    }
    if (!is_tpm_layer(rc)) return ErrorCode::tpm_failed;
    if ((rc & 0xFFFF) == TPM2_RC_PCR_CHANGED) return ErrorCode::tpm_policy_failed;  // changed between check and use
    switch (format_one(rc)) {
        case TPM2_RC_POLICY_FAIL:
            return ErrorCode::tpm_policy_failed;
        case TPM2_RC_INTEGRITY:
        case TPM2_RC_BINDING:
            return ErrorCode::tpm_wrong_device;
        default:
            break;
    }
    switch (warning(rc)) {
        case TPM2_RC_OBJECT_MEMORY:
        case TPM2_RC_SESSION_MEMORY:
        case TPM2_RC_MEMORY:
        case TPM2_RC_SESSION_HANDLES:
        case TPM2_RC_OBJECT_HANDLES:
            return ErrorCode::tpm_busy;
        default:
            return ErrorCode::tpm_failed;
    }
}

std::string advice(ErrorCode code, const std::string& tcti) {
    switch (code) {
        case ErrorCode::tpm_unavailable:
            return "; check that the TPM is present and running and that the TCTI '" + tcti +
                   "' names it (--tcti, TPM2TOOLS_TCTI or TSS2_TCTI)";
        case ErrorCode::tpm_policy_failed:
            return "; the PCR values differ from those the key was bound to (firmware, Secure Boot or boot chain "
                   "changed?): re-provision the device (`ovseal device init`) if the change is legitimate";
        case ErrorCode::tpm_wrong_device:
            return "; the key was sealed by another TPM, or this TPM was cleared since: a TPM-held identity works only "
                   "on the machine that created it";
        case ErrorCode::tpm_busy:
            return "; the TPM is out of object or session slots: use the kernel resource manager (/dev/tpmrm0), or "
                   "flush stale handles with `tpm2_flushcontext -t -s`";
        default:
            return "";
    }
}

}  // namespace

void throw_tpm_error(TSS2_RC rc, const std::string& what, const std::string& tcti) {
    const ErrorCode code = classify(rc);
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%x", static_cast<unsigned>(rc));
    throw Error(code, "TPM error while " + what + ": " + Tss2_RC_Decode(rc) + " (" + hex + ")" + advice(code, tcti));
}

}  // namespace ovseal::tpm
