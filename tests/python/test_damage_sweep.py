# SPDX-License-Identifier: Apache-2.0
"""A damage sweep through the Python entry points: single-bit flips in every byte of a signed sealed file's
header and trailer and at sampled places in its payload, and truncations, opened under a trust list by `verify` (the native module) and by `read_model` (OpenVINO's
FrontEndManager and the frontend library). Every damaged file is refused with a typed ovseal error, the same
one on both paths, and never with an internal error; flips in the payload are payload authentication
failures."""

import pytest

import ovseal

FLIPS = 160        # sampled positions in the payload
TRUNCATIONS = 40   # sampled lengths from 0 to the full size minus one
SIGNED_TRAILER = 135  # docs/FORMAT.md §8: the trailer ovseal writes when it signs


def outcome(call):
    try:
        call()
    except ovseal.Error as e:
        return type(e)
    except Exception as e:  # anything that is not an ovseal.Error is a finding
        return e
    return None


def positions(size, count):
    step = max(1, size // count)
    return sorted(set(range(step // 2, size, step)) | {0, size - 1})


@pytest.fixture(scope="module")
def signed_file(sealed):
    return sealed["cnn"].signed


def open_both_ways(core, path, secrets):
    keys = dict(key_file=secrets.key_file, trust=[secrets.publisher.public_key])
    by_verify = outcome(lambda: ovseal.verify(path, **keys))
    by_frontend = outcome(lambda: ovseal.read_model(core, path, **keys))
    return by_verify, by_frontend


def test_the_undamaged_file_opens_both_ways(core, signed_file, secrets):
    assert open_both_ways(core, signed_file, secrets) == (None, None)


def test_bit_flips_are_refused_alike_on_both_paths(core, signed_file, secrets, tmp_path, capsys):
    original = signed_file.read_bytes()
    info = ovseal.inspect(signed_file)
    payload = range(info.header_size, len(original) - SIGNED_TRAILER)  # every chunk's ciphertext and tag
    damaged = tmp_path / "flipped.ovseal"
    seen = {}
    trailer = range(len(original) - SIGNED_TRAILER, len(original))
    offsets = [*range(info.header_size), *(payload.start + p for p in positions(len(payload), FLIPS)), *trailer]
    for i, offset in enumerate(offsets):
        data = bytearray(original)
        data[offset] ^= 1 << (i % 8)
        damaged.write_bytes(bytes(data))
        by_verify, by_frontend = open_both_ways(core, damaged, secrets)
        where = f"bit {i % 8} of byte {offset} (header {info.header_size} bytes, file {len(original)})"
        assert isinstance(by_verify, type) and issubclass(by_verify, ovseal.Error), f"{where}: {by_verify!r}"
        assert by_frontend is by_verify, f"{where}: verify {by_verify!r}, read_model {by_frontend!r}"
        assert by_verify is not ovseal.InternalError, where
        if offset in payload:
            assert by_verify is ovseal.PayloadAuthenticationError, f"{where}: {by_verify}"
        elif offset in trailer:
            assert issubclass(by_verify, (ovseal.SignatureError, ovseal.FormatError)), f"{where}: {by_verify}"
        seen[by_verify.__name__] = seen.get(by_verify.__name__, 0) + 1
    with capsys.disabled():
        print(f"\nbit flips: {sum(seen.values())} refused alike by verify and read_model: {seen}")


def test_truncations_are_refused_alike_on_both_paths(core, signed_file, secrets, tmp_path, capsys):
    original = signed_file.read_bytes()
    damaged = tmp_path / "truncated.ovseal"
    seen = {}
    for length in positions(len(original), TRUNCATIONS):
        damaged.write_bytes(original[:length])
        by_verify, by_frontend = open_both_ways(core, damaged, secrets)
        assert isinstance(by_verify, type) and issubclass(by_verify, ovseal.Error), f"{length}: {by_verify!r}"
        assert by_frontend is by_verify, f"{length} bytes: verify {by_verify!r}, read_model {by_frontend!r}"
        assert by_verify in (ovseal.TruncatedError, ovseal.NotOvsealFileError), f"{length} bytes: {by_verify}"
        seen[by_verify.__name__] = seen.get(by_verify.__name__, 0) + 1
    with capsys.disabled():
        print(f"\ntruncations: {sum(seen.values())} refused alike: {seen}")
