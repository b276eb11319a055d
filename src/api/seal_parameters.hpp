// SPDX-License-Identifier: Apache-2.0
#pragma once

// SealOptions (public) to the sealer's parameters, shared by seal_model and reseal.

#include "container/sealer.hpp"
#include "ovseal/seal.hpp"

namespace ovseal::api {

/// Recipients' options, signer, chunk size (validated) and the sealing tool and time; the caller fills the
/// model's own metadata.
container::SealParameters seal_parameters(const SealOptions& options);

}  // namespace ovseal::api
