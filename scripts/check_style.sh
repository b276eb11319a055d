#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Checks that every source file opens the same way and is laid out alike: an SPDX line and a comment saying what the
# file is for at the top, clang-format's layout (.clang-format), and one spelling ("license", as the commands say).
# Run by ctest as "style"; exits non-zero and names each file that breaks a rule.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
report=$(mktemp)
trap 'rm -f "$report"' EXIT

mapfile -t sources < <(git ls-files '*.cpp' '*.hpp' '*.py' '*.pyi' '*.sh' '*.cmake' 'CMakeLists.txt' '*/CMakeLists.txt' .ci/run)
for f in "${sources[@]}"; do
    case "$f" in *.cpp | *.hpp) mark='//' ;; *) mark='#' ;; esac
    # The first line that is not a shebang is the SPDX line; the first line after it that is neither blank nor
    # '#pragma once' is a comment (or a Python docstring) saying what the file is for.
    spdx=$(grep -v '^#!' "$f" | head -1 || true)
    if [ "$spdx" != "$mark SPDX-License-Identifier: Apache-2.0" ]; then
        echo "style: $f: the first line is not '$mark SPDX-License-Identifier: Apache-2.0'"
        status=1
        continue
    fi
    purpose=$(grep -v '^#!' "$f" | tail -n +2 | grep -v '^\s*$' | grep -v '^#pragma once$' | head -1 || true)
    case "$purpose" in
        "$mark"* | '"""'*) ;;
        *) echo "style: $f: no comment saying what the file is for after the SPDX line"; status=1 ;;
    esac
done

mapfile -t cxx < <(git ls-files '*.cpp' '*.hpp')
if ! clang-format-14 --dry-run --Werror "${cxx[@]}" 2>"$report"; then
    grep -E '^[^ ]+:[0-9]+:[0-9]+: (error|warning)' "$report" | head -20 | sed 's/^/style: /'
    echo "style: the lines above are not laid out as .clang-format says: run clang-format-14 -i on their files"
    status=1
fi

# The project's width: clang-format keeps code within it, but leaves comments as they are written.
if awk 'length($0) > 120 { print "style: " FILENAME ":" FNR ": longer than 120 columns"; found = 1 } END { exit found }' \
        "${cxx[@]}"; then :; else status=1; fi

# One spelling. The format's own label "ovseal-v1 licence" is bytes of every license (docs/FORMAT.md §13), and the
# test vectors (with the generator's descriptions in their manifest) and the fuzz corpus are fixed bytes too.
if git grep -n -I -i 'licence' -- ':!fuzz/corpus' ':!tests/vectors' | grep -v 'ovseal-v1 licence'; then
    echo "style: write 'license', as the commands do"
    status=1
fi
exit "$status"
