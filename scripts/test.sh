#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sets everything up and runs the whole test suite: a short run of every fuzz target (scripts/fuzz.sh --smoke;
# OVSEAL_SKIP_FUZZ=1 leaves it out), then the C++ unit and API tests, test vectors, the independent Python
# opener, the CLI end to end, the Python package and the guides (ctest); then all of it again built with
# AddressSanitizer and UndefinedBehaviorSanitizer (scripts/test_sanitizers.sh, in build-asan/; about 30 minutes
# more on two cores; OVSEAL_SANITIZERS=0 leaves that out). Arguments go to the ctest runs. A failed fuzz run
# fails the script after ctest has run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
fuzz_status=0
if [ "${OVSEAL_SKIP_FUZZ:-0}" != 1 ]; then
    bash scripts/fuzz.sh --smoke || fuzz_status=$?
fi
(cd build && ctest --output-on-failure -j2 "$@")
if [ "${OVSEAL_SANITIZERS:-1}" != 0 ]; then
    bash scripts/test_sanitizers.sh "$@"
fi
if ((fuzz_status != 0)); then
    echo "test: the fuzz smoke run failed (see 'fuzz:' above)"
    exit "$fuzz_status"
fi
