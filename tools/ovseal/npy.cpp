#include "npy.hpp"

#include <cstring>
#include <fstream>
#include <regex>

#include <fmt/core.h>
#include <fmt/format.h>

#include "ovseal/error.hpp"

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
    std::smatch m;
    if (!std::regex_search(header, m, std::regex(R"('descr'\s*:\s*'([^']+)')"))) bad_npy(path, "no dtype");
    const std::string descr = m[1];
    if (std::regex_search(header, m, std::regex(R"('fortran_order'\s*:\s*True)"))) bad_npy(path, "Fortran order");
    if (!std::regex_search(header, m, std::regex(R"('shape'\s*:\s*\(([^)]*)\))"))) bad_npy(path, "no shape");
    ov::Shape shape;
    const std::string dims = m[1];
    const std::regex number(R"(\d+)");
    for (std::sregex_iterator it(dims.begin(), dims.end(), number), end; it != end; ++it) {
        shape.push_back(std::stoull(it->str()));
    }
    const DtypeName* dtype = nullptr;
    for (const auto& d : dtypes) {
        if (descr == d.descr || (descr.size() == 3 && descr[0] == '=' && descr.substr(1) == std::string(d.descr).substr(1))) {
            dtype = &d;
        }
    }
    if (dtype == nullptr) {
        bad_npy(path, "unsupported dtype '" + descr + "' (little-endian numeric types and bool are supported)");
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
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    const std::uint8_t preamble[] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<std::uint8_t>(header.size()),
                                     static_cast<std::uint8_t>(header.size() >> 8)};
    out.write(reinterpret_cast<const char*>(preamble), sizeof preamble);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(static_cast<const char*>(tensor.data()), static_cast<std::streamsize>(tensor.get_byte_size()));
    if (!out) {
        throw Error(ErrorCode::io, "cannot write '" + path.string() + "'");
    }
}

}  // namespace ovseal::cli
