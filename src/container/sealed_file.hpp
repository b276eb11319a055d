#pragma once

// Opening a sealed file (docs/FORMAT.md §9): authenticate the header with a key, then decrypt entries.
// This is everything a device needs; it does not depend on the sealing code.

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "container/file_reader.hpp"
#include "format/header.hpp"
#include "format/layout.hpp"
#include "memory/secret_bytes.hpp"
#include "ovseal/key.hpp"

namespace ovseal::container {

/// Steps 1 and 2 of §9 plus the unverified parse of the body, for `inspect` (no key).
struct UnverifiedHeader {
    format::Preamble preamble;
    std::vector<format::Stanza> stanzas;
    format::Body body;
    std::uint64_t file_size = 0;
};
UnverifiedHeader read_unverified_header(const std::filesystem::path& path);

class SealedFile {
public:
    /// Steps 1–6 of §9: the header is authenticated and the file length checked. Keys are tried in order
    /// against every stanza.
    static SealedFile open(const std::filesystem::path& path, std::span<const Key> keys);

    const format::Preamble& preamble() const noexcept { return m_preamble; }
    const std::vector<format::Stanza>& stanzas() const noexcept { return m_stanzas; }
    const format::Body& body() const noexcept { return m_body; }
    std::uint64_t file_size() const noexcept { return m_file.size(); }
    const std::vector<format::Entry>& entries() const noexcept { return m_body.entries; }
    const format::Layout& layout() const noexcept { return m_layout; }

    /// Decrypts entry `index` into `out` (exactly the entry's size), authenticating every chunk, on
    /// `threads` threads (0: the default). On failure `out` is wiped and payload_auth_failed is thrown.
    void decrypt_entry(std::size_t index, std::span<std::uint8_t> out, unsigned threads = 0) const;

    /// Authenticates every chunk of the payload without keeping any plaintext.
    void verify_payload(unsigned threads = 0) const;

private:
    SealedFile(FileReader file, format::Preamble preamble, std::vector<format::Stanza> stanzas, format::Body body,
               format::Layout layout, memory::SecretBytes payload_key);
    void decrypt_chunks(std::uint64_t first, std::uint64_t count, std::uint64_t entry_size, std::uint8_t* out,
                        const std::string& entry_name, unsigned threads) const;

    FileReader m_file;
    format::Preamble m_preamble;
    std::vector<format::Stanza> m_stanzas;
    format::Body m_body;
    format::Layout m_layout;
    memory::SecretBytes m_payload_key;
};

}  // namespace ovseal::container
