// SPDX-License-Identifier: Apache-2.0
// Loading a PKCS#11 module with dlopen and initializing it once per process, however many users it has.

#include "pkcs11/module.hpp"

#include <dlfcn.h>

#include <map>
#include <mutex>

#include "ovseal/error.hpp"
#include "pkcs11/return_codes.hpp"

namespace ovseal::pkcs11 {
namespace {

// One Module per library file: a second C_Initialize would fail, and finalising while another user still
// holds sessions would break them. The same lock covers loading and unloading, so a module being finalised is
// never handed out again. Function-local, so it outlives any static key that holds a module.
struct Registry {
    std::mutex mutex;
    std::map<std::string, std::weak_ptr<Module>> modules;
};
Registry& registry() {
    static Registry instance;
    return instance;
}

// Under AddressSanitizer a module stays mapped after its last user is gone (it is still finalised, and
// initialised again by the next user): LeakSanitizer reports at exit and cannot name a library that is no
// longer mapped, so a module's own leaks could not be told from ovseal's (tests/sanitizers/lsan.supp).
#if defined(__SANITIZE_ADDRESS__)
constexpr int keep_mapped = RTLD_NODELETE;
#else
constexpr int keep_mapped = 0;
#endif

[[noreturn]] void unavailable(const std::filesystem::path& path, const std::string& why) {
    throw Error(ErrorCode::token_unavailable, "cannot use the PKCS#11 module '" + path.string() + "': " + why +
                                                  " (set it with --pkcs11-module, OVSEAL_PKCS11_MODULE or the URI's "
                                                  "module-path)");
}

}  // namespace

std::shared_ptr<Module> Module::load(const std::filesystem::path& path) {
    // A path is loaded as that file; a bare name ("libsofthsm2.so") through the dynamic loader's search path.
    const bool bare_name = path.string().find('/') == std::string::npos;
    std::error_code ec;
    auto file = bare_name ? path : std::filesystem::weakly_canonical(path, ec);
    if (ec) file = path;
    auto& r = registry();
    const std::lock_guard lock(r.mutex);
    if (auto existing = r.modules[file.string()].lock()) return existing;

    if (!bare_name && !std::filesystem::exists(file)) unavailable(path, "no such file");
    void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL | keep_mapped);
    if (handle == nullptr) {
        const char* why = ::dlerror();
        unavailable(path, why != nullptr ? why : "dlopen failed");
    }
    auto get_function_list = reinterpret_cast<CK_C_GetFunctionList>(::dlsym(handle, "C_GetFunctionList"));
    CK_FUNCTION_LIST* functions = nullptr;
    if (get_function_list == nullptr || get_function_list(&functions) != CKR_OK || functions == nullptr) {
        ::dlclose(handle);
        unavailable(path, "it is not a PKCS#11 module (no usable C_GetFunctionList)");
    }
    CK_C_INITIALIZE_ARGS args{};
    args.flags = CKF_OS_LOCKING_OK;  // ovseal may sign from any thread; the module brings its own locks
    const CK_RV rv = functions->C_Initialize(&args);
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        ::dlclose(handle);
        unavailable(path, "C_Initialize failed: " + return_code_name(rv) + "; for SoftHSM2, check SOFTHSM2_CONF");
    }
    const bool finalize = rv == CKR_OK;
    std::shared_ptr<Module> module(new Module(path, handle, functions, finalize), [](Module* m) {
        const std::lock_guard unload_lock(registry().mutex);
        delete m;
    });
    r.modules[file.string()] = module;
    return module;
}

Module::~Module() {
    if (m_finalize) m_functions->C_Finalize(nullptr);
    ::dlclose(m_handle);
}

}  // namespace ovseal::pkcs11
