// SPDX-License-Identifier: Apache-2.0
// How commands get keys, device lists, key rings and signing keys from options, environment or a prompt.

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include <fmt/core.h>

#include "cli_common.hpp"
#include "ovseal/environment.hpp"
#include "ovseal/error.hpp"
#include "ovseal/key_ring_config.hpp"

namespace ovseal::cli {

void KeyOptions::add_to(CLI::App& command, bool exclusive) {
    // Missing files are reported by the key readers (exit code io), not by the argument parser (usage).
    auto* key = command.add_option("--key-file,-k", key_files, "Key file made by `ovseal keygen`");
    auto* pass = command.add_option("--passphrase-file,-p", passphrase_file,
                                    "File holding the passphrase (one trailing newline is ignored)");
    if (exclusive) {
        key->excludes(pass);
    }
}

std::vector<Key> KeyOptions::resolve(bool confirm_prompt, bool optional) const {
    std::vector<Key> keys;
    for (const auto& path : key_files) {
        keys.push_back(Key::from_key_file(path));
    }
    if (!passphrase_file.empty()) {
        keys.push_back(Key::from_passphrase_file(passphrase_file));
    }
    if (!keys.empty()) {
        return keys;
    }
    if (const char* env = std::getenv("OVSEAL_PASSPHRASE"); env != nullptr && *env != '\0') {
        keys.push_back(Key::from_passphrase(env));
        return keys;
    }
    if (optional) {
        return keys;
    }
    const auto first = prompt_passphrase("Passphrase: ");
    if (first.empty()) {
        throw Error(ErrorCode::usage,
                    "no key given: use --key-file FILE or --passphrase-file FILE, set OVSEAL_PASSPHRASE, or run "
                    "on a terminal to be asked for a passphrase");
    }
    if (confirm_prompt && !prompt_passphrase("Passphrase (again): ").same_as(first)) {
        throw Error(ErrorCode::usage, "the two passphrases differ");
    }
    keys.push_back(Key::from_passphrase(first.secret_text()));
    return keys;
}

void OpenOptions::add_to(CLI::App& command) {
    keys.add_to(command, /*exclusive=*/true);
    command.add_option("--identity", identities, "Device identity folder made by `ovseal device init` (repeatable)");
    add_tcti_option(command, tcti);
    command.add_option("--license", licenses, "License file for this device, or a folder of them (repeatable)");
    command.add_option("--trust", trust,
                       "Trusted publisher public key (.pub), or a folder of them (repeatable); "
                       "then only models signed by a trusted publisher open");
    command.add_flag("--allow-unsigned", allow_unsigned,
                     "Open an UNSIGNED model sealed to a device identity (anyone who knows the device's public key "
                     "could have made it)");
    command.add_option("--clock-state", clock_state, "Rollback guard: file keeping the latest time seen (licenses)");
    command
        .add_option("--clock-tolerance", clock_tolerance,
                    fmt::format("Seconds the clock may go back (default {})", default_clock_tolerance_seconds))
        ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 40));
}

void add_tcti_option(CLI::App& command, std::string& tcti) {
    command.add_option("--tcti", tcti,
                       "TPM for TPM-held identities, e.g. device:/dev/tpmrm0 or swtpm:port=2321 (default: "
                       "$TPM2TOOLS_TCTI, $TSS2_TCTI, else device:/dev/tpmrm0)");
}

bool OpenOptions::any() const {
    return !identities.empty() || !licenses.empty();
}

KeyRing OpenOptions::resolve() const {
    auto resolved_keys = keys.resolve(false, /*optional=*/any());
    KeyRingSources sources;
    sources.identities = identities;
    sources.tcti = tcti;
    sources.licenses = licenses;
    sources.trust = trust;
    sources.allow_unsigned = allow_unsigned;
    if (!clock_state.empty()) sources.clock_state = clock_state;
    sources.clock_tolerance_seconds = clock_tolerance;
    KeyRing ring = load_key_ring(sources);
    ring.keys = std::move(resolved_keys);
    return ring;
}

std::vector<DevicePublicKey> read_device_list(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw Error(ErrorCode::io, "cannot read the device list '" + path.string() + "'");
    std::vector<DevicePublicKey> devices;
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        try {
            devices.push_back(DevicePublicKey::parse(line));
        } catch (const Error& e) {
            throw Error(e.code(), path.string() + ":" + std::to_string(number) + ": " + e.what());
        }
    }
    return devices;
}

void TokenOptions::add_to(CLI::App& command) {
    command.add_option("--pkcs11-module", module,
                       "PKCS#11 module (.so) for a pkcs11: key (default: OVSEAL_PKCS11_MODULE, else SoftHSM2's)");
    command.add_option("--pin-file", pin_file,
                       "File holding the token's user PIN (else OVSEAL_PKCS11_PIN, else a prompt on the terminal)");
}

Pkcs11Options TokenOptions::resolve() const {
    Pkcs11Options options;
    options.module = module;
    options.pin_file = pin_file;
    options.prompt = [](const std::string& text) { return std::string(prompt_passphrase(text.c_str()).secret_text()); };
    return with_environment(std::move(options));  // OVSEAL_PKCS11_MODULE, OVSEAL_PKCS11_PIN
}

SigningKey load_signing_key(const std::filesystem::path& path, const std::filesystem::path& passphrase_file,
                            const TokenOptions& token) {
    if (is_pkcs11_uri(path.string())) {
        if (!passphrase_file.empty()) {
            throw Error(ErrorCode::usage,
                        "--signing-passphrase-file protects a key file; a key in a token is "
                        "unlocked with its PIN (--pin-file)");
        }
        return SigningKey::from_pkcs11(path.string(), token.resolve());
    }
    if (!token.module.empty() || !token.pin_file.empty()) {
        throw Error(ErrorCode::usage, "--pkcs11-module and --pin-file apply to a pkcs11: URI, not to a key file");
    }
    if (!passphrase_file.empty()) {
        return SigningKey::load(path, Key::from_passphrase_file(passphrase_file));
    }
    try {
        return SigningKey::load(path);
    } catch (const Error& e) {
        if (e.code() != ErrorCode::usage) throw;  // protected: ask on the terminal if there is one
        const auto pass = prompt_passphrase("Passphrase for the signing key: ");
        if (pass.empty()) throw;
        return SigningKey::load(path, Key::from_passphrase(pass.secret_text()));
    }
}

SecretBytes prompt_passphrase(const char* prompt) {
    const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        return {};
    }
    termios saved{};
    const bool is_tty = ::tcgetattr(fd, &saved) == 0;
    if (!is_tty) {
        ::close(fd);
        return {};
    }
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
    (void)!::write(fd, prompt, std::char_traits<char>::length(prompt));
    SecretBytes line(1023);  // read in place: no copy of the passphrase outside locked memory
    std::size_t length = 0;
    char c = 0;
    while (length < line.size() && ::read(fd, &c, 1) == 1 && c != '\n') {
        line.secret()[length++] = static_cast<std::uint8_t>(c);
    }
    c = 0;
    ::tcsetattr(fd, TCSAFLUSH, &saved);
    (void)!::write(fd, "\n", 1);
    ::close(fd);
    return SecretBytes::copy_of(line.secret().first(length));
}

}  // namespace ovseal::cli
