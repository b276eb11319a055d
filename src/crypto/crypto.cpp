// SPDX-License-Identifier: Apache-2.0
// The OpenSSL calls behind ovseal's hashes, key derivation, scrypt, AES-256-GCM and random bytes.

#include "crypto/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <climits>
#include <cstring>
#include <string>

#include "memory/wipe.hpp"
#include "ovseal/error.hpp"

namespace ovseal::crypto {
namespace {

[[noreturn]] void fail(const char* what) {
    ERR_clear_error();  // OpenSSL's queue may name internals; our message is enough.
    throw Error(ErrorCode::internal, std::string("cryptographic operation failed: ") + what);
}

void check(int ok, const char* what) {
    if (ok != 1) {
        fail(what);
    }
}

// OpenSSL takes int lengths for one call; callers here stay far below, but guard anyway.
int int_length(std::size_t n, const char* what) {
    if (n > static_cast<std::size_t>(INT_MAX)) {
        fail(what);
    }
    return static_cast<int>(n);
}

struct KdfDeleter {
    void operator()(EVP_KDF_CTX* ctx) const { EVP_KDF_CTX_free(ctx); }
};
using KdfCtx = std::unique_ptr<EVP_KDF_CTX, KdfDeleter>;

KdfCtx make_kdf(const char* name) {
    EVP_KDF* kdf = EVP_KDF_fetch(nullptr, name, nullptr);
    if (kdf == nullptr) {
        fail(name);
    }
    KdfCtx ctx(EVP_KDF_CTX_new(kdf));
    EVP_KDF_free(kdf);
    if (!ctx) {
        fail(name);
    }
    return ctx;
}

}  // namespace

void random_bytes(std::span<std::uint8_t> out) {
    if (!out.empty()) {
        check(RAND_bytes(out.data(), int_length(out.size(), "RAND_bytes")), "RAND_bytes");
    }
}

void hkdf_sha256(KeyView ikm_key, std::span<const std::uint8_t> salt, std::string_view info,
                 std::span<std::uint8_t> out) {
    const auto ikm = ikm_key.bytes();
    KdfCtx ctx = make_kdf("HKDF");
    char digest[] = "SHA256";
    // Cast away const only for OSSL_PARAM's signature; OpenSSL does not write through these.
    OSSL_PARAM params[5];
    std::size_t n = 0;
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
    params[n++] =
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t*>(ikm.data()), ikm.size());
    // An empty salt is left out: RFC 5869 then uses HashLen zero bytes, and OpenSSL rejects a null buffer.
    if (!salt.empty()) {
        params[n++] =
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<std::uint8_t*>(salt.data()), salt.size());
    }
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size());
    params[n] = OSSL_PARAM_construct_end();
    check(EVP_KDF_derive(ctx.get(), out.data(), out.size(), params), "HKDF");
}

Bytes32 hmac_sha256(KeyView mac_key, std::span<const std::uint8_t> message) {
    const auto key = mac_key.bytes();
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac == nullptr) {
        fail("HMAC");
    }
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);
    if (ctx == nullptr) {
        fail("HMAC");
    }
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    Bytes32 out{};
    std::size_t out_len = 0;
    const bool ok = EVP_MAC_init(ctx, key.data(), key.size(), params) == 1 &&
                    EVP_MAC_update(ctx, message.data(), message.size()) == 1 &&
                    EVP_MAC_final(ctx, out.data(), &out_len, out.size()) == 1 && out_len == out.size();
    EVP_MAC_CTX_free(ctx);
    if (!ok) {
        fail("HMAC");
    }
    return out;
}

struct Sha256::Impl {
    EVP_MD_CTX* ctx = nullptr;
};

Sha256::Sha256() : m_impl(std::make_unique<Impl>()) {
    m_impl->ctx = EVP_MD_CTX_new();
    if (m_impl->ctx == nullptr) {
        fail("SHA-256");
    }
    check(EVP_DigestInit_ex(m_impl->ctx, EVP_sha256(), nullptr), "SHA-256");
}

Sha256::~Sha256() {
    EVP_MD_CTX_free(m_impl->ctx);
}

void Sha256::update(std::span<const std::uint8_t> data) {
    check(EVP_DigestUpdate(m_impl->ctx, data.data(), data.size()), "SHA-256");
}

Bytes32 Sha256::finish() {
    Bytes32 out{};
    unsigned int len = 0;
    check(EVP_DigestFinal_ex(m_impl->ctx, out.data(), &len), "SHA-256");
    return out;
}

Bytes32 sha256(std::span<const std::uint8_t> message) {
    Sha256 h;
    h.update(message);
    return h.finish();
}

void scrypt(KeyView passphrase_key, std::span<const std::uint8_t> salt, unsigned log2_n, unsigned r, unsigned p,
            std::span<std::uint8_t> out) {
    const auto passphrase = passphrase_key.bytes();
    KdfCtx ctx = make_kdf("SCRYPT");
    std::uint64_t n = std::uint64_t{1} << log2_n;
    std::uint32_t r32 = r;
    std::uint32_t p32 = p;
    // 128 * r * N bytes are needed; allow twice that so OpenSSL's own accounting never refuses.
    std::uint64_t maxmem = std::uint64_t{256} * r * n + (std::uint64_t{1} << 20);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, const_cast<std::uint8_t*>(passphrase.data()),
                                          passphrase.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<std::uint8_t*>(salt.data()), salt.size()),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r32),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p32),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
        OSSL_PARAM_construct_end(),
    };
    check(EVP_KDF_derive(ctx.get(), out.data(), out.size(), params), "scrypt");
}

bool equal_constant_time(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

struct Aes256Gcm::Impl {
    EVP_CIPHER_CTX* encrypt = nullptr;
    EVP_CIPHER_CTX* decrypt = nullptr;
};

Aes256Gcm::Aes256Gcm(KeyView aes_key) : m_impl(std::make_unique<Impl>()) {
    const auto key = aes_key.bytes();
    if (key.size() != 32) {
        fail("AES-256-GCM key size");
    }
    m_impl->encrypt = EVP_CIPHER_CTX_new();
    m_impl->decrypt = EVP_CIPHER_CTX_new();
    if (m_impl->encrypt == nullptr || m_impl->decrypt == nullptr) {
        fail("AES-256-GCM");
    }
    // Key schedules are set once; every chunk only sets its nonce.
    check(EVP_EncryptInit_ex(m_impl->encrypt, EVP_aes_256_gcm(), nullptr, key.data(), nullptr), "AES-256-GCM");
    check(EVP_DecryptInit_ex(m_impl->decrypt, EVP_aes_256_gcm(), nullptr, key.data(), nullptr), "AES-256-GCM");
}

Aes256Gcm::~Aes256Gcm() {
    EVP_CIPHER_CTX_free(m_impl->encrypt);  // frees and cleanses the key schedule
    EVP_CIPHER_CTX_free(m_impl->decrypt);
}

void Aes256Gcm::seal(std::span<const std::uint8_t, gcm_nonce_size> nonce, std::span<const std::uint8_t> aad,
                     std::span<const std::uint8_t> plaintext, std::span<std::uint8_t> ciphertext,
                     std::span<std::uint8_t, gcm_tag_size> tag) {
    if (ciphertext.size() != plaintext.size()) {
        fail("AES-256-GCM buffer size");
    }
    EVP_CIPHER_CTX* ctx = m_impl->encrypt;
    int len = 0;
    check(EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data()), "AES-256-GCM");
    if (!aad.empty()) {
        check(EVP_EncryptUpdate(ctx, nullptr, &len, aad.data(), int_length(aad.size(), "aad")), "AES-256-GCM");
    }
    check(EVP_EncryptUpdate(ctx, ciphertext.data(), &len, plaintext.data(), int_length(plaintext.size(), "chunk")),
          "AES-256-GCM");
    check(EVP_EncryptFinal_ex(ctx, ciphertext.data() + len, &len), "AES-256-GCM");
    check(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(tag.size()), tag.data()), "AES-256-GCM");
}

bool Aes256Gcm::open(std::span<const std::uint8_t, gcm_nonce_size> nonce, std::span<const std::uint8_t> aad,
                     std::span<const std::uint8_t> ciphertext, std::span<const std::uint8_t, gcm_tag_size> tag,
                     std::span<std::uint8_t> plaintext) {
    if (ciphertext.size() != plaintext.size()) {
        fail("AES-256-GCM buffer size");
    }
    EVP_CIPHER_CTX* ctx = m_impl->decrypt;
    int len = 0;
    check(EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data()), "AES-256-GCM");
    if (!aad.empty()) {
        check(EVP_DecryptUpdate(ctx, nullptr, &len, aad.data(), int_length(aad.size(), "aad")), "AES-256-GCM");
    }
    check(EVP_DecryptUpdate(ctx, plaintext.data(), &len, ciphertext.data(), int_length(ciphertext.size(), "chunk")),
          "AES-256-GCM");
    check(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag.size()),
                              const_cast<std::uint8_t*>(tag.data())),
          "AES-256-GCM");
    if (EVP_DecryptFinal_ex(ctx, plaintext.data() + len, &len) != 1) {
        ERR_clear_error();
        memory::wipe(plaintext.data(), plaintext.size());  // never leave unauthenticated plaintext behind
        return false;
    }
    return true;
}

std::string_view library_version() {
    return OpenSSL_version(OPENSSL_VERSION);
}

}  // namespace ovseal::crypto

#include "crypto/random_source.hpp"

namespace ovseal::crypto {

void SystemRandom::fill(std::span<std::uint8_t> out) {
    random_bytes(out);
}

}  // namespace ovseal::crypto
