// SPDX-License-Identifier: Apache-2.0
// Parsing PKCS#11 URIs (RFC 7512) strictly, and describing the token and object they name in messages.

#include "pkcs11/uri.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include "memory/wipe.hpp"
#include "ovseal/error.hpp"

namespace ovseal::pkcs11 {
namespace {

constexpr std::string_view scheme = "pkcs11:";

[[noreturn]] void malformed(const std::string& why) {
    throw Error(ErrorCode::usage,
                "malformed PKCS#11 URI: " + why + " (RFC 7512, e.g. 'pkcs11:token=LABEL;object=NAME')");
}

bool is_control(char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Percent-decodes VALUE of attribute NAME into OUT (which the caller wipes if it is secret).
void percent_decode(std::string_view name, std::string_view value, std::string& out) {
    out.clear();
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        if (c == '%') {
            const int hi = i + 2 < value.size() ? hex_value(value[i + 1]) : -1;
            const int lo = i + 2 < value.size() ? hex_value(value[i + 2]) : -1;
            if (hi < 0 || lo < 0) malformed("attribute '" + std::string(name) + "' has a bad percent-encoding");
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (is_control(c)) {
            malformed("attribute '" + std::string(name) + "' holds a control character");
        } else {
            out.push_back(c);
        }
    }
}

std::string lowercase(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::string hex(const std::vector<std::uint8_t>& bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (const auto b : bytes) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 15]);
    }
    return out;
}

// Attributes that identify a library or slot in ways ovseal does not select by; RFC 7512 lets us ignore them.
bool ignorable(std::string_view name) {
    return name == "library-manufacturer" || name == "library-description" || name == "library-version" ||
           name == "slot-manufacturer" || name == "slot-description";
}

class Parser {
public:
    explicit Parser(Uri& uri) : m_uri(uri) {}

    void path_attribute(std::string_view name, std::string_view raw) {
        first_time(name);
        std::string value;
        percent_decode(name, raw, value);
        if (ignorable(name)) return;
        if (value.empty()) malformed("attribute '" + std::string(name) + "' is empty");
        // Names end up in messages; only an id is raw bytes.
        if (name != "id" && std::any_of(value.begin(), value.end(), is_control)) {
            malformed("attribute '" + std::string(name) + "' holds a control character");
        }
        if (name == "token")
            m_uri.token = value;
        else if (name == "manufacturer")
            m_uri.manufacturer = value;
        else if (name == "serial")
            m_uri.serial = value;
        else if (name == "model")
            m_uri.model = value;
        else if (name == "object")
            m_uri.object = value;
        else if (name == "id")
            m_uri.id = std::vector<std::uint8_t>(value.begin(), value.end());
        else if (name == "type") {
            static const std::set<std::string, std::less<>> types = {"private", "public", "cert", "secret-key", "data"};
            if (!types.contains(value)) malformed("type must be private, public, cert, secret-key or data");
            m_uri.type = value;
        } else if (name == "slot-id") {
            unsigned long slot = 0;
            const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), slot);
            if (ec != std::errc() || end != value.data() + value.size()) malformed("slot-id is not a number");
            m_uri.slot_id = slot;
        } else {
            malformed("unknown path attribute '" + std::string(name) + "'");
        }
    }

    void query_attribute(std::string_view name, std::string_view raw) {
        first_time(name);
        std::string value;
        percent_decode(name, raw, value);
        if (name == "pin-value") {
            if (!value.empty())
                m_uri.pin_value = memory::SecretBytes::copy_of(
                    std::span(reinterpret_cast<const std::uint8_t*>(value.data()), value.size()));
            memory::wipe(value.data(), value.size());
            if (!m_uri.pin_value) malformed("pin-value is empty");
            return;
        }
        if (value.empty()) malformed("attribute '" + std::string(name) + "' is empty");
        if (name == "module-path")
            m_uri.module_path = value;
        else if (name == "pin-source")
            m_uri.pin_source = value;
        else if (name == "module-name")
            malformed("module-name is not supported: use module-path");
        else
            malformed("unknown query attribute '" + std::string(name) + "'");
    }

private:
    void first_time(std::string_view name) {
        if (!m_seen.insert(std::string(name)).second) malformed("attribute '" + std::string(name) + "' is repeated");
    }

    Uri& m_uri;
    std::set<std::string, std::less<>> m_seen;
};

// Splits TEXT at SEPARATOR and hands each "name=value" to HANDLE.
template <typename Handle>
void for_each_attribute(std::string_view text, char separator, Handle handle) {
    while (!text.empty()) {
        const auto end = text.find(separator);
        const auto item = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        if (item.empty()) continue;  // "pkcs11:token=a;" and "?&x=y" are tolerated
        const auto eq = item.find('=');
        if (eq == std::string_view::npos || eq == 0) malformed("an attribute is not of the form name=value");
        handle(lowercase(item.substr(0, eq)), item.substr(eq + 1));
    }
}

}  // namespace

bool is_uri(std::string_view text) {
    return text.size() >= scheme.size() && lowercase(text.substr(0, scheme.size())) == scheme;
}

Uri parse_uri(std::string_view text) {
    if (!is_uri(text)) malformed("it does not start with 'pkcs11:'");
    text.remove_prefix(scheme.size());
    if (const auto hash = text.find('#'); hash != std::string_view::npos) malformed("a fragment ('#') is not allowed");
    const auto question = text.find('?');
    const auto path = text.substr(0, question);
    const auto query = question == std::string_view::npos ? std::string_view() : text.substr(question + 1);
    Uri uri;
    Parser parser(uri);
    for_each_attribute(path, ';', [&](const std::string& n, std::string_view v) { parser.path_attribute(n, v); });
    for_each_attribute(query, '&', [&](const std::string& n, std::string_view v) { parser.query_attribute(n, v); });
    if (uri.pin_value && uri.pin_source) malformed("give pin-source or pin-value, not both");
    return uri;
}

std::string Uri::describe_object() const {
    std::string out;
    if (object) out = "object '" + *object + "'";
    if (id) out += (out.empty() ? "" : ", ") + std::string("id ") + hex(*id);
    return out.empty() ? "any object" : out;
}

std::string Uri::describe_token() const {
    if (token) return "token '" + *token + "'";
    if (serial) return "the token with serial '" + *serial + "'";
    if (slot_id) return "the token in slot " + std::to_string(*slot_id);
    return "the token";
}

}  // namespace ovseal::pkcs11
