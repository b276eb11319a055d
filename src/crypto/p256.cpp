// SPDX-License-Identifier: Apache-2.0
// NIST P-256 through OpenSSL: point encoding with EC_POINT, keys and ECDH through EVP_PKEY.

#include "crypto/p256.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <string>

#include "ovseal/error.hpp"

namespace ovseal::crypto {
namespace {

constexpr const char* group_name = "prime256v1";

template <typename T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const { Free(p); }
};
using Point = std::unique_ptr<EC_POINT, Deleter<EC_POINT, EC_POINT_free>>;
using BnCtx = std::unique_ptr<BN_CTX, Deleter<BN_CTX, BN_CTX_free>>;
using SecretBn = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_clear_free>>;
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using ParamBuild = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;

[[noreturn]] void fail(const char* what) {
    ERR_clear_error();
    throw Error(ErrorCode::internal, std::string("cryptographic operation failed: ") + what);
}

// The curve, built once; OpenSSL only reads it afterwards, so threads share it.
const EC_GROUP* curve() {
    static const std::unique_ptr<EC_GROUP, Deleter<EC_GROUP, EC_GROUP_free>> group(
        EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
    if (!group) fail("P-256 group");
    return group.get();
}

// Parses an encoded point (compressed or uncompressed) and checks that it is on the curve and not infinity.
Point parse_point(std::span<const std::uint8_t> bytes) {
    Point point(EC_POINT_new(curve()));
    if (!point) fail("P-256 point");
    if (EC_POINT_oct2point(curve(), point.get(), bytes.data(), bytes.size(), nullptr) != 1 ||
        EC_POINT_is_at_infinity(curve(), point.get()) == 1) {
        ERR_clear_error();
        return nullptr;
    }
    return point;
}

template <std::size_t N>
std::array<std::uint8_t, N> encode_point(const EC_POINT* point, point_conversion_form_t form) {
    std::array<std::uint8_t, N> out{};
    if (EC_POINT_point2oct(curve(), point, form, out.data(), out.size(), nullptr) != N) fail("P-256 encoding");
    return out;
}

// An EVP_PKEY from an uncompressed public point and, for a key pair, the private scalar.
Pkey make_pkey(const std::array<std::uint8_t, 65>& public_point, const BIGNUM* scalar) {
    ParamBuild build(OSSL_PARAM_BLD_new());
    if (!build || OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, group_name, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, public_point.data(),
                                         public_point.size()) != 1 ||
        (scalar != nullptr && OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_PRIV_KEY, scalar) != 1)) {
        fail("P-256 key parameters");
    }
    Params params(OSSL_PARAM_BLD_to_param(build.get()));
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* raw = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, scalar != nullptr ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params.get()) !=
            1) {
        fail("P-256 key import");
    }
    return Pkey(raw);
}

SecretBn scalar_of(std::span<const std::uint8_t> bytes) {
    if (bytes.size() != 32) return nullptr;
    SecretBn d(BN_secure_new());
    if (!d || BN_bin2bn(bytes.data(), 32, d.get()) == nullptr) fail("P-256 scalar");
    if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(curve())) >= 0) return nullptr;
    return d;
}

}  // namespace

std::optional<P256Affine> p256_decompress(std::span<const std::uint8_t> point) {
    if (point.size() != 33 || (point[0] != 0x02 && point[0] != 0x03)) return std::nullopt;
    const Point parsed = parse_point(point);
    if (!parsed) return std::nullopt;
    const auto uncompressed = encode_point<65>(parsed.get(), POINT_CONVERSION_UNCOMPRESSED);
    P256Affine out{};
    std::copy(uncompressed.begin() + 1, uncompressed.end(), out.begin());
    return out;
}

std::optional<P256Point> p256_compress(std::span<const std::uint8_t> x, std::span<const std::uint8_t> y) {
    if (x.size() != 32 || y.size() != 32) return std::nullopt;
    std::array<std::uint8_t, 65> uncompressed{0x04};
    std::copy(x.begin(), x.end(), uncompressed.begin() + 1);
    std::copy(y.begin(), y.end(), uncompressed.begin() + 33);
    const Point parsed = parse_point(uncompressed);
    if (!parsed) return std::nullopt;
    return encode_point<33>(parsed.get(), POINT_CONVERSION_COMPRESSED);
}

bool p256_scalar_in_range(KeyView scalar) {
    return scalar_of(scalar.bytes()) != nullptr;
}

struct P256Key::Impl {
    Pkey key;
};

P256Key::P256Key(KeyView scalar) : m_impl(std::make_unique<Impl>()) {
    const SecretBn d = scalar_of(scalar.bytes());
    if (!d) throw Error(ErrorCode::invalid_key, "a P-256 private key must be 1 <= d < n");
    Point public_point(EC_POINT_new(curve()));
    const BnCtx ctx(BN_CTX_secure_new());
    if (!public_point || !ctx || EC_POINT_mul(curve(), public_point.get(), d.get(), nullptr, nullptr, ctx.get()) != 1) {
        fail("P-256 public key");
    }
    m_public = encode_point<33>(public_point.get(), POINT_CONVERSION_COMPRESSED);
    m_impl->key = make_pkey(encode_point<65>(public_point.get(), POINT_CONVERSION_UNCOMPRESSED), d.get());
}

P256Key::~P256Key() = default;

std::optional<memory::SecretBytes> P256Key::agree(std::span<const std::uint8_t> peer) const {
    if (peer.size() != 33 || (peer[0] != 0x02 && peer[0] != 0x03)) return std::nullopt;
    const Point point = parse_point(peer);
    if (!point) return std::nullopt;
    const Pkey peer_key = make_pkey(encode_point<65>(point.get(), POINT_CONVERSION_UNCOMPRESSED), nullptr);
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, m_impl->key.get(), nullptr));
    memory::SecretBytes shared(32);
    std::size_t length = shared.size();
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), peer_key.get()) != 1 ||
        EVP_PKEY_derive(ctx.get(), shared.secret().data(), &length) != 1 || length != 32) {
        fail("P-256 ECDH");
    }
    return shared;
}

}  // namespace ovseal::crypto
