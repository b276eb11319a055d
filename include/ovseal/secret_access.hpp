// SPDX-License-Identifier: Apache-2.0
#pragma once

// Reaching a secret takes a token, as in Tink (RestrictedData::GetSecret(SecretKeyAccessToken)): the bytes behind
// a Key, DeviceIdentity or SigningKey, and an opened file's file key, are handed out only to a caller that passes
// secret_access(). Nothing stops a caller that means it; the point is that every such place says so, and
// `grep -rn "secret_access()"` lists them all.

namespace ovseal {

class SecretAccess {
public:
    friend constexpr SecretAccess secret_access() noexcept;

private:
    constexpr SecretAccess() noexcept = default;
};

/// The token that reaches a secret; call it where the secret is used, so that the use is greppable.
constexpr SecretAccess secret_access() noexcept {
    return SecretAccess();
}

}  // namespace ovseal
