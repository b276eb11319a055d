# SPDX-License-Identifier: Apache-2.0
"""`ovseal run --input NAME=FILE.npy` with malformed .npy files: each is a usage error (2) with a clear message,
never a crash, an out-of-range exception or an attempt to allocate what the shape claims. The first four cases
are what the .npy fuzz target found (fuzz/crashes/)."""

import struct

import numpy as np
import pytest


def npy(header: bytes, data: bytes = b"", declared_length=None, version=1):
    """A .npy file: magic, version, header length (declared_length, or the real one), header, data."""
    length = len(header) if declared_length is None else declared_length
    size = struct.pack("<H", length) if version == 1 else struct.pack("<I", length)
    return b"\x93NUMPY" + bytes([version, 0]) + size + header + data


CASES = {
    # The header declares 0x7eff bytes but the file ends after 8 of them.
    "short-header": npy(b"{'descr':'", declared_length=0x7EFF),
    # 32,000 characters inside the dtype string (a regex would recurse once per character).
    "long-descr": npy(b"{'descr': '" + b"a" * 32000 + b"', 'fortran_order': False, 'shape': (1,), }\n"),
    "dimension-over-u64": npy(b"{'descr': '|u1', 'fortran_order': False, 'shape': (99999999999999999999999,), }\n"),
    "size-overflows": npy(b"{'descr': '|u1', 'fortran_order': False, 'shape': (4294967296, 4294967296), }\n"),
    "terabyte-tensor": npy(b"{'descr': '|u1', 'fortran_order': False, 'shape': (1000000000000,), }\n", b"\0" * 4),
    "negative-dimension": npy(b"{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 64), }\n"),
    "no-shape": npy(b"{'descr': '<f4', 'fortran_order': False, }\n"),
    "too-little-data": npy(b"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 64), }\n", b"\0" * 255),
    "too-much-data": npy(b"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 64), }\n", b"\0" * 257),
    "fortran-order": npy(b"{'descr': '<f4', 'fortran_order': True, 'shape': (1, 64), }\n", b"\0" * 256),
    "big-endian": npy(b"{'descr': '>f4', 'fortran_order': False, 'shape': (1, 64), }\n", b"\0" * 256),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_npy_is_a_usage_error(cli, h, wd, secrets, seal, case):
    f = wd / f"{case}.npy"
    f.write_bytes(CASES[case])
    r = cli("run", seal("mlp"), *h.secret_args(secrets, "key1"), "--input", f"input={f}")
    h.assert_error(r, "usage", "input")


def test_a_well_formed_npy_still_runs(cli, h, wd, secrets, seal):
    f = wd / "x.npy"
    np.save(f, np.zeros((1, 64), dtype=np.float32))
    cli.ok("run", seal("mlp"), *h.secret_args(secrets, "key1"), "--input", f"input={f}")


@pytest.mark.parametrize("shape", [(1, 1023), (), (64,), (2, 64)])
def test_a_well_formed_npy_of_the_wrong_shape_is_a_usage_error(cli, h, wd, secrets, seal, shape):
    f = wd / "wrong.npy"
    np.save(f, np.zeros(shape, dtype=np.float32))
    r = cli("run", seal("mlp"), *h.secret_args(secrets, "key1"), "--input", f"input={f}")
    h.assert_error(r, "usage", "shape")
