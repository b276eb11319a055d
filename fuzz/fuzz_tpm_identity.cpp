// SPDX-License-Identifier: Apache-2.0
// The TPM identity file DIR/identity.tpm (docs/FORMAT.md §14.1), read by keys::read_tpm_identity as
// DeviceIdentity::load reads it, before any TPM is asked: the kind line, the PCR selection (tpm2-tools form), the
// TPM2B_PUBLIC and TPM2B_PRIVATE areas in hex, unmarshalled by tpm2-tss (a P-256 identity's public area must hold
// a point on the curve), and the optional fifth line, the storage primary's name. No TPM is involved: what a TPM
// would do with the blob is not fuzzed here. Invariants: only invalid_key; what is read is within bounds (a primary
// name is a SHA-256 name) and survives write_tpm_identity -> read unchanged; the PCR selection prints and parses
// back to itself; a P-256 identity's public key can be taken from the file.

#include "fuzz_support.hpp"
#include "tpm/tpm_identity.hpp"
#include "tpm/tpm.hpp"

using namespace ovseal;
using namespace ovseal::fuzz;
using E = ErrorCode;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto path = write_scratch("identity.tpm", Bytes(data, size));
    keys::TpmIdentityFile file{};
    if (!expect("read_tpm_identity", {E::invalid_key}, [&] { file = keys::read_tpm_identity(path); })) return 0;

    const auto& blob = file.blob;
    check(!blob.public_area.empty() && blob.public_area.size() <= 2048 && !blob.private_area.empty() &&
              blob.private_area.size() <= 2048,
          "read_tpm_identity accepted an area of a bad size");
    check(tpm::well_formed(blob), "read_tpm_identity accepted areas that are not TPM structures");
    check(blob.primary_name.empty() || (blob.primary_name.size() == tpm::primary_name_size &&
                                        blob.primary_name[0] == 0x00 && blob.primary_name[1] == 0x0b),
          "read_tpm_identity accepted a primary name that is not a SHA-256 name");
    for (const auto& bank : blob.pcrs) {
        check(!bank.pcrs.empty(), "read_tpm_identity accepted a PCR bank without PCRs");
        for (const unsigned pcr : bank.pcrs) check(pcr <= 23, "read_tpm_identity accepted a PCR above 23");
    }
    if (!blob.pcrs.empty()) {
        tpm::PcrSelection again;
        expect("parse_pcr_selection of to_string", {},
               [&] { again = tpm::parse_pcr_selection(tpm::to_string(blob.pcrs)); });
        check(again == blob.pcrs, "a PCR selection does not survive to_string -> parse_pcr_selection");
    }
    if (file.kind == keys::TpmIdentityKind::p256) {
        expect("p256_public_key_of", {}, [&] {
            const auto key = keys::p256_public_key_of(blob);
            check(key.type() == DeviceKeyType::p256, "a P-256 identity's public key is not a P-256 key");
        });
    }

    remove_scratch("written.tpm");
    keys::TpmIdentityFile again{};
    expect("write_tpm_identity and read again", {}, [&] {
        keys::write_tpm_identity(scratch_dir() / "written.tpm", file);
        again = keys::read_tpm_identity(scratch_dir() / "written.tpm");
    });
    check(again.kind == file.kind && again.blob.pcrs == blob.pcrs && again.blob.public_area == blob.public_area &&
              again.blob.private_area == blob.private_area && again.blob.primary_name == blob.primary_name,
          "a TPM identity file changed on write -> read");
    return 0;
}
