// SPDX-License-Identifier: Apache-2.0
#pragma once

// A publisher signer whose Ed25519 key stays inside a PKCS#11 token.

#include <memory>
#include <mutex>

#include "keys/identity_secrets.hpp"
#include "pkcs11/session.hpp"

namespace ovseal::pkcs11 {

/// Signs with a private key in a token (CKM_EDDSA). The first signature is also verified in software against
/// the public key ovseal reads from the token, so a public key object that does not belong to the private key
/// is caught before a file or license carries a signature that no device would accept.
class TokenSigner final : public Signer {
public:
    TokenSigner(std::unique_ptr<Session> session, CK_OBJECT_HANDLE key, PublicKeyBytes public_key,
                std::string description);
    crypto::Signature64 sign(std::span<const std::uint8_t> message) const override;

private:
    mutable std::mutex m_mutex;  // a PKCS#11 session runs one operation at a time
    std::unique_ptr<Session> m_session;
    CK_OBJECT_HANDLE m_key;
    PublicKeyBytes m_public_key;
    std::string m_description;  // "object 'x' in token 't'"
    mutable bool m_checked = false;
};

}  // namespace ovseal::pkcs11
