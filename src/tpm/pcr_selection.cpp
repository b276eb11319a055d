// SPDX-License-Identifier: Apache-2.0
// PCR selections in the tpm2-tools text form ("sha256:0,7"): parsed and printed without a TPM, so that identity
// files and options are checked the same way in a build with the TPM (tpm.cpp) and one without (tpm_absent.cpp).

#include <string>

#include "ovseal/error.hpp"
#include "tpm/tpm.hpp"

namespace ovseal::tpm {
namespace {

void check_bank_name(const std::string& name) {
    for (const char* known : {"sha1", "sha256", "sha384", "sha512"}) {
        if (name == known) return;
    }
    throw Error(ErrorCode::usage, "unknown PCR bank '" + name + "' (use sha1, sha256, sha384 or sha512)");
}

}  // namespace

PcrSelection parse_pcr_selection(const std::string& text) {
    PcrSelection out;
    std::size_t start = 0;
    const auto bad = [&](const std::string& why) {
        return Error(ErrorCode::usage, "bad PCR selection '" + text + "' (" + why + "); expected e.g. sha256:0,7");
    };
    while (start <= text.size()) {
        const std::size_t plus = text.find('+', start);
        const std::string bank_text = text.substr(start, plus == std::string::npos ? std::string::npos : plus - start);
        const std::size_t colon = bank_text.find(':');
        if (colon == std::string::npos || colon == 0) throw bad("a bank needs a hash name and PCR numbers");
        PcrBank bank{bank_text.substr(0, colon), {}};
        check_bank_name(bank.hash);
        std::size_t at = colon + 1;
        while (true) {
            const std::size_t comma = bank_text.find(',', at);
            const std::string number =
                bank_text.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
            if (number.empty() || number.size() > 2 || number.find_first_not_of("0123456789") != std::string::npos) {
                throw bad("PCR numbers are 0 to 23");
            }
            const unsigned pcr = static_cast<unsigned>(std::stoul(number));
            if (pcr > 23) throw bad("PCR numbers are 0 to 23");
            for (const unsigned p : bank.pcrs) {
                if (p == pcr) throw bad("PCR " + number + " is listed twice");
            }
            bank.pcrs.push_back(pcr);
            if (comma == std::string::npos) break;
            at = comma + 1;
        }
        for (const auto& b : out) {
            if (b.hash == bank.hash) throw bad("bank " + bank.hash + " is listed twice");
        }
        out.push_back(std::move(bank));
        if (plus == std::string::npos) break;
        start = plus + 1;
    }
    return out;
}

std::string to_string(const PcrSelection& pcrs) {
    std::string out;
    for (const auto& bank : pcrs) {
        if (!out.empty()) out += '+';
        out += bank.hash + ':';
        for (std::size_t i = 0; i < bank.pcrs.size(); ++i) out += (i ? "," : "") + std::to_string(bank.pcrs[i]);
    }
    return out;
}

}  // namespace ovseal::tpm
