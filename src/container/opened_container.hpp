// SPDX-License-Identifier: Apache-2.0
#pragma once

// Opening a sealed file (docs/FORMAT.md §9, §12.3, §13.3): trust and licenses are checked before any key is
// used, the header is authenticated, then entries are decrypted (and, for signed files under a trust list, every
// chunk hashed and the signature verified) before anything is released. A device needs nothing else: this does
// not depend on the sealing code.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "container/file_reader.hpp"
#include "crypto/crypto.hpp"
#include "format/header.hpp"
#include "format/layout.hpp"
#include "memory/secret_bytes.hpp"
#include "ovseal/identity.hpp"
#include "ovseal/key.hpp"

namespace ovseal::container {

class PayloadDigest;
class Progress;

/// Steps 1 and 2 of §9 plus the unverified parse of the body and trailer, for `inspect` (no key).
struct UnverifiedHeader {
    format::Preamble preamble;
    std::vector<format::Stanza> stanzas;
    format::Body body;
    std::optional<format::SignatureRecord> signature;  // present and well formed, not verified
    std::uint64_t file_size = 0;
};
UnverifiedHeader read_unverified_header(const std::filesystem::path& path);

/// The model id (§12.2) of a file, from its stored bytes alone (no key, nothing authenticated).
crypto::Bytes32 compute_model_id(const std::filesystem::path& path, unsigned threads = 0);

/// How the file key was found, for the caller to report.
enum class OpenedBy { key, device, device_unsigned, license };

/// Why a file is opened. Tools that only re-publish a file with the publisher's own keys (re-wrapping, resealing,
/// issuing licenses) skip the license-only rule (§9 step 5a); their trust list only checks the signature.
enum class OpenPurpose { use, republish };

struct EntryOutput {
    std::size_t index;
    std::span<std::uint8_t> out;  // exactly the entry's size
};

class OpenedContainer {
public:
    /// Steps 1–6 of §9 under the key ring's policy.
    static OpenedContainer open(const std::filesystem::path& path, const KeyRing& ring,
                                OpenPurpose purpose = OpenPurpose::use);
    static OpenedContainer open(const std::filesystem::path& path, std::span<const Key> keys);

    const format::Preamble& preamble() const noexcept { return m_preamble; }
    const std::vector<format::Stanza>& stanzas() const noexcept { return m_stanzas; }
    const format::Body& body() const noexcept { return m_body; }
    const std::vector<format::Entry>& entries() const noexcept { return m_body.entries; }
    const format::Layout& layout() const noexcept { return m_layout; }
    std::uint64_t file_size() const noexcept { return m_file.size(); }
    const std::optional<format::SignatureRecord>& signature() const noexcept { return m_signature; }
    /// True when decrypting verifies the publisher signature (a trust list was given).
    bool checks_signature() const noexcept { return m_trusted_signer.has_value(); }
    /// The trailer's bytes as read once at opening (empty for an unsigned file).
    const std::vector<std::uint8_t>& raw_trailer() const noexcept { return m_trailer; }
    OpenedBy opened_by() const noexcept { return m_opened_by; }
    /// The index in the key ring of the device identity that opened the file (its stanza or license), if one did.
    std::optional<std::size_t> opened_identity() const noexcept { return m_opened_identity; }
    /// The header exactly as stored.
    const std::vector<std::uint8_t>& raw_header() const noexcept { return m_header; }
    /// Reads stored (encrypted) bytes of the file, for copying it.
    void read_stored(std::uint64_t offset, std::span<std::uint8_t> out) const { m_file.read_at(offset, out); }
    /// The file key, for re-wrapping and licensing. Reaching it takes secret_access() (ovseal/secret_access.hpp).
    std::span<const std::uint8_t> file_key(SecretAccess) const noexcept { return m_file_key.secret(); }

    /// Decrypts the requested entries in one pass over the file, authenticating every chunk it decrypts; with
    /// `authenticate_all`, the other entries' chunks too. For a file opened under a trust list, every chunk is
    /// hashed and the signature verified before returning. On any failure every output is wiped.
    void decrypt_entries(std::span<const EntryOutput> outputs, bool authenticate_all, unsigned threads = 0) const;
    void decrypt_entry(std::size_t index, std::span<std::uint8_t> out, unsigned threads = 0) const;
    /// Authenticates every chunk (and the signature, under a trust list) without keeping any plaintext.
    void verify_payload(unsigned threads = 0) const;
    /// Hands every stored chunk and then the trailer to `sink`, in file order, each exactly as read once and only
    /// after that copy authenticated (and, under a trust list, the signature verified before the trailer is
    /// given): for copying a file under a new header without ever copying bytes that were not checked.
    void copy_authenticated_payload(const std::function<void(std::span<const std::uint8_t>)>& sink) const;
    /// Hashes every stored chunk and returns the model id (§12.2).
    crypto::Bytes32 compute_model_id(unsigned threads = 0) const;

private:
    OpenedContainer(FileReader file, std::vector<std::uint8_t> header);
    void verify_trusted_signature(const PayloadDigest& digest) const;
    void process_chunks(std::size_t entry, std::uint8_t* out, bool decrypt, PayloadDigest* digest, Progress* progress,
                        unsigned threads) const;

    FileReader m_file;
    std::vector<std::uint8_t> m_header;  // the raw header: the signed message uses its body bytes as stored
    format::Preamble m_preamble;
    std::vector<format::Stanza> m_stanzas;
    format::Body m_body;
    format::Layout m_layout;
    std::vector<std::uint8_t> m_trailer;
    std::optional<format::SignatureRecord> m_signature;
    std::optional<PublisherPublicKey> m_trusted_signer;  // set when a trust list requires a signature
    OpenedBy m_opened_by = OpenedBy::key;
    std::optional<std::size_t> m_opened_identity;
    memory::SecretBytes m_file_key;
    memory::SecretBytes m_payload_key;
};

}  // namespace ovseal::container
