// SPDX-License-Identifier: Apache-2.0
#pragma once

// A PKCS#11 module (a shared library) loaded with dlopen and initialised once per process.

#include <filesystem>
#include <memory>
#include <string>

#include "pkcs11/cryptoki.hpp"

namespace ovseal::pkcs11 {

class Module {
public:
    /// The module at PATH, loaded and initialised (C_Initialize with OS locking) on first use and shared by every
    /// caller; C_Finalize runs and the library is unloaded when the last user lets go. Throws
    /// Error(token_unavailable) when the library cannot be loaded or initialised.
    static std::shared_ptr<Module> load(const std::filesystem::path& path);

    ~Module();
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;

    /// The module's functions (C_OpenSession, C_Sign, ...).
    CK_FUNCTION_LIST& api() const noexcept { return *m_functions; }
    /// The path as the caller gave it (for messages).
    const std::filesystem::path& path() const noexcept { return m_path; }

private:
    Module(std::filesystem::path path, void* handle, CK_FUNCTION_LIST* functions, bool finalize)
        : m_path(std::move(path)), m_handle(handle), m_functions(functions), m_finalize(finalize) {}

    std::filesystem::path m_path;
    void* m_handle;
    CK_FUNCTION_LIST* m_functions;
    bool m_finalize;  // false when someone else in this process had already initialised the module
};

}  // namespace ovseal::pkcs11
