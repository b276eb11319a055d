// SPDX-License-Identifier: Apache-2.0
// The stable snake_case names of ovseal's error codes, as docs/FORMAT.md and the test vectors spell them.

#include "ovseal/error.hpp"

namespace ovseal {

std::string_view error_name(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::ok:
            return "ok";
        case ErrorCode::internal:
            return "internal";
        case ErrorCode::usage:
            return "usage";
        case ErrorCode::io:
            return "io";
        case ErrorCode::not_ovseal_file:
            return "not_ovseal_file";
        case ErrorCode::unsupported_version:
            return "unsupported_version";
        case ErrorCode::malformed_header:
            return "malformed_header";
        case ErrorCode::no_matching_key:
            return "no_matching_key";
        case ErrorCode::header_auth_failed:
            return "header_auth_failed";
        case ErrorCode::payload_auth_failed:
            return "payload_auth_failed";
        case ErrorCode::truncated:
            return "truncated";
        case ErrorCode::trailing_data:
            return "trailing_data";
        case ErrorCode::invalid_key:
            return "invalid_key";
        case ErrorCode::model_rejected:
            return "model_rejected";
        case ErrorCode::unsupported_model:
            return "unsupported_model";
        case ErrorCode::signature_required:
            return "signature_required";
        case ErrorCode::untrusted_signer:
            return "untrusted_signer";
        case ErrorCode::bad_signature:
            return "bad_signature";
        case ErrorCode::license_invalid:
            return "license_invalid";
        case ErrorCode::license_wrong_model:
            return "license_wrong_model";
        case ErrorCode::license_wrong_device:
            return "license_wrong_device";
        case ErrorCode::license_not_yet_valid:
            return "license_not_yet_valid";
        case ErrorCode::license_expired:
            return "license_expired";
        case ErrorCode::clock_rollback:
            return "clock_rollback";
        case ErrorCode::state_invalid:
            return "state_invalid";
        case ErrorCode::tpm_unavailable:
            return "tpm_unavailable";
        case ErrorCode::tpm_policy_failed:
            return "tpm_policy_failed";
        case ErrorCode::tpm_wrong_device:
            return "tpm_wrong_device";
        case ErrorCode::tpm_busy:
            return "tpm_busy";
        case ErrorCode::tpm_failed:
            return "tpm_failed";
        case ErrorCode::token_unavailable:
            return "token_unavailable";
        case ErrorCode::token_login_failed:
            return "token_login_failed";
        case ErrorCode::token_key_missing:
            return "token_key_missing";
        case ErrorCode::token_failed:
            return "token_failed";
        case ErrorCode::license_required:
            return "license_required";
    }
    return "unknown";
}

}  // namespace ovseal
