#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the whole test suite again in build-asan/: everything built here compiled with AddressSanitizer and
# UndefinedBehaviorSanitizer (-DOVSEAL_SANITIZE=address,undefined), against the same .venv and OpenVINO wheel.
# ctest sets the sanitizers' options and suppressions for every test (tests/sanitizers/). Arguments go to
# ctest (e.g. -R cli). scripts/test.sh runs this after the normal suite.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash scripts/setup.sh

openvino_cmake=$(.venv/bin/python -c "from openvino.utils import get_cmake_path; print(get_cmake_path())")
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOVSEAL_SANITIZE=address,undefined \
    -DOpenVINO_DIR="$openvino_cmake" -DOVSEAL_PYTHON="$root/.venv/bin/python" >/dev/null
cmake --build build-asan
cd build-asan
ctest --output-on-failure -j2 "$@"
