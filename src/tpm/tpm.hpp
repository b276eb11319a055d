// SPDX-License-Identifier: Apache-2.0
#pragma once

// The only place that talks to a TPM 2.0 (through tpm2-tss ESAPI). Objects live under a storage primary key
// that is re-created from the owner hierarchy's seed on every use (the same key on the same TPM, a different
// one on any other), so nothing needs to be provisioned in the TPM and no persistent handle is used. Every
// transient handle and session is flushed before a call returns (an EcdhKey's when it goes), on success and on
// failure.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "memory/secret_bytes.hpp"

namespace ovseal::tpm {

/// PCRs of one bank, e.g. sha256 {0, 7}.
struct PcrBank {
    std::string hash;  // "sha1", "sha256", "sha384" or "sha512"
    std::vector<unsigned> pcrs;
    bool operator==(const PcrBank&) const = default;
};
using PcrSelection = std::vector<PcrBank>;

/// Parses "sha256:0,7" or "sha1:0+sha256:0,7" (the tpm2-tools form); throws Error(usage) on anything else.
PcrSelection parse_pcr_selection(const std::string& text);
std::string to_string(const PcrSelection& pcrs);

/// An object created by the TPM under its storage primary (a sealed secret or a key): its public and private
/// areas as the TPM marshals them (the private area is encrypted by the TPM for itself), the PCRs its
/// policy is bound to (empty: no policy, only this TPM), and the name of the storage primary it was created
/// under (nameAlg || digest of its public area), which every later use checks before anything secret crosses
/// the bus. An empty name (an identity made before it was recorded) is not checked.
struct SealedBlob {
    std::vector<std::uint8_t> public_area;
    std::vector<std::uint8_t> private_area;
    PcrSelection pcrs;
    std::vector<std::uint8_t> primary_name;
};

/// The size of a storage primary's name: nameAlg (SHA-256) and a SHA-256 digest.
constexpr std::size_t primary_name_size = 2 + 32;

/// True if the blob's public and private areas are well-formed TPM structures (checked without a TPM).
bool well_formed(const SealedBlob& blob);

/// The ECC public point (x || y) in a blob's public area, or nothing if it holds no 32-byte ECC point.
std::optional<std::array<std::uint8_t, 64>> ecc_public_point(const SealedBlob& blob);

/// False in a device runtime built with OVSEAL_RUNTIME_TPM=OFF (tpm_absent.cpp): there every call below that
/// needs tpm2-tss throws Error(tpm_unavailable) saying so, and only the PCR selection text works.
bool supported_by_this_build() noexcept;

class Tpm {
public:
    /// Connects through `tcti` ("" for $TPM2TOOLS_TCTI, else $TSS2_TCTI, else /dev/tpmrm0); throws
    /// Error(tpm_unavailable) naming it if that fails.
    explicit Tpm(const std::string& tcti = "");
    ~Tpm();
    Tpm(const Tpm&) = delete;
    Tpm& operator=(const Tpm&) = delete;

    /// Seals `secret` (at most 128 bytes) to this TPM and, if `pcrs` is not empty, to their current values.
    /// The secret reaches the TPM encrypted (a salted session encrypts the command parameter).
    SealedBlob seal(std::span<const std::uint8_t> secret, const PcrSelection& pcrs);
    /// Unseals a blob made by seal() on this TPM; the secret comes back encrypted on the wire.
    memory::SecretBytes unseal(const SealedBlob& blob);

    /// Creates a P-256 key-agreement key inside the TPM (bound to `pcrs` if not empty) whose private part
    /// never leaves it. `public_point` receives x || y.
    SealedBlob create_ecdh_key(const PcrSelection& pcrs, std::array<std::uint8_t, 64>& public_point);
    /// TPM2_ECDH_ZGen: the x-coordinate of d * peer for the key in `blob`; `peer` is x || y and must be on
    /// the curve. The result comes back encrypted on the wire. One agreement; for several, use EcdhKey.
    memory::SecretBytes ecdh(const SealedBlob& blob, std::span<const std::uint8_t> peer);

    /// A key made by create_ecdh_key, loaded once for any number of agreements: the storage primary is
    /// re-created, the key loaded under it and one salted session started when it is made, and the primary
    /// flushed, so that each agreement costs one ECDH_ZGen (plus a PolicyPCR for a PCR-bound key). The key and
    /// the session are flushed when it goes, which must be before its Tpm.
    class EcdhKey;

    /// The TPM's clock: milliseconds the TPM has been powered since it was last cleared. It only moves
    /// forward (TPM2_ClockSet cannot set it back), so elapsed clock time is a lower bound of elapsed real time.
    std::uint64_t read_clock();

    const std::string& tcti() const noexcept { return m_tcti; }

private:
    struct LoadedObject;
    friend class EcdhKey;
    void load(const SealedBlob& blob, const char* what, LoadedObject& loaded);
    static std::string using_pcrs(const char* what, const PcrSelection& pcrs);

    struct Context;
    struct ContextDeleter {
        void operator()(Context* context) const noexcept;
    };
    std::unique_ptr<Context, ContextDeleter> m_context;
    std::string m_tcti;
};

class Tpm::EcdhKey {
public:
    EcdhKey(Tpm& tpm, const SealedBlob& blob);
    ~EcdhKey();
    EcdhKey(const EcdhKey&) = delete;
    EcdhKey& operator=(const EcdhKey&) = delete;

    /// As Tpm::ecdh, with the key loaded here.
    memory::SecretBytes agree(std::span<const std::uint8_t> peer);

private:
    Tpm& m_tpm;
    PcrSelection m_pcrs;
    std::unique_ptr<LoadedObject> m_loaded;
    bool m_policy_ready = false;  // the session has passed the PCR policy since its last use
};

}  // namespace ovseal::tpm
