// SPDX-License-Identifier: Apache-2.0
// hello_sealed: seal a model, load it sealed, run inference — the ovseal counterpart of OpenVINO's
// hello_classification sample.
//
//   hello_sealed <model.xml | model.onnx> <output.ovseal>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <numeric>
#include <string_view>
#include <vector>

#include <openvino/openvino.hpp>

#include "ovseal/ovseal.hpp"

namespace {

// Fills every input with the same deterministic values, so the sealed and plain runs see identical inputs.
void fill_inputs(ov::InferRequest& request, const ov::CompiledModel& model) {
    for (std::size_t i = 0; i < model.inputs().size(); ++i) {
        ov::Tensor input = request.get_input_tensor(i);
        float* data = input.data<float>();
        for (std::size_t k = 0; k < input.get_size(); ++k) {
            data[k] = static_cast<float>((k * 37 + i) % 101) / 101.0f;
        }
    }
}

}  // namespace

int main(int argc, char* argv[]) {
    if (argc != 3) {
        std::cerr << "usage: " << argv[0] << " <model.xml | model.onnx> <output.ovseal>\n";
        return 2;
    }
    const std::string model_path = argv[1];
    const std::string sealed_path = argv[2];
    // ovseal prints nothing itself: its notices (e.g. that memory could not be locked, so the plaintext may reach
    // swap) go to the application's handler. This one prints them as the ovseal CLI does.
    ovseal::set_notice_handler(
        [](std::string_view message) { std::cerr << "hello_sealed: warning: " << message << "\n"; });
    try {
        // Step 1. The publisher creates a key and seals the model (normally: `ovseal keygen` and `ovseal seal`).
        const ovseal::Key key = ovseal::Key::generate();
        ovseal::SealOptions options;
        options.name = "hello-sealed";
        ovseal::seal_model(model_path, sealed_path, {key}, options);
        std::cout << "Sealed " << model_path << " into " << sealed_path << "\n";

        // Step 2. Initialize the OpenVINO Runtime Core.
        ov::Core core;

        // Step 3. Read and compile the sealed model. It is authenticated, then decrypted into locked memory that
        // OpenVINO uses directly; nothing decrypted is written anywhere.
        ov::CompiledModel sealed = ovseal::compile_model(core, sealed_path, key, "CPU");

        // Step 4. Create an infer request and set its inputs.
        ov::InferRequest request = sealed.create_infer_request();
        fill_inputs(request, sealed);

        // Step 5. Infer and print the top classes of the first output.
        request.infer();
        const ov::Tensor output = request.get_output_tensor(0);
        const float* scores = output.data<const float>();
        std::vector<std::size_t> order(output.get_size());
        std::iota(order.begin(), order.end(), 0);
        const std::size_t top = std::min<std::size_t>(5, order.size());
        std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(top), order.end(),
                          [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
        std::cout << "Top " << top << " of " << output.get_size() << " (class: score):";
        for (std::size_t i = 0; i < top; ++i) {
            std::cout << "  " << order[i] << ": " << scores[order[i]];
        }
        std::cout << "\n";

        // Step 6. The same inputs through the plain model: the outputs must be identical.
        ov::CompiledModel plain = core.compile_model(model_path, "CPU");
        ov::InferRequest plain_request = plain.create_infer_request();
        fill_inputs(plain_request, plain);
        plain_request.infer();
        const ov::Tensor expected = plain_request.get_output_tensor(0);
        const bool same = expected.get_byte_size() == output.get_byte_size() &&
                          std::memcmp(expected.data(), output.data(), output.get_byte_size()) == 0;
        std::cout << (same ? "Sealed and plain outputs are identical\n" : "Sealed and plain outputs DIFFER\n");
        return same ? 0 : 1;
    } catch (const ovseal::Error& e) {
        std::cerr << "ovseal error (" << ovseal::error_name(e.code()) << "): " << e.what() << "\n";
        return ovseal::exit_code(e.code());
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
}
