// SPDX-License-Identifier: Apache-2.0
// The library's only exported symbols: the two OpenVINO's FrontEndManager looks up, and the C functions an
// application (or ovseal's Python package) uses to give a thread its key ring and to read the last failure.

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

#include <openvino/frontend/manager.hpp>

#include "key_ring_source.hpp"
#include "sealed_frontend.hpp"
#include "ovseal/error.hpp"
#include "ovseal/key_ring_config.hpp"

#define OVSEAL_FRONTEND_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

// Copies as much of `text` as fits, NUL-terminated and never cut inside a UTF-8 sequence.
void copy_text(const std::string& text, char* out, std::size_t out_len) noexcept {
    if (out == nullptr || out_len == 0) return;
    std::size_t n = std::min(text.size(), out_len - 1);
    if (n < text.size()) {
        while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
    }
    std::memcpy(out, text.data(), n);
    out[n] = '\0';
}

}  // namespace

OVSEAL_FRONTEND_EXPORT ov::frontend::FrontEndVersion get_api_version() {
    return OV_FRONTEND_API_VERSION;
}

OVSEAL_FRONTEND_EXPORT void* get_front_end_data() {
    auto* info = new ov::frontend::FrontEndPluginInfo();
    info->m_name = ovseal::frontend::framework_name;
    info->m_creator = [] { return std::make_shared<ovseal::frontend::SealedFrontEnd>(); };
    return info;
}

OVSEAL_FRONTEND_EXPORT int ovseal_frontend_set_thread_key_ring(const char* json, std::size_t json_len,
                                                               const char* base_dir, char* error,
                                                               std::size_t error_len) {
    using namespace ovseal;
    copy_text("", error, error_len);
    frontend::clear_error();
    try {
        if (json == nullptr) throw Error(ErrorCode::usage, "no key-ring JSON given");
        const std::filesystem::path base = base_dir != nullptr ? base_dir : "";
        frontend::set_thread_key_ring(load_key_ring_json(std::string_view(json, json_len), base));
        return 0;
    } catch (const Error& e) {
        frontend::record_error(e.code(), e.what());
    } catch (const std::exception& e) {
        frontend::record_error(ErrorCode::internal, std::string("unexpected failure: ") + e.what());
    }
    copy_text(frontend::last_error().message, error, error_len);
    return static_cast<int>(frontend::last_error().code);
}

OVSEAL_FRONTEND_EXPORT void ovseal_frontend_clear_thread_key_ring(void) {
    ovseal::frontend::clear_thread_key_ring();
}

OVSEAL_FRONTEND_EXPORT int ovseal_frontend_last_error(char* message, std::size_t message_len) {
    const auto& last = ovseal::frontend::last_error();
    copy_text(last.message, message, message_len);
    return static_cast<int>(last.code);
}
