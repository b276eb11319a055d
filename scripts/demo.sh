#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The main job: seal the built-in sample model, load it sealed into OpenVINO, run inference, and show that
# the outputs equal the plain model's bit for bit.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
ovseal=build/tools/ovseal/ovseal
work=build/demo
rm -rf "$work" && mkdir -p "$work"

echo "== 1. The publisher makes the sample model (OpenVINO IR) and a key"
.venv/bin/python samples/make_models.py "$work/models" --only sample
$ovseal keygen -o "$work/publisher.key"

echo "== 2. Seal it"
$ovseal seal "$work/models/sample/model.xml" -o "$work/sample.ovseal" -k "$work/publisher.key" \
    --name ovseal-sample-cnn --version 1.0 --description "ovseal demo model"
$ovseal inspect "$work/sample.ovseal"
$ovseal verify "$work/sample.ovseal" -k "$work/publisher.key"

echo "== 3. The device loads it sealed (decrypted only in memory) and runs inference"
$ovseal run "$work/sample.ovseal" -k "$work/publisher.key" --save-outputs "$work/sealed-outputs"

echo "== 4. The same inputs through the plain model, for comparison"
$ovseal run "$work/models/sample/model.xml" --save-outputs "$work/plain-outputs"

echo "== 5. The C++ API sample (samples/hello_sealed)"
build/samples/hello_sealed/hello_sealed "$work/models/sample/model.xml" "$work/hello.ovseal"

echo "== 6. Compare"
.venv/bin/python - "$work/sealed-outputs" "$work/plain-outputs" <<'PY'
import pathlib, sys
import numpy as np
sealed, plain = map(pathlib.Path, sys.argv[1:3])
names = sorted(p.name for p in plain.glob("*.npy"))
assert names and names == sorted(p.name for p in sealed.glob("*.npy")), "different outputs"
for name in names:
    a, b = np.load(sealed / name), np.load(plain / name)
    assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes(), f"{name} differs"
    print(f"{name}: {a.dtype} {a.shape} identical, argmax {int(a.argmax())}")
print("OK: the sealed model's outputs equal the plain model's bit for bit")
PY
