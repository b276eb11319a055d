// SPDX-License-Identifier: Apache-2.0
// A private SoftHSM2 token for the PKCS#11 tests, set up in a temp folder and never touching the system's.

#include "softhsm_token.hpp"

#include <cstdlib>
#include <stdexcept>

namespace ovseal_test {
namespace {

constexpr const char* conf_variable = "SOFTHSM2_CONF";
constexpr const char* util = "/usr/bin/softhsm2-util";

}  // namespace

std::string SoftHsmToken::missing() {
    if (!fs::exists(module)) {
        return std::string("SoftHSM2 is not installed (no ") + module + "; scripts/setup.sh installs softhsm2)";
    }
    if (!fs::exists(util)) return std::string("softhsm2-util is not installed (no ") + util + ")";
    return {};
}

SoftHsmToken::SoftHsmToken(std::string label, std::string pin) : m_label(std::move(label)), m_pin(std::move(pin)) {
    if (const char* saved = std::getenv(conf_variable)) {
        m_had_conf = true;
        m_saved_conf = saved;
    }
    fs::create_directory(m_dir / "tokens");
    write_text(m_dir / "softhsm2.conf", "directories.tokendir = " + (m_dir / "tokens").string() +
                                            "\nobjectstore.backend = file\nlog.level = ERROR\n");
    ::setenv(conf_variable, (m_dir / "softhsm2.conf").c_str(), 1);
    const std::string command = std::string(util) + " --init-token --free --label '" + m_label + "' --so-pin " +
                                so_pin + " --pin '" + m_pin + "' > /dev/null";
    if (std::system(command.c_str()) != 0) throw std::runtime_error("softhsm2-util could not initialise a token");
}

SoftHsmToken::~SoftHsmToken() {
    if (m_had_conf)
        ::setenv(conf_variable, m_saved_conf.c_str(), 1);
    else
        ::unsetenv(conf_variable);
}

std::string SoftHsmToken::uri(const std::string& object) const {
    return "pkcs11:token=" + m_label + ";object=" + object;
}

ovseal::Pkcs11Options SoftHsmToken::options() const {
    ovseal::Pkcs11Options options;
    options.module = module;
    options.pin = ovseal::Key::from_passphrase(m_pin);
    return options;
}

}  // namespace ovseal_test
