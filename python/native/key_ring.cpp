// SPDX-License-Identifier: Apache-2.0
// The dict the Python package builds (python/ovseal/_ring.py) as the library's KeyRingSources, loaded by the
// library's one key-ring loader (ovseal::load_key_ring, as the CLI's options are): the same folder expansion and
// the same typed errors (an unreadable folder is Error(io)).

#include "key_ring.hpp"

#include "ovseal/key_ring_config.hpp"
#include "ovseal/secret_bytes.hpp"

namespace ovseal::python {
namespace {

template <typename T>
T get_or(const py::dict& ring, const char* name, T fallback) {
    if (!ring.contains(name) || ring[name].is_none()) return fallback;
    return ring[name].cast<T>();
}

std::vector<std::filesystem::path> paths_of(const py::dict& ring, const char* name) {
    const auto texts = get_or<std::vector<std::string>>(ring, name, {});
    return {texts.begin(), texts.end()};
}

}  // namespace

KeyRing key_ring_from(const py::dict& ring) {
    KeyRingSources sources;
    sources.key_files = paths_of(ring, "key_files");
    if (auto file = get_or<std::string>(ring, "passphrase_file", ""); !file.empty()) sources.passphrase_file = file;
    sources.identities = paths_of(ring, "identities");
    sources.tcti = get_or<std::string>(ring, "tcti", "");
    sources.licenses = paths_of(ring, "licenses");
    sources.trust = paths_of(ring, "trust");
    sources.allow_unsigned = get_or<bool>(ring, "allow_unsigned", false);
    if (auto state = get_or<std::string>(ring, "clock_state", ""); !state.empty()) sources.clock_state = state;
    sources.clock_tolerance_seconds = get_or<std::int64_t>(ring, "clock_tolerance", sources.clock_tolerance_seconds);
    KeyRing result = load_key_ring(sources);
    // An inline passphrase comes from the application itself (a key-ring file may not hold one), last.
    if (ring.contains("passphrase") && !ring["passphrase"].is_none()) {
        const auto passphrase = ring["passphrase"].cast<SecretBytes>();  // no std::string copy (secret_caster.hpp)
        if (!passphrase.empty()) result.keys.push_back(Key::from_passphrase(passphrase.secret_text()));
    }
    return result;
}

}  // namespace ovseal::python
