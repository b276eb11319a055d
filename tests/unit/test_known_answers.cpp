// SPDX-License-Identifier: Apache-2.0
// Known-answer tests for every primitive src/crypto wraps (crypto.hpp, p256.hpp), from published vectors:
//   AES-256-GCM    McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 13–16 (the 256-bit-key
//                  cases with 96-bit IVs; 17 and 18 use 64- and 480-bit IVs, which the wrapper's fixed 12-byte
//                  nonce cannot express), plus a tag failure, in-place use and a wiped output on failure
//   HKDF-SHA-256   RFC 5869 appendix A, test cases 1–3
//   HMAC-SHA-256   RFC 4231 §4.2–4.8, test cases 1–7 (case 5 truncated to 128 bits)
//   SHA-256        FIPS 180-2 appendix B (one block, two blocks, one million 'a'), the empty message (NIST CAVS
//                  SHA256ShortMsg, Len = 0), one shot and incremental
//   scrypt         RFC 7914 §12, all four (the N = 2^20 one, 1 GiB and ~3 s, in a test of its own that skips
//                  itself where the memory is not available or OVSEAL_SKIP_LARGE_TESTS=1)
//   X25519         RFC 7748 §5.2 (two vectors, then 1 and 1,000 iterations) and §6.1 (both key pairs and K)
//   Ed25519        RFC 8032 §7.1 tests 1, 2, 3 and 1024 (1023-byte message), and rejected signatures
//   P-256 ECDH     NIST CAVS 14.1 KAS_ECC_CDH_PrimitiveTest, P-256 COUNT 0 and 1 (RFC 5903 §8.1 is in
//                  test_p256.cpp)
// Every vector was checked with Python's `cryptography` package before it was written here. Already elsewhere,
// and not repeated as such: Alice's X25519 public key (test_identities.cpp) and the Ed25519 test 1 public key
// (test_identities.cpp); here they come with the rest of their vectors.

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "crypto/crypto.hpp"
#include "crypto/p256.hpp"
#include "shared_suite.hpp"

namespace {

namespace crypto = ovseal::crypto;
using Bytes = std::vector<std::uint8_t>;
using ovseal_test::from_hex;
using ovseal_test::to_hex;

Bytes text(const std::string& s) {
    return Bytes(s.begin(), s.end());
}
Bytes repeat(std::uint8_t byte, std::size_t n) {
    return Bytes(n, byte);
}
Bytes range(unsigned first, unsigned last) {
    Bytes out;
    for (unsigned b = first; b <= last; ++b) out.push_back(static_cast<std::uint8_t>(b));
    return out;
}
std::string_view as_info(const Bytes& b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// ---------------------------------------------------------------------------------------------------------------
// AES-256-GCM

struct GcmCase {
    const char* name;
    const char* key;
    const char* iv;
    const char* plaintext;
    const char* aad;
    const char* ciphertext;
    const char* tag;
};

constexpr const char* gcm_key_0 = "0000000000000000000000000000000000000000000000000000000000000000";
constexpr const char* gcm_key_f = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
constexpr const char* gcm_iv_f = "cafebabefacedbaddecaf888";

const GcmCase gcm_cases[] = {
    {"test case 13", gcm_key_0, "000000000000000000000000", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {"test case 14", gcm_key_0, "000000000000000000000000", "00000000000000000000000000000000", "",
     "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"},
    {"test case 15", gcm_key_f, gcm_iv_f,
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
     "",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {"test case 16", gcm_key_f, gcm_iv_f,
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
};

TEST(KnownAnswers, Aes256GcmMcGrewViega) {
    for (const auto& c : gcm_cases) {
        SCOPED_TRACE(std::string("AES-256-GCM ") + c.name);
        const Bytes key = from_hex(c.key), iv = from_hex(c.iv), pt = from_hex(c.plaintext), aad = from_hex(c.aad);
        ASSERT_EQ(iv.size(), crypto::gcm_nonce_size);
        const std::span<const std::uint8_t, 12> nonce(iv.data(), 12);
        crypto::Aes256Gcm gcm{crypto::KeyView(key)};
        Bytes ct(pt.size());
        std::array<std::uint8_t, 16> tag{};
        gcm.seal(nonce, aad, pt, ct, tag);
        EXPECT_EQ(to_hex(ct), c.ciphertext);
        EXPECT_EQ(to_hex(tag), c.tag);

        // Opening gives the plaintext back (the same instance again: it is reused for many chunks).
        Bytes back(ct.size(), 0xAA);
        EXPECT_TRUE(gcm.open(nonce, aad, ct, tag, back));
        EXPECT_EQ(to_hex(back), c.plaintext);

        // In place: the wrapper allows the output to be the input.
        Bytes in_place = pt;
        gcm.seal(nonce, aad, in_place, in_place, tag);
        EXPECT_EQ(to_hex(in_place), c.ciphertext);
        EXPECT_TRUE(gcm.open(nonce, aad, in_place, tag, in_place));
        EXPECT_EQ(to_hex(in_place), c.plaintext);

        // Any bit of the tag, the ciphertext, the AAD or the nonce flipped: the tag does not verify, and the
        // output (pre-filled) is wiped, never left holding unauthenticated plaintext.
        const auto refused = [&](const char* what, const Bytes& n, const Bytes& a, const Bytes& x,
                                 const std::array<std::uint8_t, 16>& t) {
            Bytes out(x.size(), 0xAA);
            EXPECT_FALSE(gcm.open(std::span<const std::uint8_t, 12>(n.data(), 12), a, x, t, out)) << what;
            EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](std::uint8_t b) { return b == 0; }))
                << what << ": the output was not wiped";
        };
        for (std::size_t bit : {0, 7, 64, 127}) {
            auto t = tag;
            t[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
            refused("tag bit flipped", iv, aad, ct, t);
        }
        if (!ct.empty()) {
            Bytes x = ct;
            x.back() ^= 0x80;
            refused("ciphertext bit flipped", iv, aad, x, tag);
        }
        if (!aad.empty()) {
            Bytes a = aad;
            a[0] ^= 0x01;
            refused("AAD bit flipped", iv, a, ct, tag);
        }
        Bytes n = iv;
        n[11] ^= 0x01;
        refused("nonce bit flipped", n, aad, ct, tag);
        // Another key.
        Bytes other_key = key;
        other_key[0] ^= 0x01;
        crypto::Aes256Gcm other{crypto::KeyView(other_key)};
        Bytes out(ct.size());
        EXPECT_FALSE(other.open(nonce, aad, ct, tag, out)) << "another key";
    }
}

// ---------------------------------------------------------------------------------------------------------------
// HKDF-SHA-256, RFC 5869 appendix A

TEST(KnownAnswers, HkdfSha256Rfc5869) {
    struct Case {
        const char* name;
        Bytes ikm, salt, info;
        std::size_t length;
        const char* okm;
    };
    const Case cases[] = {
        {"A.1 basic", repeat(0x0b, 22), range(0x00, 0x0c), range(0xf0, 0xf9), 42,
         "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"},
        {"A.2 longer inputs and outputs", range(0x00, 0x4f), range(0x60, 0xaf), range(0xb0, 0xff), 82,
         "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09"
         "da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"},
        // Zero-length salt and info: the salt becomes HashLen zero bytes (the "empty" salt of FORMAT.md §2).
        {"A.3 zero-length salt and info",
         repeat(0x0b, 22),
         {},
         {},
         42,
         "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"},
    };
    for (const auto& c : cases) {
        Bytes okm(c.length);
        crypto::hkdf_sha256(crypto::KeyView(c.ikm), c.salt, as_info(c.info), okm);
        EXPECT_EQ(to_hex(okm), c.okm) << "RFC 5869 " << c.name;
    }
    // Test case 3 again with an explicit salt of 32 zero bytes: the same output (RFC 5869 §2.2).
    Bytes okm(42);
    crypto::hkdf_sha256(crypto::KeyView(repeat(0x0b, 22)), repeat(0x00, 32), "", okm);
    EXPECT_EQ(to_hex(okm), cases[2].okm) << "an empty salt is HashLen zero bytes";
}

// ---------------------------------------------------------------------------------------------------------------
// HMAC-SHA-256, RFC 4231

TEST(KnownAnswers, HmacSha256Rfc4231) {
    struct Case {
        const char* name;
        Bytes key, data;
        const char* mac;  // 64 hex digits, or 32 for the truncated case
    };
    const Case cases[] = {
        {"4.2 test case 1", repeat(0x0b, 20), text("Hi There"),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        {"4.3 test case 2 (a key shorter than the output)", text("Jefe"), text("what do ya want for nothing?"),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        {"4.4 test case 3", repeat(0xaa, 20), repeat(0xdd, 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
        {"4.5 test case 4", range(0x01, 0x19), repeat(0xcd, 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
        {"4.6 test case 5 (truncated to 128 bits)", repeat(0x0c, 20), text("Test With Truncation"),
         "a3b6167473100ee06e0c796c2955552b"},
        {"4.7 test case 6 (a key larger than the block)", repeat(0xaa, 131),
         text("Test Using Larger Than Block-Size Key - Hash Key First"),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
        {"4.8 test case 7 (key and data larger than the block)", repeat(0xaa, 131),
         text("This is a test using a larger than block-size key and a larger than block-size data. The key needs "
              "to be hashed before being used by the HMAC algorithm."),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
    };
    for (const auto& c : cases) {
        const auto mac = crypto::hmac_sha256(crypto::KeyView(c.key), c.data);
        const std::string expected = c.mac;
        EXPECT_EQ(to_hex(mac).substr(0, expected.size()), expected) << "RFC 4231 " << c.name;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// SHA-256

TEST(KnownAnswers, Sha256Fips180) {
    const std::string million_a(1'000'000, 'a');
    const std::vector<std::pair<std::string, std::pair<Bytes, const char*>>> cases = {
        {"the empty message (NIST CAVS SHA256ShortMsg, Len = 0)",
         {{}, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}},
        {"FIPS 180-2 B.1 \"abc\"", {text("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}},
        {"FIPS 180-2 B.2 448 bits, two blocks",
         {text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"}},
        {"FIPS 180-2 B.3 one million 'a'",
         {text(million_a), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"}},
    };
    for (const auto& [name, c] : cases) {
        const auto& [message, digest] = c;
        EXPECT_EQ(to_hex(crypto::sha256(message)), digest) << name << " (one shot)";
        // Incremental, in pieces of uneven sizes that straddle the 64-byte blocks (and one empty update).
        crypto::Sha256 h;
        std::size_t at = 0;
        h.update({});
        for (std::size_t piece = 1; at < message.size(); piece = piece * 3 % 1000 + 1) {
            const std::size_t n = std::min(piece, message.size() - at);
            h.update(std::span(message).subspan(at, n));
            at += n;
        }
        EXPECT_EQ(to_hex(h.finish()), digest) << name << " (incremental)";
    }
}

// ---------------------------------------------------------------------------------------------------------------
// scrypt, RFC 7914 §12

using ovseal_test::mem_available;

void expect_scrypt(const char* password, const char* salt, unsigned log2_n, unsigned r, unsigned p, const char* dk) {
    Bytes out(64);
    crypto::scrypt(crypto::KeyView(text(password)), text(salt), log2_n, r, p, out);
    EXPECT_EQ(to_hex(out), dk) << "RFC 7914 §12, P=\"" << password << "\", S=\"" << salt << "\", N=2^" << log2_n
                               << ", r=" << r << ", p=" << p;
}

TEST(KnownAnswers, ScryptRfc7914) {
    expect_scrypt("", "", 4, 1, 1,
                  "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
                  "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906");
    expect_scrypt("password", "NaCl", 10, 8, 16,
                  "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
                  "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640");
    expect_scrypt("pleaseletmein", "SodiumChloride", 14, 8, 1,
                  "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2"
                  "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887");
}

// N = 2^20, r = 8, p = 1: the largest work factor a passphrase stanza may ask for (FORMAT.md §7.2). It needs
// 1 GiB and about 3 s on the 2-core test machine.
TEST(KnownAnswers, ScryptRfc7914LargestN) {
    const char* skip = std::getenv("OVSEAL_SKIP_LARGE_TESTS");
    if (skip != nullptr && std::string(skip) == "1") GTEST_SKIP() << "OVSEAL_SKIP_LARGE_TESTS=1";
    if (mem_available() < (std::uint64_t{3} << 29)) {
        GTEST_SKIP() << "needs 1.5 GiB of available memory; has " << (mem_available() >> 20) << " MiB";
    }
    expect_scrypt("pleaseletmein", "SodiumChloride", 20, 8, 1,
                  "2101cb9b6a511aaeaddbbe09cf70f881ec568d574a2ffd4dabe5ee9820adaa47"
                  "8e56fd8f4ba5d09ffa1c6d927c40f4c337304049e8a952fbcbf45c6fa77a41a4");
}

// ---------------------------------------------------------------------------------------------------------------
// X25519, RFC 7748

TEST(KnownAnswers, X25519Rfc7748Section52) {
    // The second vector's u has its top bit set: it must be masked (§5).
    const std::vector<std::array<const char*, 3>> vectors = {
        {"a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
         "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
         "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
        {"4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
         "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
         "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"},
    };
    for (const auto& [scalar, u, out] : vectors) {
        EXPECT_EQ(to_hex(crypto::x25519_shared(crypto::KeyView(from_hex(scalar)), from_hex(u)).secret()), out)
            << "scalar " << scalar;
        EXPECT_EQ(to_hex(crypto::X25519Key{crypto::KeyView(from_hex(scalar))}.agree(from_hex(u)).secret()), out)
            << "X25519Key";
    }
    // Iterated: k = u = 9; then k, u = X25519(k, u), k. After 1 and after 1,000 iterations. (The 1,000,000
    // iteration result is left out: about a minute.)
    Bytes k(32, 0), u(32, 0);
    k[0] = u[0] = 9;
    for (int i = 1; i <= 1000; ++i) {
        const auto next = crypto::x25519_shared(crypto::KeyView(k), u);
        u = k;
        k.assign(next.secret().begin(), next.secret().end());
        if (i == 1) {
            EXPECT_EQ(to_hex(k), "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
        }
    }
    EXPECT_EQ(to_hex(k), "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
}

TEST(KnownAnswers, X25519Rfc7748Section61) {
    const Bytes alice = from_hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    const Bytes bob = from_hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    const auto alice_public = crypto::x25519_public_key(crypto::KeyView(alice));
    const auto bob_public = crypto::x25519_public_key(crypto::KeyView(bob));
    EXPECT_EQ(to_hex(alice_public), "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    EXPECT_EQ(to_hex(bob_public), "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    const std::string k = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
    EXPECT_EQ(to_hex(crypto::x25519_shared(crypto::KeyView(alice), bob_public).secret()), k);
    EXPECT_EQ(to_hex(crypto::x25519_shared(crypto::KeyView(bob), alice_public).secret()), k);
    const crypto::X25519Key alice_key{crypto::KeyView(alice)};
    EXPECT_EQ(to_hex(alice_key.public_key()), to_hex(alice_public));
    EXPECT_EQ(to_hex(alice_key.agree(bob_public).secret()), k);
    // §6.1's all-zero check: a low-order peer (u = 0, u = 1) gives the all-zero value that callers reject.
    for (const Bytes& low :
         {Bytes(32, 0), from_hex("0100000000000000000000000000000000000000000000000000000000000000")}) {
        const auto shared = crypto::x25519_shared(crypto::KeyView(alice), low);
        EXPECT_EQ(to_hex(shared.secret()), std::string(64, '0')) << "peer " << to_hex(low);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Ed25519, RFC 8032 §7.1

// TEST 1024's 1023-byte message.
constexpr const char* rfc8032_message_1023 =
    "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f54e9f77b1"
    "e355f6c50544e23fb1433ddf73be84d879de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d"
    "658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc1a858efcb8550ee3a5e1998bd177e93a"
    "7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e"
    "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd75499da96bd68a8a97b928a8bbc10"
    "3b6621fcde2beca1231d206be6cd9ec7aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1"
    "85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2d17ba70eb6248e594e1a2297acbbb39d"
    "502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270"
    "88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d9089b"
    "eccf80cfe2df16a2cf65bd92dd597b0707e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba"
    "b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51addd3b75a2b1ae0784504df543af8969b"
    "e3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7"
    "51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f58c30c04aafdb038dda0847dd988d"
    "cda6f3bfd15c4b4c4525004aa06eeff8ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df"
    "f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08d78ff4ef5d63653a65040cf9bfd4aca7"
    "984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4"
    "88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac09"
    "43bf6686b64b2579376504ccc493d97e6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f"
    "b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b50d334ba77c225bc307ba537152f3f161"
    "0e4eafe595f6d9d90d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d"
    "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef68d3a101e8a3b8ca"
    "c60c905c15fc910840b94c00a0b9d0";

struct Ed25519Case {
    const char* name;
    const char* secret;
    const char* public_key;
    const char* message;
    const char* signature;
};

const Ed25519Case ed25519_cases[] = {
    {"TEST 1 (empty message)", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"TEST 2 (one byte)", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"TEST 3 (two bytes)", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
     "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
    {"TEST 1024 (1023 bytes)", "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
     "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e", rfc8032_message_1023,
     "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350"
     "aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03"},
};

// S + L, little-endian (L = 2^252 + 27742317777372353535851937790883648493, the group order): the same point,
// a non-canonical encoding that RFC 8032 §5.1.7 (and FORMAT.md §14) require a verifier to reject.
Bytes plus_group_order(const Bytes& s) {
    const Bytes l = from_hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
    Bytes out(32);
    unsigned carry = 0;
    for (std::size_t i = 0; i < 32; ++i) {
        const unsigned sum = s[i] + l[i] + carry;
        out[i] = static_cast<std::uint8_t>(sum);
        carry = sum >> 8;
    }
    EXPECT_EQ(carry, 0u);
    return out;
}

TEST(KnownAnswers, Ed25519Rfc8032) {
    ASSERT_EQ(from_hex(rfc8032_message_1023).size(), 1023u);
    for (const auto& c : ed25519_cases) {
        SCOPED_TRACE(std::string("RFC 8032 §7.1 ") + c.name);
        const Bytes secret = from_hex(c.secret), message = from_hex(c.message), signature = from_hex(c.signature);
        const Bytes public_key = from_hex(c.public_key);
        EXPECT_EQ(to_hex(crypto::ed25519_public_key(crypto::KeyView(secret))), c.public_key);
        EXPECT_EQ(to_hex(crypto::ed25519_sign(crypto::KeyView(secret), message)), c.signature);
        EXPECT_EQ(to_hex(crypto::Ed25519Signer{crypto::KeyView(secret)}.sign(message)), c.signature) << "Ed25519Signer";
        EXPECT_TRUE(crypto::ed25519_verify(public_key, message, signature));

        // Rejected: any flipped bit of the signature (in R, in S, the top bit of S), another message, another
        // key, S + L, and signatures or keys of the wrong length.
        for (std::size_t bit : {0, 100, 255, 256, 300, 511}) {
            Bytes bad = signature;
            bad[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
            EXPECT_FALSE(crypto::ed25519_verify(public_key, message, bad)) << "signature bit " << bit << " flipped";
        }
        Bytes other_message = message;
        other_message.push_back(0);
        EXPECT_FALSE(crypto::ed25519_verify(public_key, other_message, signature)) << "a byte appended";
        if (!message.empty()) {
            other_message = message;
            other_message[0] ^= 0x01;
            EXPECT_FALSE(crypto::ed25519_verify(public_key, other_message, signature)) << "a message bit flipped";
        }
        Bytes other_key = public_key;
        other_key[5] ^= 0x20;
        EXPECT_FALSE(crypto::ed25519_verify(other_key, message, signature)) << "another public key";
        Bytes noncanonical(signature.begin(), signature.begin() + 32);
        const Bytes s_plus_l = plus_group_order(Bytes(signature.begin() + 32, signature.end()));
        noncanonical.insert(noncanonical.end(), s_plus_l.begin(), s_plus_l.end());
        EXPECT_FALSE(crypto::ed25519_verify(public_key, message, noncanonical)) << "S + L (non-canonical S)";
        EXPECT_FALSE(crypto::ed25519_verify(public_key, message, std::span(signature).first(63))) << "63 bytes";
        EXPECT_FALSE(crypto::ed25519_verify(std::span(public_key).first(31), message, signature)) << "31-byte key";
    }
}

// ---------------------------------------------------------------------------------------------------------------
// P-256 ECDH, NIST CAVS 14.1 ECC CDH primitive (SP 800-56A), KAS_ECC_CDH_PrimitiveTest.txt [P-256]

TEST(KnownAnswers, P256EcdhNistCavs) {
    struct Case {
        const char* name;
        const char* qcavs_x;
        const char* qcavs_y;
        const char* d_iut;
        const char* qiut_x;
        const char* qiut_y;
        const char* z_iut;
    };
    const Case cases[] = {
        {"COUNT = 0", "700c48f77f56584c5cc632ca65640db91b6bacce3a4df6b42ce7cc838833d287",
         "db71e509e3fd9b060ddb20ba5c51dcc5948d46fbf640dfe0441782cab85fa4ac",
         "7d7dc5f71eb29ddaf80d6214632eeae03d9058af1fb6d22ed80badb62bc1a534",
         "ead218590119e8876b29146ff89ca61770c4edbbf97d38ce385ed281d8a6b230",
         "28af61281fd35e2fa7002523acc85a429cb06ee6648325389f59edfce1405141",
         "46fc62106420ff012e54a434fbdd2d25ccc5852060561e68040dd7778997bd7b"},
        {"COUNT = 1", "809f04289c64348c01515eb03d5ce7ac1a8cb9498f5caa50197e58d43a86a7ae",
         "b29d84e811197f25eba8f5194092cb6ff440e26d4421011372461f579271cda3",
         "38f65d6dce47676044d58ce5139582d568f64bb16098d179dbab07741dd5caf5",
         "119f2f047902782ab0c9e27a54aff5eb9b964829ca99c06b02ddba95b0a3f6d0",
         "8f52b726664cac366fc98ac7a012b2682cbd962e5acb544671d41b9445704d1d",
         "057d636096cb80b67a8c038c890e887d1adfa4195e9b3ce241c8a778c59cda67"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(std::string("NIST CAVS P-256 ") + c.name);
        // The wrapper speaks compressed points (FORMAT.md §7.5): compress the published affine coordinates.
        const auto qcavs = crypto::p256_compress(from_hex(c.qcavs_x), from_hex(c.qcavs_y));
        const auto qiut = crypto::p256_compress(from_hex(c.qiut_x), from_hex(c.qiut_y));
        ASSERT_TRUE(qcavs && qiut) << "a published point is not on the curve according to p256_compress";
        EXPECT_EQ(to_hex(*qcavs).substr(2), c.qcavs_x);
        const auto qcavs_affine = crypto::p256_decompress(*qcavs);
        ASSERT_TRUE(qcavs_affine);
        EXPECT_EQ(to_hex(*qcavs_affine), std::string(c.qcavs_x) + c.qcavs_y);

        const crypto::P256Key iut{crypto::KeyView(from_hex(c.d_iut))};
        EXPECT_EQ(to_hex(iut.public_key()), to_hex(*qiut)) << "QIUT = dIUT * G";
        const auto z = iut.agree(*qcavs);
        ASSERT_TRUE(z);
        EXPECT_EQ(to_hex(z->secret()), c.z_iut) << "ZIUT";

        // The peer's x with the other y (02 <-> 03) is -QCAVS: the same x-coordinate of the product.
        auto negated = *qcavs;
        negated[0] ^= 0x01;
        const auto z_negated = iut.agree(negated);
        ASSERT_TRUE(z_negated);
        EXPECT_EQ(to_hex(z_negated->secret()), c.z_iut) << "x(d * -Q) = x(d * Q)";
        // An x that is not the x-coordinate of a point on the curve (about half of them are not) is refused.
        std::size_t off_curve = 0;
        for (int bit = 0; bit < 8; ++bit) {
            auto off = *qcavs;
            off[32] ^= static_cast<std::uint8_t>(1u << bit);
            if (crypto::p256_decompress(off)) continue;
            ++off_curve;
            EXPECT_FALSE(iut.agree(off)) << "an x off the curve was accepted (last byte ^ " << (1 << bit) << ")";
        }
        EXPECT_GT(off_curve, 0u);
    }
}

}  // namespace
