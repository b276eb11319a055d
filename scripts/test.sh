#!/usr/bin/env bash
# Sets everything up and runs the whole test suite (C++ unit and API tests, test vectors, the independent
# Python opener, the CLI end to end, the guides), then all of it again built with AddressSanitizer and
# UndefinedBehaviorSanitizer (scripts/test_sanitizers.sh, in build-asan/). Arguments go to both ctest runs.
# OVSEAL_SKIP_SANITIZERS=1 runs the normal build's suite only.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
(cd build && ctest --output-on-failure -j2 "$@")
if [ "${OVSEAL_SKIP_SANITIZERS:-}" != "1" ]; then
    bash scripts/test_sanitizers.sh "$@"
fi
