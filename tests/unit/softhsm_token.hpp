// SPDX-License-Identifier: Apache-2.0
#pragma once

// A private SoftHSM2 token for the PKCS#11 tests: its own token folder and configuration in a temp folder, never
// the system's.

#include <string>

#include "ovseal/pkcs11.hpp"
#include "test_support.hpp"

namespace ovseal_test {

class SoftHsmToken {
public:
    static constexpr const char* module = "/usr/lib/softhsm/libsofthsm2.so";
    static constexpr const char* so_pin = "so-pin-8642";

    /// Empty if SoftHSM2 (module and softhsm2-util) is installed, else why not.
    static std::string missing();

    /// Creates the folder and config, points SOFTHSM2_CONF at it (this process and the tools it runs) and
    /// initialises a token LABEL with user PIN `pin`. The previous SOFTHSM2_CONF comes back on destruction.
    SoftHsmToken(std::string label, std::string pin);
    ~SoftHsmToken();
    SoftHsmToken(const SoftHsmToken&) = delete;
    SoftHsmToken& operator=(const SoftHsmToken&) = delete;

    /// "pkcs11:token=LABEL;object=OBJECT".
    std::string uri(const std::string& object) const;
    /// The module and the right PIN.
    ovseal::Pkcs11Options options() const;
    const std::string& label() const noexcept { return m_label; }
    const std::string& pin() const noexcept { return m_pin; }

private:
    TempDir m_dir;
    std::string m_label;
    std::string m_pin;
    std::string m_saved_conf;
    bool m_had_conf = false;
};

}  // namespace ovseal_test
