// SPDX-License-Identifier: Apache-2.0
// Parsing the key-ring JSON strictly and loading the key ring it or `ovseal run`'s options describe.

#include "keys/key_ring_config.hpp"

#include <algorithm>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "keys/secret_file.hpp"
#include "memory/wipe.hpp"
#include "ovseal/error.hpp"

namespace ovseal {
namespace keys {
namespace {

using nlohmann::json;

constexpr const char* known_fields =
    "version, key_files, passphrase_file, passphrase, identities, tcti, licenses, "
    "trust, allow_unsigned, clock_state, clock_tolerance";

// A field name from the input, shown quoted, escaped and short (it is a name, but it is still untrusted text).
std::string shown_name(std::string_view name) {
    std::string shown = json(std::string(name.substr(0, 40))).dump(-1, ' ', true, json::error_handler_t::replace);
    if (name.size() > 40) shown.insert(shown.size() - 1, "...");
    return shown;
}

class Fields {
public:
    Fields(std::string_view label, const std::filesystem::path& base) : m_label(label), m_base(base) {}

    [[noreturn]] void fail(std::string_view field, std::string_view what, ErrorCode code = ErrorCode::usage) const {
        throw Error(code, std::string(m_label) + ": \"" + std::string(field) + "\" " + std::string(what));
    }

    std::filesystem::path path(std::string_view field, const json& value) const {
        if (!value.is_string()) fail(field, "must be a file name (a string)");
        const auto& text = value.get_ref<const std::string&>();
        if (text.empty() || text.find('\0') != std::string::npos) fail(field, "must be a non-empty file name");
        const std::filesystem::path p(text);
        return m_base.empty() || p.is_absolute() ? p : m_base / p;
    }

    std::vector<std::filesystem::path> paths(std::string_view field, const json& value) const {
        if (!value.is_array()) fail(field, "must be a list of file names");
        std::vector<std::filesystem::path> out;
        for (const auto& item : value) out.push_back(path(field, item));
        return out;
    }

    std::int64_t integer(std::string_view field, const json& value, std::int64_t min, std::int64_t max) const {
        const std::string range = "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max);
        if (!value.is_number_integer()) fail(field, range);
        if (value.is_number_unsigned()) {
            const auto v = value.get<std::uint64_t>();
            if (v > static_cast<std::uint64_t>(max)) fail(field, range);
            return static_cast<std::int64_t>(v);
        }
        const auto v = value.get<std::int64_t>();
        if (v < min || v > max) fail(field, range);
        return v;
    }

private:
    std::string_view m_label;
    const std::filesystem::path& m_base;
};

// Parses the whole text; a name given twice at the top level is refused (which one would win is a guess).
json parse_top_level(std::string_view text, std::string_view label) {
    std::set<std::string> names;
    const json::parser_callback_t no_duplicates = [&](int depth, json::parse_event_t event, json& parsed) {
        if (depth == 1 && event == json::parse_event_t::key) {
            const auto& name = parsed.get_ref<const std::string&>();
            if (!names.insert(name).second) {
                throw Error(ErrorCode::usage, std::string(label) + ": " + shown_name(name) + " is given twice");
            }
        }
        return true;
    };
    try {
        return json::parse(text.begin(), text.end(), no_duplicates);
    } catch (const json::parse_error& e) {
        // nlohmann's own message quotes the text around the error, which may be a secret: only the position.
        throw Error(ErrorCode::usage,
                    std::string(label) + ": not valid JSON (error at byte " + std::to_string(e.byte) + ")");
    } catch (const json::exception&) {
        throw Error(ErrorCode::usage, std::string(label) + ": not valid JSON (a number out of range)");
    }
}

}  // namespace

KeyRingConfig parse_key_ring_config(std::string_view text, const std::filesystem::path& base_dir, KeyRingOrigin origin,
                                    std::string_view label) {
    if (text.size() > max_key_ring_size) {
        throw Error(ErrorCode::usage, std::string(label) +
                                          ": larger than 1 MiB; a key ring is a short list of "
                                          "file names");
    }
    json doc = parse_top_level(text, label);
    if (!doc.is_object()) {
        throw Error(ErrorCode::usage, std::string(label) + ": must be a JSON object with \"version\": 1");
    }
    const Fields fields(label, base_dir);
    if (!doc.contains("version")) fields.fail("version", "is missing (this ovseal reads key rings of version 1)");
    if (fields.integer("version", doc["version"], 0, 1 << 30) != 1) {
        fields.fail("version", "is not 1, the only key-ring version this ovseal reads");
    }

    KeyRingConfig config;
    auto& s = config.sources;
    bool opens_something = false;
    for (auto& item : doc.items()) {
        const std::string& name = item.key();
        json& value = item.value();
        if (name == "version") {
            continue;
        } else if (name == "key_files") {
            s.key_files = fields.paths(name, value);
            opens_something |= !s.key_files.empty();
        } else if (name == "passphrase_file") {
            s.passphrase_file = fields.path(name, value);
            opens_something = true;
        } else if (name == "passphrase") {
            if (origin != KeyRingOrigin::in_process) {
                fields.fail(name,
                            "is accepted only from the application itself, never in a file: write the "
                            "passphrase to a file of its own and name it with \"passphrase_file\"");
            }
            if (!value.is_string()) fields.fail(name, "must be a string");
            auto& secret = value.get_ref<std::string&>();
            config.passphrase = Key::from_passphrase(secret);
            memory::wipe(secret.data(), secret.size());
            opens_something = true;
        } else if (name == "identities") {
            s.identities = fields.paths(name, value);
            opens_something |= !s.identities.empty();
        } else if (name == "tcti") {
            if (!value.is_string()) fields.fail(name, "must be a string, e.g. \"device:/dev/tpmrm0\"");
            s.tcti = value.get<std::string>();
            if (s.tcti.empty() || s.tcti.find('\0') != std::string::npos) fields.fail(name, "must not be empty");
        } else if (name == "licenses") {
            s.licenses = fields.paths(name, value);
            opens_something |= !s.licenses.empty();
        } else if (name == "trust") {
            s.trust = fields.paths(name, value);
        } else if (name == "allow_unsigned") {
            if (!value.is_boolean()) fields.fail(name, "must be true or false");
            s.allow_unsigned = value.get<bool>();
        } else if (name == "clock_state") {
            s.clock_state = fields.path(name, value);
        } else if (name == "clock_tolerance") {
            s.clock_tolerance_seconds = fields.integer(name, value, 0, std::int64_t{1} << 40);
        } else {
            throw Error(ErrorCode::usage, std::string(label) + ": unknown field " + shown_name(name) +
                                              " (version 1 has " + known_fields + ")");
        }
    }
    if (!opens_something) {
        throw Error(ErrorCode::usage, std::string(label) +
                                          ": names nothing that opens a model: give \"key_files\", "
                                          "\"passphrase_file\", \"identities\" or \"licenses\"");
    }
    return config;
}

}  // namespace keys

namespace {

// A folder stands for the files in it with `extension`, in name order; a file stands for itself.
std::vector<std::filesystem::path> expand(const std::vector<std::filesystem::path>& items, const char* extension) {
    std::vector<std::filesystem::path> out;
    for (const auto& item : items) {
        std::error_code ec;
        if (!std::filesystem::is_directory(item, ec)) {
            out.push_back(item);
            continue;
        }
        std::vector<std::filesystem::path> found;
        for (const auto& entry : std::filesystem::directory_iterator(item, ec)) {
            if (entry.path().extension() == extension) found.push_back(entry.path());
        }
        if (ec) throw Error(ErrorCode::io, "cannot list the folder '" + item.string() + "'");
        std::sort(found.begin(), found.end());
        out.insert(out.end(), found.begin(), found.end());
    }
    return out;
}

// Loads what a key ring names; a failure says which key ring named the file.
KeyRing load(const keys::KeyRingConfig& config, const std::string& label) {
    try {
        KeyRing ring = load_key_ring(config.sources);
        if (config.passphrase) ring.keys.push_back(*config.passphrase);
        return ring;
    } catch (const Error& e) {
        throw Error(e.code(), label + ": " + e.what());
    }
}

}  // namespace

KeyRing load_key_ring(const KeyRingSources& sources) {
    KeyRing ring;
    for (const auto& path : sources.key_files) ring.keys.push_back(Key::from_key_file(path));
    if (sources.passphrase_file) ring.keys.push_back(Key::from_passphrase_file(*sources.passphrase_file));
    for (const auto& dir : sources.identities) {
        ring.identities.push_back(DeviceIdentity::load(dir, TpmOptions{sources.tcti, {}}));
    }
    ring.licenses = expand(sources.licenses, ".lic");
    for (const auto& path : expand(sources.trust, ".pub")) ring.trusted.push_back(PublisherPublicKey::load(path));
    if (!sources.trust.empty() && ring.trusted.empty()) {
        throw Error(ErrorCode::usage,
                    "the trust list is empty: no publisher key (.pub) was found in the trust "
                    "list's folders");
    }
    ring.allow_unsigned_device_files = sources.allow_unsigned;
    ring.clock_state = sources.clock_state;
    ring.clock_tolerance_seconds = sources.clock_tolerance_seconds;
    return ring;
}

KeyRing load_key_ring_file(const std::filesystem::path& path) {
    const std::string label = "key-ring file '" + path.string() + "'";
    // Read like a secret (locked, wiped): a file that wrongly holds a passphrase leaves no copy behind.
    const auto text = keys::read_secret_file(path, keys::max_key_ring_size, "key-ring file", ErrorCode::usage);
    const auto bytes = text.secret();
    const std::string_view json(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return load(keys::parse_key_ring_config(json, path.parent_path(), keys::KeyRingOrigin::file, label), label);
}

KeyRing load_key_ring_json(std::string_view json, const std::filesystem::path& base_dir) {
    const std::string label = "key ring";
    return load(keys::parse_key_ring_config(json, base_dir, keys::KeyRingOrigin::in_process, label), label);
}

}  // namespace ovseal
