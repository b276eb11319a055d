# SPDX-License-Identifier: Apache-2.0
"""The passphrase prompt: on a terminal, without echo."""

import os
import pty
import select
import time


def run_on_terminal(argv, answers, timeout=60):
    """Runs argv with a pseudo-terminal as its controlling terminal, answering each prompt in turn.
    Returns (exit code, everything the terminal showed)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(argv[0], argv)
    shown = b""
    pending = list(answers)
    deadline = time.time() + timeout
    status = None
    answered_up_to = 0  # answer each prompt once: only output after the last answer can be a new prompt
    while status is None:
        if time.time() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            raise AssertionError("timed out waiting for ovseal on the terminal: " + shown.decode(errors="replace"))
        ready, _, _ = select.select([fd], [], [], 0.5)
        data = b""
        if ready:
            try:
                data = os.read(fd, 4096)
            except OSError:  # the terminal closed: the program ended
                data = b""
            shown += data
            if pending and shown[answered_up_to:].rstrip().endswith(b":"):
                os.write(fd, pending.pop(0) + b"\n")
                answered_up_to = len(shown)
        if not data:
            reaped, st = os.waitpid(pid, os.WNOHANG)
            if reaped:
                status = st
    os.close(fd)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")


def test_seal_and_verify_with_prompted_passphrase(cli, h, wd, models, ovseal_bin):
    secret = b"typed at the prompt, never echoed"
    out = wd / "prompted.ovseal"
    code, shown = run_on_terminal([ovseal_bin, "seal", str(models["mlp"]), "-o", str(out), "--scrypt-log2n", "16"],
                                  [secret, secret])
    assert code == 0, shown
    assert shown.count("Passphrase") == 2, shown  # asked twice when sealing
    assert secret.decode() not in shown, "the passphrase was echoed"
    code, shown = run_on_terminal([ovseal_bin, "verify", str(out)], [secret])
    assert code == 0 and "OK" in shown, shown
    assert secret.decode() not in shown


def test_prompted_passphrases_that_differ_are_refused(cli, h, wd, models, ovseal_bin):
    out = wd / "never.ovseal"
    code, shown = run_on_terminal([ovseal_bin, "seal", str(models["mlp"]), "-o", str(out)], [b"one", b"two"])
    assert code == h.ERRORS["usage"], shown
    assert "differ" in shown
    assert not out.exists()
