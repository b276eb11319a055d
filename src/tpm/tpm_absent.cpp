// SPDX-License-Identifier: Apache-2.0
// The TPM in a device runtime built with OVSEAL_RUNTIME_TPM=OFF, which links no tpm2-tss: every use of a TPM
// (a TPM-held identity, a TPM-anchored clock state) fails closed with Error(tpm_unavailable) saying why, where
// a build with the TPM (tpm.cpp) would talk to one.

#include <string>

#include "ovseal/error.hpp"
#include "tpm/tpm.hpp"

namespace ovseal::tpm {
namespace {

[[noreturn]] void built_without_tpm(const std::string& what) {
    throw Error(ErrorCode::tpm_unavailable,
                what +
                    " needs a TPM, and this ovseal runtime was built without TPM support (OVSEAL_RUNTIME_TPM=OFF): "
                    "link an ovseal runtime built with it, or give this device a file identity");
}

}  // namespace

struct Tpm::Context {};
struct Tpm::LoadedObject {};

bool supported_by_this_build() noexcept {
    return false;
}

bool well_formed(const SealedBlob&) {
    built_without_tpm("reading a TPM object");
}

std::optional<std::array<std::uint8_t, 64>> ecc_public_point(const SealedBlob&) {
    built_without_tpm("reading a TPM key");
}

void Tpm::ContextDeleter::operator()(Context* context) const noexcept {
    delete context;
}

Tpm::Tpm(const std::string& tcti) : m_tcti(tcti) {
    built_without_tpm("connecting to a TPM");
}

Tpm::~Tpm() = default;

// No Tpm can be made in this build, so nothing below is reachable; each says so all the same.
SealedBlob Tpm::seal(std::span<const std::uint8_t>, const PcrSelection&) {
    built_without_tpm("sealing");
}

memory::SecretBytes Tpm::unseal(const SealedBlob&) {
    built_without_tpm("unsealing");
}

SealedBlob Tpm::create_ecdh_key(const PcrSelection&, std::array<std::uint8_t, 64>&) {
    built_without_tpm("creating a TPM key");
}

memory::SecretBytes Tpm::ecdh(const SealedBlob&, std::span<const std::uint8_t>) {
    built_without_tpm("a key agreement");
}

std::uint64_t Tpm::read_clock() {
    built_without_tpm("reading the TPM clock");
}

Tpm::EcdhKey::EcdhKey(Tpm& tpm, const SealedBlob&) : m_tpm(tpm) {
    built_without_tpm("loading a TPM key");
}

Tpm::EcdhKey::~EcdhKey() = default;

memory::SecretBytes Tpm::EcdhKey::agree(std::span<const std::uint8_t>) {
    built_without_tpm("a key agreement");
}

}  // namespace ovseal::tpm
