// SPDX-License-Identifier: Apache-2.0
// A compiled-model cache entry (docs/FORMAT.md §16.6), opened as ovseal::compile_model opens one: with the key
// derived from the key_file_success vector's file key and the binding of the cache vectors (OpenVINO
// "2026.4.1-vector", device CPU, their options). Seeds are tests/vectors/cache_entry_*.ovseal (scripts/fuzz.sh
// copies them). Each input is opened as it is, and again made authentic where the cache key opens its first
// stanza (commitment and header MAC recomputed), so mutated records reach the binding and entry checks.
// Invariants: every failure is one §9 or §16.6 names; an entry that opens is bound to exactly the expected
// binding and holds exactly one compiled model, whose every chunk authenticates or is payload_auth_failed.

#include "cache/cache_entry.hpp"
#include "container/file_keys.hpp"
#include "keys/stanzas.hpp"
#include "sealed_common.hpp"

using namespace ovseal;
using namespace ovseal::fuzz;

namespace {

struct CacheFixture {
    std::vector<std::uint8_t> binding;
    std::optional<Key> key;

    CacheFixture() {
        const Key model_key = Key::from_bytes(from_hex(vector_key_hex));
        const auto model =
            container::OpenedContainer::open(vectors_dir() / "key_file_success.ovseal", std::span(&model_key, 1));
        const std::vector<container::CacheOption> options = {
            {"PERFORMANCE_HINT", "LATENCY", false, {}},
            {"INFERENCE_PRECISION_HINT", "f32", false, {}},
            {"DEVICE_PROPERTIES", {}, true, {{"CPU", {}, true, {{"NUM_STREAMS", "1", false, {}}}}}},
        };
        binding =
            container::cache_binding("2026.4.1-vector", "CPU", container::canonical_options(options),
                                     container::cache_model_ref(model.raw_header(), model.preamble().stanzas_length));
        key = container::cache_entry_key(model.file_key(secret_access()), binding);
    }
};

const CacheFixture& fixture() {
    static const CacheFixture f;
    return f;
}

// Recomputes the commitment and header MAC if the cache key opens one of the entry's stanzas.
void reauthenticate(std::vector<std::uint8_t>& file) {
    try {
        const Bytes bytes(file);
        const auto preamble =
            format::parse_preamble(bytes.first(std::min(bytes.size(), format::preamble_size)), bytes.size());
        const auto stanzas =
            format::parse_stanzas(bytes.subspan(format::preamble_size, preamble.stanzas_length), preamble.stanza_count);
        keys::check_known_stanzas(stanzas);
        for (const auto& stanza : stanzas) {
            const auto file_key = keys::unwrap_file_key(*fixture().key, stanza);
            if (!file_key) continue;
            write_commitment(file, preamble, file_key->secret());
            write_header_mac(file, preamble, file_key->secret());
            return;
        }
    } catch (const Error&) {
        // Not reachable past the stanzas: opening reports why.
    }
}

void open_entry(const std::vector<std::uint8_t>& bytes, const char* what) {
    const auto& f = fixture();
    const auto path = write_scratch("entry.ovcache", bytes);
    std::optional<container::OpenedContainer> entry;
    if (!expect(what, opening_errors, [&] { entry.emplace(container::open_cache_entry(path, *f.key, f.binding)); })) {
        return;
    }
    const auto& stored = entry->body().metadata.cache_binding;
    check(stored && *stored == f.binding, "an opened cache entry is bound to another binding");
    check(entry->entries().size() == 1 && entry->entries()[0].kind == 4, "an opened cache entry's entries");
    check(entry->layout().file_length == entry->file_size(), "an opened cache entry is not as long as its layout");
    const auto size = entry->entries()[0].size;
    if (size <= (std::uint64_t{4} << 20)) {
        std::vector<std::uint8_t> blob(static_cast<std::size_t>(size));
        expect("decrypt the compiled model", {ErrorCode::payload_auth_failed},
               [&] { entry->decrypt_entry(0, blob, 1); });
    } else {
        expect("verify the compiled model", {ErrorCode::payload_auth_failed}, [&] { entry->verify_payload(1); });
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::uint8_t> file(data, data + size);
    open_entry(file, "open_cache_entry");
    reauthenticate(file);
    open_entry(file, "open_cache_entry (re-authenticated)");
    return 0;
}

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
    return mutate_sealed_file(data, size, max_size, seed);
}
