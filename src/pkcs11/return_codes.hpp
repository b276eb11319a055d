// SPDX-License-Identifier: Apache-2.0
#pragma once

// PKCS#11 return values as ovseal errors, with messages that name the CKR_ code.

#include <string>
#include <string_view>

#include "ovseal/error.hpp"
#include "pkcs11/cryptoki.hpp"

namespace ovseal::pkcs11 {

/// "CKR_PIN_INCORRECT (0xa0)": the name and number of a PKCS#11 return value, for messages.
std::string return_code_name(CK_RV rv);

/// The ovseal error for a failed call: PIN problems are token_login_failed, a token that went away is
/// token_unavailable, anything else token_failed.
ErrorCode error_code_for(CK_RV rv) noexcept;

/// Throws Error(error_code_for(rv), "<what> failed: CKR_... (0x..)") unless rv is CKR_OK.
void check(CK_RV rv, std::string_view what);

}  // namespace ovseal::pkcs11
