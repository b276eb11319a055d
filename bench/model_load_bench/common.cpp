// SPDX-License-Identifier: Apache-2.0
// Helpers every part of the load benchmark shares: medians, /proc field readers and variant lookup.

#include "common.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace bench {

double median(std::vector<double> values) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const std::size_t mid = values.size() / 2;
    return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

std::map<std::string, double> proc_fields(const fs::path& file) {
    std::map<std::string, double> fields;
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::istringstream value(line.substr(colon + 1));
        double number = 0;
        if (value >> number) fields[line.substr(0, colon)] = number;
    }
    return fields;
}

std::string read_text(const fs::path& file) {
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

const VariantInfo& variant_named(const std::string& name) {
    for (const auto& v : variants) {
        if (name == v.name) return v;
    }
    throw std::invalid_argument("unknown variant '" + name + "'");
}

}  // namespace bench
