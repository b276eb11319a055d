// SPDX-License-Identifier: Apache-2.0
#pragma once

/// ovseal: seal OpenVINO models and load them sealed, decrypting only into protected memory. (What the CLI, the
/// Python package and the frontend do with ovseal's environment variables is ovseal/environment.hpp, a library of
/// its own: ovseal::environment.)

#include "ovseal/error.hpp"
#include "ovseal/hardening.hpp"
#include "ovseal/identity.hpp"
#include "ovseal/key.hpp"
#include "ovseal/key_ring_config.hpp"
#include "ovseal/license.hpp"
#include "ovseal/model_cache_check.hpp"
#include "ovseal/notice.hpp"
#include "ovseal/openvino.hpp"
#include "ovseal/output_file.hpp"
#include "ovseal/progress.hpp"
#include "ovseal/seal.hpp"
#include "ovseal/sealed_file.hpp"
#include "ovseal/version.hpp"
#include "ovseal/secret_bytes.hpp"
