// SPDX-License-Identifier: Apache-2.0
#pragma once

// The one exception ovseal throws and its stable error codes, which double as the CLI's exit codes.

#include <stdexcept>
#include <string>
#include <string_view>

namespace ovseal {

/// Every failure ovseal reports. Values are stable (docs/FORMAT.md §10) and double as the CLI's exit codes.
enum class ErrorCode : int {
    ok = 0,
    internal = 1,
    usage = 2,
    io = 3,
    not_ovseal_file = 4,
    unsupported_version = 5,
    malformed_header = 6,
    no_matching_key = 7,
    header_auth_failed = 8,
    payload_auth_failed = 9,
    truncated = 10,
    trailing_data = 11,
    invalid_key = 12,
    model_rejected = 13,
    unsupported_model = 14,
    signature_required = 15,
    untrusted_signer = 16,
    bad_signature = 17,
    license_invalid = 18,
    license_wrong_model = 19,
    license_wrong_device = 20,
    license_not_yet_valid = 21,
    license_expired = 22,
    clock_rollback = 23,
    state_invalid = 24,
    tpm_unavailable = 25,
    tpm_policy_failed = 26,
    tpm_wrong_device = 27,
    tpm_busy = 28,
    tpm_failed = 29,
    token_unavailable = 30,
    token_login_failed = 31,
    token_key_missing = 32,
    token_failed = 33,
    license_required = 34,
};

/// The stable snake_case name of an error code, as used in FORMAT.md and the test vectors.
std::string_view error_name(ErrorCode code) noexcept;

/// The process exit code for an error code.
constexpr int exit_code(ErrorCode code) noexcept {
    return static_cast<int>(code);
}

/// The one exception type ovseal throws. Messages never contain key material or plaintext.
class Error : public std::runtime_error {
public:
    Error(ErrorCode code, const std::string& message) : std::runtime_error(message), m_code(code) {}
    ErrorCode code() const noexcept { return m_code; }

private:
    ErrorCode m_code;
};

}  // namespace ovseal
