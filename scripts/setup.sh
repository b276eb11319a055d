#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what ovseal needs and builds it. Safe to run again: it only does what is missing.
#   - Debian packages (compiler, CMake, Ninja, OpenSSL 3, CLI11, nlohmann-json, fmt, GoogleTest sources,
#     tpm2-tss and swtpm for TPM 2.0 keys, SoftHSM2 and the PKCS#11 header for HSM keys, clang-14 and its
#     libFuzzer/sanitizer runtimes for the fuzz targets, groff to check the man page, strace for the tests that
#     trace which files a load touches, clang-format-14 for the layout check)
#   - a virtualenv in .venv with the pinned OpenVINO wheel (the C++ SDK) and the test tools
#   - a CMake build in build/
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_packages=(g++ cmake ninja-build pkg-config libssl-dev libcli11-dev nlohmann-json3-dev libfmt-dev googletest
              libtss2-dev swtpm swtpm-tools tpm2-tools softhsm2 libp11-kit-dev clang-14 libclang-rt-14-dev
              groff-base strace clang-format-14)
missing=()
for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "setup: installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "setup: creating the virtualenv .venv (OpenVINO wheel and test tools)"
    if ! "$python" -m venv .venv 2>/dev/null; then
        # Debian's system Python keeps venv in a separate package.
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
        "$python" -m venv .venv
    fi
    .venv/bin/python -m pip install -q -r requirements.txt
    echo "$want" > "$stamp"
fi

openvino_cmake=$(.venv/bin/python -c "from openvino.utils import get_cmake_path; print(get_cmake_path())")
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DOpenVINO_DIR="$openvino_cmake" -DOVSEAL_PYTHON="$root/.venv/bin/python" >/dev/null
cmake --build build

# The Python package ovseal, installed into .venv where the tests import it from. Rebuilt incrementally in
# build-python/ (scikit-build-core's build folder), and skipped when none of its sources changed since the last
# install from this folder.
package_stamp=.venv/.ovseal-package.sha256
package_hash=$( { echo "$root"; find CMakeLists.txt pyproject.toml cmake include src python -type f \
                  -not -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum; } | sha256sum | cut -d' ' -f1)
if [ "$(cat "$package_stamp" 2>/dev/null)" != "$package_hash" ]; then
    echo "setup: installing the Python package ovseal into .venv"
    CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2} .venv/bin/python -m pip install -q \
        --no-build-isolation --no-deps -C build-dir=build-python .
    echo "$package_hash" > "$package_stamp"
fi
