// SPDX-License-Identifier: Apache-2.0
#pragma once

// OpenVINO looks for files it was never given: reading a model from a string it tries ".bin" in the working
// directory and, if one is there, takes the weights from it; importing a compiled model reads the model inside it
// the same way. Code that hands OpenVINO plaintext it cannot name by path runs here: on a thread of its own whose
// working directory (and only its: unshare(CLONE_FS)) is a directory in which no file can exist or be created.

#include <functional>

namespace ovseal::openvino {

/// Runs `work` on a thread whose working directory is sealed off, and returns true; rethrows what `work` throws.
/// Returns false without running it where the system refuses a thread its own working directory (a seccomp
/// filter that denies unshare, as container runtimes' defaults do): the caller then does without.
bool run_in_sealed_off_directory(const std::function<void()>& work);

/// Whether this process may give a thread a working directory of its own (tried once).
bool sealed_off_directory_available();

}  // namespace ovseal::openvino
