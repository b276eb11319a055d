#include "key_ring.hpp"

#include <algorithm>
#include <filesystem>

#include "ovseal/error.hpp"

namespace ovseal::python {
namespace {

namespace fs = std::filesystem;

template <typename T>
T get_or(const py::dict& ring, const char* name, T fallback) {
    if (!ring.contains(name) || ring[name].is_none()) return fallback;
    return ring[name].cast<T>();
}

// Paths named directly, and the files with `extension` inside the folders named, in name order.
std::vector<fs::path> files_in(const std::vector<std::string>& paths, const char* extension) {
    std::vector<fs::path> files;
    for (const auto& path : paths) {
        if (!fs::is_directory(path)) {
            files.emplace_back(path);
            continue;
        }
        std::vector<fs::path> found;
        for (const auto& entry : fs::directory_iterator(path)) {
            if (entry.is_regular_file() && entry.path().extension() == extension) found.push_back(entry.path());
        }
        std::sort(found.begin(), found.end());
        files.insert(files.end(), found.begin(), found.end());
    }
    return files;
}

}  // namespace

KeyRing key_ring_from(const py::dict& ring) {
    KeyRing result;
    for (const auto& path : get_or<std::vector<std::string>>(ring, "key_files", {})) {
        result.keys.push_back(Key::from_key_file(path));
    }
    if (auto file = get_or<std::string>(ring, "passphrase_file", ""); !file.empty()) {
        result.keys.push_back(Key::from_passphrase_file(file));
    }
    if (auto passphrase = get_or<std::string>(ring, "passphrase", ""); !passphrase.empty()) {
        result.keys.push_back(Key::from_passphrase(passphrase));
    }
    const TpmOptions tpm{get_or<std::string>(ring, "tcti", ""), {}};
    for (const auto& dir : get_or<std::vector<std::string>>(ring, "identities", {})) {
        result.identities.push_back(DeviceIdentity::load(dir, tpm));
    }
    result.licenses = files_in(get_or<std::vector<std::string>>(ring, "licenses", {}), ".lic");
    const auto trust = get_or<std::vector<std::string>>(ring, "trust", {});
    for (const auto& path : files_in(trust, ".pub")) result.trusted.push_back(PublisherPublicKey::load(path));
    if (!trust.empty() && result.trusted.empty()) {
        throw Error(ErrorCode::usage, "the trust list is empty: no publisher key (.pub) was found in it");
    }
    result.allow_unsigned_device_files = get_or<bool>(ring, "allow_unsigned", false);
    if (auto state = get_or<std::string>(ring, "clock_state", ""); !state.empty()) result.clock_state = state;
    result.clock_tolerance_seconds = get_or<std::int64_t>(ring, "clock_tolerance", 300);
    return result;
}

}  // namespace ovseal::python
