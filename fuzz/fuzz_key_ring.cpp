// SPDX-License-Identifier: Apache-2.0
// Key-ring JSON (README, "Unmodified OpenVINO applications"): the parser alone (keys/key_ring_config.hpp), with
// the input read as a key-ring file and as JSON an application hands over in memory. Invariants: only usage (and
// invalid_key for an empty inline passphrase); a file never yields a passphrase; what parses, written back as
// JSON, parses again to the same sources.

#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "keys/key_ring_config.hpp"

using namespace ovseal;
using namespace ovseal::fuzz;
using E = ErrorCode;
using keys::KeyRingOrigin;

namespace {

nlohmann::json strings(const std::vector<std::filesystem::path>& paths) {
    auto out = nlohmann::json::array();
    for (const auto& p : paths) out.push_back(p.string());
    return out;
}

// The sources as version-1 JSON (paths are absolute by now, so the base folder no longer matters).
std::string to_json(const KeyRingSources& s) {
    nlohmann::json j = {{"version", 1},
                        {"key_files", strings(s.key_files)},
                        {"identities", strings(s.identities)},
                        {"licenses", strings(s.licenses)},
                        {"trust", strings(s.trust)},
                        {"allow_unsigned", s.allow_unsigned},
                        {"clock_tolerance", s.clock_tolerance_seconds}};
    if (s.passphrase_file) j["passphrase_file"] = s.passphrase_file->string();
    if (!s.tcti.empty()) j["tcti"] = s.tcti;
    if (s.clock_state) j["clock_state"] = s.clock_state->string();
    return j.dump();
}

bool same(const KeyRingSources& a, const KeyRingSources& b) {
    return a.key_files == b.key_files && a.passphrase_file == b.passphrase_file && a.identities == b.identities &&
           a.tcti == b.tcti && a.licenses == b.licenses && a.trust == b.trust && a.allow_unsigned == b.allow_unsigned &&
           a.clock_state == b.clock_state && a.clock_tolerance_seconds == b.clock_tolerance_seconds;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = as_text(Bytes(data, size));
    const std::filesystem::path base = "/fuzz/base";

    keys::KeyRingConfig from_file;
    if (expect("parse as a file", {E::usage},
               [&] { from_file = keys::parse_key_ring_config(text, base, KeyRingOrigin::file, "file"); })) {
        check(!from_file.passphrase, "a key-ring file gave an inline passphrase");
    }

    keys::KeyRingConfig config;
    if (!expect("parse in process", {E::usage, E::invalid_key},
                [&] { config = keys::parse_key_ring_config(text, base, KeyRingOrigin::in_process, "json"); })) {
        return 0;
    }
    const auto& s = config.sources;
    for (const auto* list : {&s.key_files, &s.identities, &s.licenses, &s.trust}) {
        for (const auto& p : *list) check(p.is_absolute(), "a relative path was not joined to the base folder");
    }
    // Written back without the inline passphrase, which has no place in a file: only if something else opens.
    if (!s.key_files.empty() || s.passphrase_file || !s.identities.empty() || !s.licenses.empty()) {
        keys::KeyRingConfig again;
        expect("parse what was written back", {},
               [&] { again = keys::parse_key_ring_config(to_json(s), base, KeyRingOrigin::file, "again"); });
        check(same(s, again.sources), "a key ring written back as JSON parsed differently");
    }
    return 0;
}
