# SPDX-License-Identifier: Apache-2.0
"""Attack: rewrite a sealed file while a device opens it, again and again.

README and THREAT_MODEL promise that with a trust list only models signed by a trusted publisher open, and that
nothing reaches OpenVINO before every byte of it is authenticated. A reader that reads a byte twice and decides
on one copy but uses the other breaks that: flipping the signer field of a file the attacker signed, between the
trusted publisher's key (which passes the trust check) and the attacker's own (under which the signature
verifies), once got an attacker's model loaded in about one try in four.

Here a writer keeps changing the file on disk, as fast as it can, while it is opened many times through every
loading path. Nothing may ever be accepted that was not, at some instant, the complete genuine file: every load
that succeeds computes the genuine model's outputs, every other one fails with an ovseal error, and none crashes.
docs/FORMAT.md §9 ("Read once") is the rule that makes this hold.
"""

import os
import random
import struct
import threading
import time

import pytest

from conftest import CODES

# What a load of a file that is being rewritten may fail with; anything else (internal, io, model_rejected, a
# crash) fails the test.
EXPECTED_FAILURES = {CODES[name] for name in (
    "not_ovseal_file", "unsupported_version", "malformed_header", "no_matching_key", "header_auth_failed",
    "payload_auth_failed", "truncated", "trailing_data", "signature_required", "untrusted_signer", "bad_signature")}

# Loads per path and scenario: many in one process for the in-process paths, fewer for the CLI (a process each).
# The signer race fails fast when it fails (before decrypting), so it gets more tries: against a reader that read
# the trailer twice, about one load in twenty took the forged model.
LOADS = {"cli": 12, "cpp": 60, "frontend": 40, "python": 40}
SIGNER_LOADS = {"cli": 40, "cpp": 1000, "frontend": 500, "python": 500}

SIGNATURE_RECORD = 6 + 1 + 32 + 32 + 64  # trailer record header, algorithm, model id, signer, signature (§8.1)


class Writer:
    """A thread that applies `changes` to a file in turn, undoing each, until stopped. Each change is a function
    of the open descriptor that returns its undo. Each state lasts up to `hold` seconds (at random), so that some
    loads see the file whole and others see it change under them."""

    def __init__(self, path, changes, hold):
        self.fd = os.open(path, os.O_RDWR)
        self.changes = changes
        self.hold = hold
        self.random = random.Random(7)
        self.stop = threading.Event()
        self.rounds = 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.is_set():
            for change in self.changes:
                undo = change(self.fd)
                self.pause()
                undo()
                self.pause()
            self.rounds += 1

    def pause(self):
        if self.hold:
            time.sleep(self.random.uniform(0, self.hold))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        os.close(self.fd)


def flip(offset, mask=0x01):
    def change(fd):
        original = os.pread(fd, 1, offset)
        os.pwrite(fd, bytes([original[0] ^ mask]), offset)
        return lambda: os.pwrite(fd, original, offset)
    return change


def replace(offset, data):
    def change(fd):
        original = os.pread(fd, len(data), offset)
        os.pwrite(fd, data, offset)
        return lambda: os.pwrite(fd, original, offset)
    return change


def resize(delta):
    def change(fd):
        size = os.fstat(fd).st_size
        tail = os.pread(fd, max(0, -delta), size + delta) if delta < 0 else b""
        os.ftruncate(fd, size + delta)

        def undo():
            os.ftruncate(fd, size)
            if tail:
                os.pwrite(fd, tail, size + delta)
        return undo
    return change


def whole(content, other):
    def change(fd):
        os.pwrite(fd, other, 0)
        os.ftruncate(fd, len(other))

        def undo():
            os.pwrite(fd, content, 0)
            os.ftruncate(fd, len(content))
        return undo
    return change


def header_length(data):
    return struct.unpack_from("<I", data, 12)[0]


def scenario(name, world):
    """The file the device opens, and what the writer keeps doing to it."""
    genuine = world.genuine.read_bytes()
    forged = world.forged.read_bytes()
    if name == "signer":
        # The attacker's own signed model; its signer field flips between the trusted key and the attacker's every
        # few tens of microseconds (about the time between two reads of the trailer in a reader that reads twice).
        signer = len(forged) - SIGNATURE_RECORD + 6 + 1 + 32
        trusted = world.public_key_bytes(world.trusted)
        assert forged[signer:signer + 32] == world.public_key_bytes(world.keys / "attacker.key.pub")
        return forged, [replace(signer, trusted)], 0.00004
    if name == "damage":
        # A chunk, the header MAC, a stanza, the signature, the model id claim, S, the length.
        h = header_length(genuine)
        return genuine, [flip(h + 5000), flip(h - 1), flip(30), flip(len(genuine) - 1), flip(len(genuine) - 100),
                         flip(16), resize(-4096), resize(+16)], 0.002
    assert name == "swap"
    return genuine, [whole(genuine, forged)], 0.002


@pytest.mark.parametrize("name", ["signer", "damage", "swap"])
def test_a_racing_writer_never_gets_anything_but_the_genuine_model_accepted(loader, world, reference, tmp_path,
                                                                             name):
    expected = reference(loader.path, world.genuine)
    forged = reference(loader.path, world.forged, keyring=world.attacker_keyring)
    content, changes, hold = scenario(name, world)
    target = tmp_path / "model.ovseal"
    target.write_bytes(content)
    started = time.monotonic()
    with Writer(target, changes, hold) as writer:
        results = loader.load(target, repeat=(SIGNER_LOADS if name == "signer" else LOADS)[loader.path])
    elapsed = time.monotonic() - started
    accepted = [digest for status, digest in results if status == "ok"]
    failures = sorted({code for status, code in results if status == "error"})
    print(f"{loader.path} {name}: {len(results)} loads in {elapsed:.1f} s, {writer.rounds} writer rounds, "
          f"{len(accepted)} accepted, failures {failures}")
    assert writer.rounds > 0
    assert forged not in accepted, "a model signed by an untrusted key was accepted"
    others = [digest for digest in accepted if digest != expected]
    assert not others, f"loads accepted something other than the genuine model ({expected}): {others}"
    assert set(failures) <= EXPECTED_FAILURES, f"unexpected failures: {failures}"
