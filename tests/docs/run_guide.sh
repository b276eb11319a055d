#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the ```sh blocks of a guide, verbatim, from the repository root: a guide that says "copy-paste" has to
# work when copied and pasted. Usage: tests/docs/run_guide.sh docs/TPM.md
set -euo pipefail
guide=$1
# The guide's own temporary folders go in one folder that is removed afterwards.
export TMPDIR=$(mktemp -d)
script=$TMPDIR/guide.sh
trap 'rm -rf "$TMPDIR"' EXIT
awk '/^```sh$/ { inside = 1; next } /^```$/ { inside = 0 } inside' "$guide" > "$script"
if [ ! -s "$script" ]; then
    echo "no sh block in $guide" >&2
    exit 1
fi
bash "$script"
