// SPDX-License-Identifier: Apache-2.0
// Every TPM 2.0 call ovseal makes through ESAPI: sealing, unsealing, ECDH keys and the clock, handles flushed.

#include "tpm/tpm.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_tctildr.h>

#include "memory/locked_region.hpp"
#include "memory/wipe.hpp"
#include "ovseal/error.hpp"
#include "tpm/tpm_error.hpp"

namespace ovseal::tpm {

struct Tpm::Context {
    TSS2_TCTI_CONTEXT* tcti = nullptr;
    ESYS_CONTEXT* esys = nullptr;
};

namespace {

constexpr std::size_t max_sealed_size = 128;  // MAX_SYM_DATA

// Frees what ESAPI allocated for an output parameter.
template <typename T>
struct EsysFree {
    void operator()(T* p) const { Esys_Free(p); }
};
template <typename T>
using EsysPtr = std::unique_ptr<T, EsysFree<T>>;

// A transient object or session, flushed when it goes out of scope.
class Handle {
public:
    explicit Handle(ESYS_CONTEXT* esys) : m_esys(esys) {}
    ~Handle() { flush(); }
    void flush() noexcept {
        if (m_tr != ESYS_TR_NONE) Esys_FlushContext(m_esys, m_tr);
        m_tr = ESYS_TR_NONE;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ESYS_TR* out() noexcept { return &m_tr; }
    ESYS_TR get() const noexcept { return m_tr; }

private:
    ESYS_CONTEXT* m_esys;
    ESYS_TR m_tr = ESYS_TR_NONE;
};

TPMI_ALG_HASH hash_alg(const std::string& name) {
    if (name == "sha1") return TPM2_ALG_SHA1;
    if (name == "sha256") return TPM2_ALG_SHA256;
    if (name == "sha384") return TPM2_ALG_SHA384;
    if (name == "sha512") return TPM2_ALG_SHA512;
    throw Error(ErrorCode::usage, "unknown PCR bank '" + name + "' (use sha1, sha256, sha384 or sha512)");
}

TPML_PCR_SELECTION to_tpm(const PcrSelection& selection) {
    TPML_PCR_SELECTION out{};
    if (selection.size() > TPM2_NUM_PCR_BANKS) throw Error(ErrorCode::usage, "too many PCR banks");
    for (const auto& bank : selection) {
        auto& s = out.pcrSelections[out.count++];
        s.hash = hash_alg(bank.hash);
        s.sizeofSelect = 3;
        for (const unsigned pcr : bank.pcrs) s.pcrSelect[pcr / 8] |= static_cast<std::uint8_t>(1u << (pcr % 8));
    }
    return out;
}

std::string hex(std::span<const std::uint8_t> bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (const std::uint8_t b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

// The storage primary key: the TCG's ECC P-256 SRK template. CreatePrimary derives it from the owner
// hierarchy's seed, so the same template yields the same key on this TPM (until it is cleared) and a
// different one on any other. Returns its name, which ESAPI computes from the public area it received (the
// public key that salts the sessions). If `expected` is not empty and the name differs, the TPM that answers is
// not the one the object was made with, or something between the CPU and the TPM answers in its place: the
// primary is flushed and nothing else is sent.
std::vector<std::uint8_t> create_primary(ESYS_CONTEXT* esys, Handle& primary, const std::string& tcti,
                                         std::span<const std::uint8_t> expected = {}) {
    TPM2B_PUBLIC in_public{};
    auto& area = in_public.publicArea;
    area.type = TPM2_ALG_ECC;
    area.nameAlg = TPM2_ALG_SHA256;
    area.objectAttributes = TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT |
                            TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
                            TPMA_OBJECT_NODA;
    area.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_AES;
    area.parameters.eccDetail.symmetric.keyBits.aes = 128;
    area.parameters.eccDetail.symmetric.mode.aes = TPM2_ALG_CFB;
    area.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
    area.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
    area.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
    area.unique.ecc.x.size = 32;
    area.unique.ecc.y.size = 32;
    const TPM2B_SENSITIVE_CREATE in_sensitive{};
    const TPM2B_DATA outside_info{};
    const TPML_PCR_SELECTION creation_pcr{};
    TPM2B_PUBLIC* out_public = nullptr;
    TPM2B_CREATION_DATA* creation_data = nullptr;
    TPM2B_DIGEST* creation_hash = nullptr;
    TPMT_TK_CREATION* creation_ticket = nullptr;
    const TSS2_RC rc = Esys_CreatePrimary(esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                                          &in_sensitive, &in_public, &outside_info, &creation_pcr, primary.out(),
                                          &out_public, &creation_data, &creation_hash, &creation_ticket);
    Esys_Free(out_public);
    Esys_Free(creation_data);
    Esys_Free(creation_hash);
    Esys_Free(creation_ticket);
    check(rc, "creating the storage primary key under the owner hierarchy", tcti);
    TPM2B_NAME* name = nullptr;
    check(Esys_TR_GetName(esys, primary.get(), &name), "reading the storage primary key's name", tcti);
    const std::vector<std::uint8_t> got(name->name, name->name + name->size);
    Esys_Free(name);
    if (!expected.empty() && !std::equal(got.begin(), got.end(), expected.begin(), expected.end())) {
        primary.flush();
        throw Error(
            ErrorCode::tpm_wrong_device,
            "the TPM's storage primary key (name " + hex(got) +
                ") is not the one this identity was made "
                "under (name " +
                hex(expected) + ", recorded in identity.tpm): '" + tcti +
                "' reaches another "
                "TPM, this TPM was cleared since, or something between the CPU and the TPM answers in its place. "
                "Nothing secret was sent. Check that --tcti (or TPM2TOOLS_TCTI / TSS2_TCTI) names this "
                "machine's TPM and that the TPM was not cleared; `tpm2_createprimary -C o -g sha256 -G "
                "ecc256:aes128cfb` prints the name this TPM gives");
    }
    return got;
}

// A session salted with the primary key (so its session key never crosses the bus in clear) whose
// parameter encryption (AES-128-CFB) covers the secret on the way in (`decrypt`) or out (`encrypt`).
void start_salted_session(ESYS_CONTEXT* esys, const Handle& primary, TPM2_SE type, TPMA_SESSION attributes,
                          Handle& session, const std::string& tcti) {
    TPMT_SYM_DEF symmetric{};
    symmetric.algorithm = TPM2_ALG_AES;
    symmetric.keyBits.aes = 128;
    symmetric.mode.aes = TPM2_ALG_CFB;
    check(Esys_StartAuthSession(esys, primary.get(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, nullptr,
                                type, &symmetric, TPM2_ALG_SHA256, session.out()),
          "starting a salted session", tcti);
    check(Esys_TRSess_SetAttributes(esys, session.get(), attributes | TPMA_SESSION_CONTINUESESSION, 0xFF),
          "setting session attributes", tcti);
}

// The policy digest of "these PCRs hold their current values", computed by the TPM in a trial session.
TPM2B_DIGEST pcr_policy_digest(ESYS_CONTEXT* esys, const TPML_PCR_SELECTION& pcrs, const std::string& tcti) {
    Handle trial(esys);
    TPMT_SYM_DEF none{};
    none.algorithm = TPM2_ALG_NULL;
    check(Esys_StartAuthSession(esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, nullptr,
                                TPM2_SE_TRIAL, &none, TPM2_ALG_SHA256, trial.out()),
          "starting a trial policy session", tcti);
    const TPM2B_DIGEST current_values{};  // empty: the TPM uses the PCRs' current values
    check(Esys_PolicyPCR(esys, trial.get(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &current_values, &pcrs),
          "reading the PCR policy", tcti);
    TPM2B_DIGEST* digest = nullptr;
    check(Esys_PolicyGetDigest(esys, trial.get(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &digest),
          "computing the PCR policy", tcti);
    const TPM2B_DIGEST out = *digest;
    Esys_Free(digest);
    return out;
}

template <typename T, TSS2_RC (*Marshal)(const T*, std::uint8_t*, std::size_t, std::size_t*)>
std::vector<std::uint8_t> marshal(const T& value) {
    std::vector<std::uint8_t> out(sizeof(T));
    std::size_t offset = 0;
    if (Marshal(&value, out.data(), out.size(), &offset) != TSS2_RC_SUCCESS) {
        throw Error(ErrorCode::internal, "cannot marshal a TPM structure");
    }
    out.resize(offset);
    return out;
}

template <typename T, TSS2_RC (*Unmarshal)(const std::uint8_t*, std::size_t, std::size_t*, T*)>
T unmarshal(const std::vector<std::uint8_t>& bytes, const char* what) {
    T value{};
    std::size_t offset = 0;
    if (Unmarshal(bytes.data(), bytes.size(), &offset, &value) != TSS2_RC_SUCCESS || offset != bytes.size()) {
        throw Error(ErrorCode::invalid_key, std::string("the TPM-sealed identity's ") + what + " is malformed");
    }
    return value;
}

// Without PCRs: an empty authorization (only this TPM can use the object). With PCRs: only a policy session
// that has checked their values can.
void bind_to_pcrs(ESYS_CONTEXT* esys, TPMT_PUBLIC& area, const TPML_PCR_SELECTION& pcrs, const std::string& tcti) {
    if (pcrs.count == 0) {
        area.objectAttributes |= TPMA_OBJECT_USERWITHAUTH;
    } else {
        area.authPolicy = pcr_policy_digest(esys, pcrs, tcti);
    }
}

// TPM2_Create under `primary`, authorized by `session`: the new object as a blob bound to `pcrs`.
SealedBlob create_object(ESYS_CONTEXT* esys, const Handle& primary, ESYS_TR session,
                         const TPM2B_SENSITIVE_CREATE& in_sensitive, const TPM2B_PUBLIC& in_public,
                         const PcrSelection& pcrs, const char* what, const std::string& tcti) {
    const TPM2B_DATA outside_info{};
    const TPML_PCR_SELECTION creation_pcr{};
    TPM2B_PRIVATE* out_private = nullptr;
    TPM2B_PUBLIC* out_public = nullptr;
    TPM2B_CREATION_DATA* creation_data = nullptr;
    TPM2B_DIGEST* creation_hash = nullptr;
    TPMT_TK_CREATION* creation_ticket = nullptr;
    const TSS2_RC rc =
        Esys_Create(esys, primary.get(), session, ESYS_TR_NONE, ESYS_TR_NONE, &in_sensitive, &in_public, &outside_info,
                    &creation_pcr, &out_private, &out_public, &creation_data, &creation_hash, &creation_ticket);
    const EsysPtr<TPM2B_PRIVATE> private_area(out_private);
    const EsysPtr<TPM2B_PUBLIC> public_area(out_public);
    Esys_Free(creation_data);
    Esys_Free(creation_hash);
    Esys_Free(creation_ticket);
    check(rc, what, tcti);
    SealedBlob blob;
    blob.public_area = marshal<TPM2B_PUBLIC, Tss2_MU_TPM2B_PUBLIC_Marshal>(*public_area);
    blob.private_area = marshal<TPM2B_PRIVATE, Tss2_MU_TPM2B_PRIVATE_Marshal>(*private_area);
    blob.pcrs = pcrs;
    return blob;
}

// The TCTI used when none is given: $TPM2TOOLS_TCTI, else $TSS2_TCTI, else the kernel's resource manager.
std::string default_tcti() {
    for (const char* name : {"TPM2TOOLS_TCTI", "TSS2_TCTI"}) {
        const char* value = std::getenv(name);
        if (value != nullptr && *value != '\0') return value;
    }
    return "device:/dev/tpmrm0";
}

}  // namespace

bool supported_by_this_build() noexcept {
    return true;
}

bool well_formed(const SealedBlob& blob) {
    TPM2B_PUBLIC public_area{};
    TPM2B_PRIVATE private_area{};
    std::size_t public_end = 0;
    std::size_t private_end = 0;
    return Tss2_MU_TPM2B_PUBLIC_Unmarshal(blob.public_area.data(), blob.public_area.size(), &public_end,
                                          &public_area) == TSS2_RC_SUCCESS &&
           public_end == blob.public_area.size() &&
           Tss2_MU_TPM2B_PRIVATE_Unmarshal(blob.private_area.data(), blob.private_area.size(), &private_end,
                                           &private_area) == TSS2_RC_SUCCESS &&
           private_end == blob.private_area.size();
}

std::optional<std::array<std::uint8_t, 64>> ecc_public_point(const SealedBlob& blob) {
    TPM2B_PUBLIC area{};
    std::size_t offset = 0;
    if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(blob.public_area.data(), blob.public_area.size(), &offset, &area) !=
            TSS2_RC_SUCCESS ||
        offset != blob.public_area.size() || area.publicArea.type != TPM2_ALG_ECC ||
        area.publicArea.parameters.eccDetail.curveID != TPM2_ECC_NIST_P256 || area.publicArea.unique.ecc.x.size != 32 ||
        area.publicArea.unique.ecc.y.size != 32) {
        return std::nullopt;
    }
    std::array<std::uint8_t, 64> point{};
    std::copy_n(area.publicArea.unique.ecc.x.buffer, 32, point.begin());
    std::copy_n(area.publicArea.unique.ecc.y.buffer, 32, point.begin() + 32);
    return point;
}

void Tpm::ContextDeleter::operator()(Context* context) const noexcept {
    if (context->esys != nullptr) Esys_Finalize(&context->esys);
    if (context->tcti != nullptr) Tss2_TctiLdr_Finalize(&context->tcti);
    delete context;
}

Tpm::Tpm(const std::string& tcti) : m_context(new Context), m_tcti(tcti.empty() ? default_tcti() : tcti) {
    // The TSS logs its own errors on stderr; ovseal reports them as one clear error instead. An operator who
    // sets TSS2_LOG still gets the TSS's log.
    ::setenv("TSS2_LOG", "all+NONE", 0);
    check(Tss2_TctiLdr_Initialize(m_tcti.c_str(), &m_context->tcti), "connecting", m_tcti);
    check(Esys_Initialize(&m_context->esys, m_context->tcti, nullptr), "initializing the TSS", m_tcti);
    const TSS2_RC rc = Esys_Startup(m_context->esys, TPM2_SU_CLEAR);
    if (rc != TSS2_RC_SUCCESS && (rc & 0xFFFF) != TPM2_RC_INITIALIZE) check(rc, "starting up the TPM", m_tcti);
}

Tpm::~Tpm() = default;

SealedBlob Tpm::seal(std::span<const std::uint8_t> secret, const PcrSelection& pcrs) {
    if (secret.empty() || secret.size() > max_sealed_size) {
        throw Error(ErrorCode::internal, "a TPM-sealed secret is 1 to 128 bytes");
    }
    ESYS_CONTEXT* esys = m_context->esys;
    const TPML_PCR_SELECTION selection = to_tpm(pcrs);

    TPM2B_PUBLIC in_public{};
    auto& area = in_public.publicArea;
    area.type = TPM2_ALG_KEYEDHASH;
    area.nameAlg = TPM2_ALG_SHA256;
    area.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_NODA;
    area.parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL;
    bind_to_pcrs(esys, area, selection, m_tcti);

    // The secret is built in locked memory and wiped; ESAPI encrypts it in the command (decrypt session).
    memory::LockedRegion sensitive_region(sizeof(TPM2B_SENSITIVE_CREATE));
    auto* in_sensitive = new (sensitive_region.data()) TPM2B_SENSITIVE_CREATE{};
    in_sensitive->sensitive.data.size = static_cast<UINT16>(secret.size());
    std::memcpy(in_sensitive->sensitive.data.buffer, secret.data(), secret.size());

    Handle primary(esys);
    auto primary_name = create_primary(esys, primary, m_tcti);
    Handle session(esys);
    start_salted_session(esys, primary, TPM2_SE_HMAC, TPMA_SESSION_DECRYPT, session, m_tcti);
    auto blob =
        create_object(esys, primary, session.get(), *in_sensitive, in_public, pcrs, "sealing the device key", m_tcti);
    blob.primary_name = std::move(primary_name);
    return blob;
}

// The object in `blob`, loaded under the primary, and an authorization session for it: a policy session that
// has checked the PCRs if the object is bound to them, else an HMAC session. The session is salted and
// encrypts the response's first parameter (the secret or the shared point).
struct Tpm::LoadedObject {
    explicit LoadedObject(ESYS_CONTEXT* esys) : primary(esys), item(esys), session(esys) {}
    Handle primary;
    Handle item;
    Handle session;
};

void Tpm::load(const SealedBlob& blob, const char* what, LoadedObject& loaded) {
    ESYS_CONTEXT* esys = m_context->esys;
    const auto in_public = unmarshal<TPM2B_PUBLIC, Tss2_MU_TPM2B_PUBLIC_Unmarshal>(blob.public_area, "public area");
    const auto in_private =
        unmarshal<TPM2B_PRIVATE, Tss2_MU_TPM2B_PRIVATE_Unmarshal>(blob.private_area, "private area");
    const TPML_PCR_SELECTION selection = to_tpm(blob.pcrs);
    create_primary(esys, loaded.primary, m_tcti, blob.primary_name);
    check(Esys_Load(esys, loaded.primary.get(), ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &in_private, &in_public,
                    loaded.item.out()),
          std::string("loading ") + what, m_tcti);
    start_salted_session(esys, loaded.primary, blob.pcrs.empty() ? TPM2_SE_HMAC : TPM2_SE_POLICY, TPMA_SESSION_ENCRYPT,
                         loaded.session, m_tcti);
    // The loaded key and the salted session no longer need their parent: one object slot, not two, while the
    // key stays loaded (a TPM without a resource manager has about three).
    loaded.primary.flush();
    if (!blob.pcrs.empty()) {
        const TPM2B_DIGEST current_values{};
        check(Esys_PolicyPCR(esys, loaded.session.get(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &current_values,
                             &selection),
              "applying the PCR policy", m_tcti);
    }
}

std::string Tpm::using_pcrs(const char* what, const PcrSelection& pcrs) {
    return std::string(what) + " (PCRs " + (pcrs.empty() ? std::string("none") : to_string(pcrs)) + ")";
}

memory::SecretBytes Tpm::unseal(const SealedBlob& blob) {
    LoadedObject loaded(m_context->esys);
    load(blob, "the sealed device key", loaded);
    TPM2B_SENSITIVE_DATA* out = nullptr;
    check(Esys_Unseal(m_context->esys, loaded.item.get(), loaded.session.get(), ESYS_TR_NONE, ESYS_TR_NONE, &out),
          using_pcrs("unsealing the device key", blob.pcrs), m_tcti);
    auto secret = memory::SecretBytes::copy_of(std::span<const std::uint8_t>(out->buffer, out->size));
    memory::wipe(out->buffer, sizeof out->buffer);
    Esys_Free(out);
    return secret;
}

SealedBlob Tpm::create_ecdh_key(const PcrSelection& pcrs, std::array<std::uint8_t, 64>& public_point) {
    ESYS_CONTEXT* esys = m_context->esys;
    const TPML_PCR_SELECTION selection = to_tpm(pcrs);
    TPM2B_PUBLIC in_public{};
    auto& area = in_public.publicArea;
    area.type = TPM2_ALG_ECC;
    area.nameAlg = TPM2_ALG_SHA256;
    // A plain (unrestricted) decryption key: usable for ECDH_ZGen and nothing else, generated inside the TPM.
    area.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
                            TPMA_OBJECT_DECRYPT | TPMA_OBJECT_NODA;
    area.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
    area.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
    area.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
    area.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
    bind_to_pcrs(esys, area, selection, m_tcti);
    const TPM2B_SENSITIVE_CREATE in_sensitive{};
    Handle primary(esys);
    auto primary_name = create_primary(esys, primary, m_tcti);
    auto blob = create_object(esys, primary, ESYS_TR_PASSWORD, in_sensitive, in_public, pcrs,
                              "creating the device key in the TPM", m_tcti);
    blob.primary_name = std::move(primary_name);
    const auto point = ecc_public_point(blob);
    if (!point) throw Error(ErrorCode::tpm_failed, "the TPM returned a P-256 public key of the wrong size");
    public_point = *point;
    return blob;
}

memory::SecretBytes Tpm::ecdh(const SealedBlob& blob, std::span<const std::uint8_t> peer) {
    return EcdhKey(*this, blob).agree(peer);
}

Tpm::EcdhKey::EcdhKey(Tpm& tpm, const SealedBlob& blob)
    : m_tpm(tpm), m_pcrs(blob.pcrs), m_loaded(std::make_unique<LoadedObject>(tpm.m_context->esys)) {
    tpm.load(blob, "the device key", *m_loaded);
    m_policy_ready = true;
}

Tpm::EcdhKey::~EcdhKey() = default;

memory::SecretBytes Tpm::EcdhKey::agree(std::span<const std::uint8_t> peer) {
    if (peer.size() != 64) throw Error(ErrorCode::internal, "a P-256 point is x || y, 64 bytes");
    ESYS_CONTEXT* esys = m_tpm.m_context->esys;
    if (!m_pcrs.empty() && !m_policy_ready) {
        // A policy session is reset by each use it authorizes: the PCRs are checked again for every agreement.
        const TPML_PCR_SELECTION selection = to_tpm(m_pcrs);
        const TPM2B_DIGEST current_values{};
        check(Esys_PolicyPCR(esys, m_loaded->session.get(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &current_values,
                             &selection),
              "applying the PCR policy", m_tpm.m_tcti);
    }
    m_policy_ready = false;
    TPM2B_ECC_POINT in_point{};
    in_point.point.x.size = 32;
    in_point.point.y.size = 32;
    std::copy_n(peer.begin(), 32, in_point.point.x.buffer);
    std::copy_n(peer.begin() + 32, 32, in_point.point.y.buffer);
    TPM2B_ECC_POINT* out = nullptr;
    check(Esys_ECDH_ZGen(esys, m_loaded->item.get(), m_loaded->session.get(), ESYS_TR_NONE, ESYS_TR_NONE, &in_point,
                         &out),
          using_pcrs("using the device key", m_pcrs), m_tpm.m_tcti);
    const EsysPtr<TPM2B_ECC_POINT> owned(out);
    if (out->point.x.size != 32) {
        throw Error(ErrorCode::tpm_failed, "the TPM returned a shared point of the wrong size");
    }
    auto shared = memory::SecretBytes::copy_of(std::span<const std::uint8_t>(out->point.x.buffer, 32));
    memory::wipe(&out->point, sizeof out->point);
    return shared;
}

std::uint64_t Tpm::read_clock() {
    TPMS_TIME_INFO* info = nullptr;
    check(Esys_ReadClock(m_context->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &info), "reading the TPM clock",
          m_tcti);
    const std::uint64_t clock = info->clockInfo.clock;
    Esys_Free(info);
    return clock;
}

}  // namespace ovseal::tpm
