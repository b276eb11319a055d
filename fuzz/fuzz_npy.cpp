// SPDX-License-Identifier: Apache-2.0
// The .npy reader of `ovseal run --input NAME=FILE.npy` (tools/ovseal/npy.cpp, NumPy format 1.0/2.0/3.0): magic,
// version, header length, the header dictionary (descr, fortran_order, shape) and the data. It makes OpenVINO
// tensors, so this target links the OpenVINO runtime (nothing else of OpenVINO runs).
// Invariants: only usage (the CLI's contract: "Throws Error(usage) on files it cannot take"); a tensor it returns
// holds exactly shape x element size bytes, all of them from the file, and survives write_npy -> read_npy.

#include <cstring>
#include <stdexcept>

#include "fuzz_support.hpp"
#include "npy.hpp"

using namespace ovseal;
using namespace ovseal::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto path = write_scratch("input.npy", Bytes(data, size));
    ov::Tensor tensor;
    try {
        tensor = cli::read_npy(path);
        if (verbose()) note("read_npy", "ok");
    } catch (const Error& e) {
        check_error("read_npy", e, {ErrorCode::usage});
        return 0;
    } catch (const std::exception& e) {
        fail(std::string("read_npy threw ") + typeid(e).name() + " instead of ovseal::Error: " + e.what());
    }

    // The true number of elements (saturated far above any file size: no overflow).
    constexpr unsigned __int128 cap = static_cast<unsigned __int128>(1) << 80;
    unsigned __int128 elements = 1;
    for (const auto d : tensor.get_shape()) elements = d != 0 && elements > cap / d ? cap : elements * d;
    const auto bytes = elements * tensor.get_element_type().size();
    check(bytes == tensor.get_byte_size(), "read_npy returned a tensor whose size is not its shape's");
    check(bytes <= size && std::equal(static_cast<const std::uint8_t*>(tensor.data()),
                                      static_cast<const std::uint8_t*>(tensor.data()) + tensor.get_byte_size(),
                                      data + size - tensor.get_byte_size()),
          "read_npy returned data that is not the end of the file");

    ov::Tensor again;
    expect("write_npy -> read_npy", {}, [&] {
        cli::write_npy(scratch_dir() / "again.npy", tensor);
        again = cli::read_npy(scratch_dir() / "again.npy");
    });
    check(again.get_element_type() == tensor.get_element_type() && again.get_shape() == tensor.get_shape() &&
              again.get_byte_size() == tensor.get_byte_size() &&
              std::memcmp(again.data(), tensor.data(), tensor.get_byte_size()) == 0,
          "a tensor changed on write_npy -> read_npy");
    return 0;
}
