// SPDX-License-Identifier: Apache-2.0
// PKCS#11 URIs (RFC 7512; src/pkcs11/uri.cpp), as given wherever a signing key is accepted: path attributes
// (token, manufacturer, serial, model, slot-id, object, id, type, and the library/slot ones it ignores), query
// attributes (module-path, pin-source, pin-value), percent-encoding. Invariants: only usage; a parsed URI is a
// pkcs11: URI, its attributes are non-empty and free of control characters (except the raw id), pin-value and
// pin-source exclude each other; describing it for messages never throws.

#include <algorithm>

#include "fuzz_support.hpp"
#include "pkcs11/uri.hpp"

using namespace ovseal;
using namespace ovseal::fuzz;

namespace {

void check_text(const std::optional<std::string>& value, const char* what) {
    if (!value) return;
    check(!value->empty(), std::string("a parsed URI has an empty ") + what);
    check(std::none_of(value->begin(), value->end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }),
          std::string("a parsed URI has a control character in ") + what);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = as_text(Bytes(data, size));
    const bool is_uri = pkcs11::is_uri(text);
    std::optional<pkcs11::Uri> uri;
    if (!expect("parse_uri", {ErrorCode::usage}, [&] { uri = pkcs11::parse_uri(text); })) return 0;
    check(is_uri, "parse_uri accepted text that is_uri says is not a URI");
    check_text(uri->token, "token");
    check_text(uri->manufacturer, "manufacturer");
    check_text(uri->serial, "serial");
    check_text(uri->model, "model");
    check_text(uri->object, "object");
    check(!uri->id || !uri->id->empty(), "a parsed URI has an empty id");
    check(!uri->type || *uri->type == "private" || *uri->type == "public" || *uri->type == "cert" ||
              *uri->type == "secret-key" || *uri->type == "data",
          "a parsed URI has an unknown type");
    check(!(uri->pin_value && uri->pin_source), "a parsed URI has both pin-value and pin-source");
    check(!uri->pin_value || !uri->pin_value->empty(), "a parsed URI has an empty pin-value");
    check(!uri->module_path || !uri->module_path->empty(), "a parsed URI has an empty module-path");
    check(!uri->pin_source || !uri->pin_source->empty(), "a parsed URI has an empty pin-source");
    expect("describe", {},
           [&] { check(!uri->describe_object().empty() && !uri->describe_token().empty(), "an empty description"); });
    return 0;
}
