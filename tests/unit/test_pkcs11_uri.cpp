// SPDX-License-Identifier: Apache-2.0
// PKCS#11 URIs (RFC 7512) as ovseal reads them: what is accepted, what is refused, and that a PIN never shows.

#include <gtest/gtest.h>

#include "ovseal/pkcs11.hpp"
#include "pkcs11/uri.hpp"
#include "test_support.hpp"

namespace {

using namespace ovseal_test;
using ovseal::ErrorCode;
using ovseal::pkcs11::parse_uri;

std::string text(const ovseal::memory::SecretBytes& bytes) {
    return {reinterpret_cast<const char*>(bytes.secret().data()), bytes.size()};
}

TEST(Pkcs11Uri, ReadsPathAndQueryAttributes) {
    const auto uri = parse_uri(
        "pkcs11:token=Publisher%20HSM;object=sig%3b2027;id=%01%FF;type=private;serial=ab12;"
        "manufacturer=SoftHSM%20project;model=SoftHSM%20v2;slot-id=42"
        "?module-path=/opt/hsm/lib%20p11.so&pin-source=file:/etc/ovseal/pin");
    EXPECT_EQ(uri.token, "Publisher HSM");
    EXPECT_EQ(uri.object, "sig;2027");  // an escaped ';' is part of the value, not a separator
    EXPECT_EQ(uri.id, (std::vector<std::uint8_t>{0x01, 0xff}));
    EXPECT_EQ(uri.type, "private");
    EXPECT_EQ(uri.serial, "ab12");
    EXPECT_EQ(uri.manufacturer, "SoftHSM project");
    EXPECT_EQ(uri.model, "SoftHSM v2");
    EXPECT_EQ(uri.slot_id, 42u);
    EXPECT_EQ(uri.module_path, "/opt/hsm/lib p11.so");
    EXPECT_EQ(uri.pin_source, "file:/etc/ovseal/pin");
    EXPECT_FALSE(uri.pin_value.has_value());
    EXPECT_EQ(uri.describe_object(), "object 'sig;2027', id 01ff");
    // An id is bytes: any value may be encoded.
    EXPECT_EQ(parse_uri("pkcs11:id=%00%0a%1b").id, (std::vector<std::uint8_t>{0x00, 0x0a, 0x1b}));
}

TEST(Pkcs11Uri, PinValueIsKeptAsASecret) {
    const auto uri = parse_uri("pkcs11:object=k?pin-value=12%2034");
    ASSERT_TRUE(uri.pin_value.has_value());
    EXPECT_EQ(text(*uri.pin_value), "12 34");
}

TEST(Pkcs11Uri, IgnoresLibraryAndSlotDescriptions) {
    const auto uri = parse_uri(
        "PKCS11:library-manufacturer=OpenSC%20Project;library-description=x;"
        "library-version=1.2;slot-description=y;slot-manufacturer=z;object=k");
    EXPECT_EQ(uri.object, "k");
    EXPECT_FALSE(uri.token.has_value());
}

TEST(Pkcs11Uri, TellsUrisFromFileNames) {
    EXPECT_TRUE(ovseal::is_pkcs11_uri("pkcs11:token=a;object=b"));
    EXPECT_TRUE(ovseal::is_pkcs11_uri("PKCS11:object=b"));
    EXPECT_FALSE(ovseal::is_pkcs11_uri("publisher.key"));
    EXPECT_FALSE(ovseal::is_pkcs11_uri("./pkcs11:object=b"));  // how to name such a file
    EXPECT_FALSE(ovseal::is_pkcs11_uri("pkcs11"));
}

TEST(Pkcs11Uri, RefusesMalformedText) {
    const char* bad[] = {
        "publisher.key",             // not a URI
        "pkcs11:token=a;token=b",    // repeated
        "pkcs11:object=a;label=b",   // unknown path attribute
        "pkcs11:object=a?pin=1234",  // unknown query attribute
        "pkcs11:object=a?module-name=softhsm2",
        "pkcs11:object=%4",   // truncated escape
        "pkcs11:object=%zz",  // not hex
        "pkcs11:object",      // no '='
        "pkcs11:=x",          // no name
        "pkcs11:object=",     // empty value
        "pkcs11:type=certificate",
        "pkcs11:slot-id=one",
        "pkcs11:slot-id=1x",
        "pkcs11:object=a#fragment",
        "pkcs11:object=a?pin-value=1&pin-source=/p",
        "pkcs11:object=a\n",              // a control character
        "pkcs11:token=a%1b[2J;object=b",  // an encoded one in a name that messages show
    };
    for (const char* text : bad) {
        const auto error = error_of([&] { parse_uri(text); });
        ASSERT_TRUE(error.has_value()) << text;
        EXPECT_EQ(error->code(), ErrorCode::usage) << text;
        EXPECT_NE(std::string(error->what()).find("PKCS#11 URI"), std::string::npos) << error->what();
    }
}

TEST(Pkcs11Uri, MessagesNeverShowThePin) {
    const std::string pin = "s3cret-4711";
    for (const std::string& text :
         {"pkcs11:object=a?pin-value=" + pin + "&pin-value=" + pin, "pkcs11:object=a?pin-value=" + pin + "%zz",
          "pkcs11:object=a;bogus=1?pin-value=" + pin, "pkcs11:object=a?pin-value=" + pin + "&pin-source=/p"}) {
        const auto error = error_of([&] { parse_uri(text); });
        ASSERT_TRUE(error.has_value()) << text;
        EXPECT_EQ(std::string(error->what()).find("s3cret"), std::string::npos) << error->what();
        expect_clean_message(*error, std::span(reinterpret_cast<const std::uint8_t*>(pin.data()), pin.size()));
    }
}

}  // namespace
