// SPDX-License-Identifier: Apache-2.0
// The TPM-anchored rollback guard: checking and advancing a clock state only this device can authenticate.

#include "policy/tpm_clock_guard.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

#include "policy/clock_guard.hpp"
#include "crypto/crypto.hpp"
#include "keys/public_key_text.hpp"
#include "tpm/tpm_identity.hpp"
#include "ovseal/error.hpp"

namespace ovseal::container {
namespace {

constexpr std::string_view tag = "OVSEAL-CLOCK-TPM-1";
constexpr std::string_view first_form_tag = "OVSEAL-CLOCK-1";

struct Anchor {
    std::uint64_t seconds = 0;   // wall time at the anchor
    std::uint64_t clock_ms = 0;  // TPM clock at the anchor
};

// HMAC-SHA-256(k, "ovseal-v1 clock tpm" || "<seconds> <clock_ms>")[0:16], in hex.
std::string mac_of(const memory::SecretBytes& key, const std::string& fields) {
    const std::string message = "ovseal-v1 clock tpm" + fields;
    const auto mac = crypto::hmac_sha256(crypto::KeyView(key),
                                         {reinterpret_cast<const std::uint8_t*>(message.data()), message.size()});
    return keys::hex(std::span(mac).first(16));
}

bool parse_number(const std::string& text, std::uint64_t& out) {
    if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789") != std::string::npos) return false;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    return error == std::errc() && end == text.data() + text.size();
}

std::string first_word(const std::filesystem::path& state) {
    std::istringstream in(read_state_text(state));
    std::string word;
    in >> word;
    return word;
}

Anchor read_anchor(const std::filesystem::path& state, const memory::SecretBytes& key) {
    std::istringstream in(read_state_text(state));
    std::string line, extra;
    if (!std::getline(in, line) || std::getline(in, extra)) clock_state_damaged(state, "not exactly one line");
    std::istringstream fields(line);
    std::string t, seconds, clock, mac, rest;
    if (!(fields >> t >> seconds >> clock >> mac) || (fields >> rest) || t != tag) {
        clock_state_damaged(state, "unknown format");
    }
    Anchor anchor;
    if (!parse_number(seconds, anchor.seconds) || !parse_number(clock, anchor.clock_ms)) {
        clock_state_damaged(state, "bad numbers");
    }
    const std::string expected = mac_of(key, seconds + " " + clock);
    const auto as_bytes = [](const std::string& s) {
        return std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
    };
    if (mac.size() != expected.size() || !crypto::equal_constant_time(as_bytes(mac), as_bytes(expected))) {
        clock_state_damaged(state, "its authentication failed: written by another device, or edited");
    }
    return anchor;
}

}  // namespace

void check_and_advance_clock_with_tpm(const std::filesystem::path& state, std::uint64_t now, std::int64_t tolerance,
                                      keys::DeviceAgreement& device) {
    if (tolerance < 0) throw Error(ErrorCode::usage, "the clock tolerance cannot be negative");
    const auto key = keys::clock_guard_key(device);
    const std::uint64_t clock_now = device.tpm_clock();

    const ClockStateLock lock(state);  // read, check and write as one step among concurrent openers
    std::uint64_t lower_bound = 0;     // the earliest the real time can be now
    std::error_code ec;
    if (std::filesystem::exists(state, ec)) {
        if (first_word(state) == first_form_tag) {
            lower_bound = read_clock_state(state);  // a file-only guard being upgraded
        } else {
            const Anchor anchor = read_anchor(state, key);
            // After a power loss the TPM restarts its clock from its last saved copy, which can be behind the
            // anchor: then the anchor's own time is all that is known, as in the first form.
            lower_bound =
                clock_now >= anchor.clock_ms ? anchor.seconds + (clock_now - anchor.clock_ms) / 1000 : anchor.seconds;
        }
        if (lower_bound > now && lower_bound - now > static_cast<std::uint64_t>(tolerance)) {
            throw Error(ErrorCode::clock_rollback, "the clock (" + std::to_string(now) +
                                                       ") is earlier than the TPM's clock allows (at least " +
                                                       std::to_string(lower_bound) + ") by more than " +
                                                       std::to_string(tolerance) + " s: set the clock right");
        }
    }
    const std::uint64_t seconds = std::max(now, lower_bound);
    const std::string fields = std::to_string(seconds) + " " + std::to_string(clock_now);
    write_clock_state(state, std::string(tag) + " " + fields + " " + mac_of(key, fields));
}

}  // namespace ovseal::container
