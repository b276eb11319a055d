// SPDX-License-Identifier: Apache-2.0
// Signing with a token's private key, checking the first signature against the token's public key.

#include "pkcs11/token_signer.hpp"

#include "ovseal/error.hpp"

namespace ovseal::pkcs11 {

TokenSigner::TokenSigner(std::unique_ptr<Session> session, CK_OBJECT_HANDLE key, PublicKeyBytes public_key,
                         std::string description)
    : m_session(std::move(session)), m_key(key), m_public_key(public_key), m_description(std::move(description)) {}

crypto::Signature64 TokenSigner::sign(std::span<const std::uint8_t> message) const {
    const std::lock_guard lock(m_mutex);
    const auto signature = m_session->sign_eddsa(m_key, message);
    if (!m_checked) {
        if (!crypto::ed25519_verify(m_public_key, message, signature)) {
            throw Error(ErrorCode::token_failed,
                        "the token's signature with " + m_description +
                            " does not verify with the public key object of the same name: the two objects are not "
                            "one key pair (fix their labels or ids)");
        }
        m_checked = true;
    }
    return signature;
}

}  // namespace ovseal::pkcs11
