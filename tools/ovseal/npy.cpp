// SPDX-License-Identifier: Apache-2.0
// Reading and writing NumPy .npy files, so `ovseal run` can take inputs and save outputs.

#include "npy.hpp"

#include <charconv>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <string_view>

#include <fmt/core.h>
#include <fmt/format.h>

#include "ovseal/error.hpp"
#include "ovseal/output_file.hpp"

namespace ovseal::cli {
namespace {

constexpr char npy_magic[] = "\x93NUMPY";

struct DtypeName {
    ov::element::Type_t type;
    const char* descr;
};
constexpr DtypeName dtypes[] = {
    {ov::element::Type_t::f32, "<f4"}, {ov::element::Type_t::f64, "<f8"}, {ov::element::Type_t::f16, "<f2"},
    {ov::element::Type_t::i8, "|i1"},  {ov::element::Type_t::u8, "|u1"},  {ov::element::Type_t::i16, "<i2"},
    {ov::element::Type_t::u16, "<u2"}, {ov::element::Type_t::i32, "<i4"}, {ov::element::Type_t::u32, "<u4"},
    {ov::element::Type_t::i64, "<i8"}, {ov::element::Type_t::u64, "<u8"}, {ov::element::Type_t::boolean, "|b1"},
};

[[noreturn]] void bad_npy(const std::filesystem::path& path, const std::string& why) {
    throw Error(ErrorCode::usage, "cannot use '" + path.string() + "' as an input: " + why);
}

// The header is a Python dict literal, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (1, 64), }.
// This reads the three keys NumPy writes with a bounded scan (no regex: its recursion is not bounded).
class HeaderDict {
public:
    HeaderDict(std::string_view text, const std::filesystem::path& path) : m_text(text), m_path(path) {}

    /// The text right after `'key':` and any spaces.
    std::string_view value_of(std::string_view key) const {
        const std::string quoted = "'" + std::string(key) + "'";
        const std::size_t at = m_text.find(quoted);
        if (at == std::string_view::npos) bad_npy(m_path, "its header has no '" + std::string(key) + "'");
        std::size_t i = skip_spaces(at + quoted.size());
        if (i >= m_text.size() || m_text[i] != ':') bad_npy(m_path, "its header is not a dict");
        return m_text.substr(skip_spaces(i + 1));
    }

    std::string quoted_string(std::string_view key) const {
        const auto value = value_of(key);
        const std::size_t close = value.size() > 1 && value[0] == '\'' ? value.find('\'', 1) : std::string_view::npos;
        if (close == std::string_view::npos || close > 16) bad_npy(m_path, "its '" + std::string(key) + "' is bad");
        return std::string(value.substr(1, close - 1));
    }

    ov::Shape shape() const {
        const auto value = value_of("shape");
        const std::size_t close = value.find(')');
        if (value.empty() || value[0] != '(' || close == std::string_view::npos) bad_npy(m_path, "its shape is bad");
        ov::Shape dims;
        std::string_view rest = value.substr(1, close - 1);
        while (!rest.empty()) {
            const std::size_t comma = rest.find(',');
            const std::string_view item = trim(rest.substr(0, comma));
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
            if (item.empty() && trim(rest).empty() && !dims.empty()) break;  // the trailing comma of (n,)
            std::size_t dim = 0;
            const auto [end, error] = std::from_chars(item.data(), item.data() + item.size(), dim);
            if (item.empty() || error != std::errc() || end != item.data() + item.size()) {
                bad_npy(m_path, "its shape holds something other than sizes");
            }
            dims.push_back(dim);
        }
        return dims;
    }

private:
    std::size_t skip_spaces(std::size_t i) const {
        while (i < m_text.size() && m_text[i] == ' ') ++i;
        return i;
    }
    static std::string_view trim(std::string_view s) {
        while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
        while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
        return s;
    }

    std::string_view m_text;
    const std::filesystem::path& m_path;
};

// elements x element size, or nothing if it overflows.
std::optional<std::uint64_t> byte_size(const ov::Shape& shape, std::size_t element_size) {
    std::uint64_t size = element_size;
    for (const auto dim : shape) {
        if (dim != 0 && size > std::numeric_limits<std::uint64_t>::max() / dim) return std::nullopt;
        size *= dim;
    }
    return size;
}

}  // namespace

ov::Tensor read_npy(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error(ErrorCode::io, "cannot open input '" + path.string() + "'");
    }
    char magic[6] = {};
    std::uint8_t version[2] = {};
    in.read(magic, 6);
    in.read(reinterpret_cast<char*>(version), 2);
    if (!in || std::memcmp(magic, npy_magic, 6) != 0) {
        bad_npy(path, "not a .npy file");
    }
    std::uint32_t header_length = 0;
    if (version[0] == 1) {
        std::uint8_t b[2];
        in.read(reinterpret_cast<char*>(b), 2);
        header_length = b[0] | (b[1] << 8);
    } else if (version[0] == 2 || version[0] == 3) {
        std::uint8_t b[4];
        in.read(reinterpret_cast<char*>(b), 4);
        header_length = b[0] | (b[1] << 8) | (b[2] << 16) | (std::uint32_t{b[3]} << 24);
    } else {
        bad_npy(path, "unknown .npy version");
    }
    if (!in || header_length > 65536) {
        bad_npy(path, "bad .npy header");
    }
    std::string header(header_length, '\0');
    in.read(header.data(), header_length);
    if (!in) bad_npy(path, "the file ends inside its header");
    const HeaderDict dict(header, path);
    const std::string descr = dict.quoted_string("descr");
    if (dict.value_of("fortran_order").starts_with("True")) bad_npy(path, "Fortran order");
    const ov::Shape shape = dict.shape();
    const DtypeName* dtype = nullptr;
    for (const auto& d : dtypes) {
        if (descr == d.descr ||
            (descr.size() == 3 && descr[0] == '=' && descr.substr(1) == std::string(d.descr).substr(1))) {
            dtype = &d;
        }
    }
    if (dtype == nullptr) {
        bad_npy(path, "unsupported dtype '" + descr + "' (little-endian numeric types and bool are supported)");
    }
    // The data must be exactly what the shape says: checked against the file before anything is allocated.
    const auto data_start = static_cast<std::uint64_t>(in.tellg());
    const auto data_size = std::filesystem::file_size(path) - data_start;
    const auto expected = byte_size(shape, ov::element::Type(dtype->type).size());
    if (!expected || *expected != data_size) {
        bad_npy(path, "its data does not match its shape and dtype");
    }
    ov::Tensor tensor(ov::element::Type(dtype->type), shape);
    in.read(static_cast<char*>(tensor.data()), static_cast<std::streamsize>(tensor.get_byte_size()));
    if (!in || in.peek() != std::char_traits<char>::eof()) {
        bad_npy(path, "its data does not match its shape and dtype");
    }
    return tensor;
}

void write_npy(const std::filesystem::path& path, const ov::Tensor& tensor) {
    const DtypeName* dtype = nullptr;
    for (const auto& d : dtypes) {
        if (tensor.get_element_type() == ov::element::Type(d.type)) dtype = &d;
    }
    if (dtype == nullptr) {
        throw Error(ErrorCode::usage,
                    "cannot save an output of element type " + tensor.get_element_type().get_type_name() + " as .npy");
    }
    const auto& shape = tensor.get_shape();
    std::string dims;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        dims += fmt::format("{}{}", i ? ", " : "", shape[i]);
    }
    if (shape.size() == 1) dims += ",";
    std::string header = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({}), }}", dtype->descr, dims);
    const std::size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header.push_back('\n');
    const std::uint8_t preamble[] = {0x93,
                                     'N',
                                     'U',
                                     'M',
                                     'P',
                                     'Y',
                                     1,
                                     0,
                                     static_cast<std::uint8_t>(header.size()),
                                     static_cast<std::uint8_t>(header.size() >> 8)};
    write_output_file(path,
                      {preamble, std::span(reinterpret_cast<const std::uint8_t*>(header.data()), header.size()),
                       std::span(static_cast<const std::uint8_t*>(tensor.data()), tensor.get_byte_size())},
                      {.sync = false, .what = "the output"});
}

}  // namespace ovseal::cli
