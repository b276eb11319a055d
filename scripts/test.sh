#!/usr/bin/env bash
# Sets everything up and runs the whole test suite (C++ unit and API tests, test vectors, the independent
# Python opener, the CLI end to end).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cd build
ctest --output-on-failure -j2 "$@"
