# SPDX-License-Identifier: Apache-2.0
"""The one software-TPM harness of the tests: starts swtpm (a TPM 2.0 simulator) on loopback ports for the TPM tests
of the CLI (tests/cli/conftest_tpm.py imports it) and of the C++ API (tests/unit/swtpm.cpp runs it as a program),
and reads the TPM commands swtpm logged.

Each swtpm serves one TPM with its state (seeds, NV) in its own folder: the same folder after a restart is the same
TPM (same owner seed, so the same storage primary key; PCRs back to zero, as swtpm runs TPM2_Startup(CLEAR) on every
start), a new folder is another device.

Ports: the TCTI `swtpm:port=P` also uses P+1 (control channel). The harness binds and listens on P+1 itself and
hands that socket to swtpm (`--ctrl type=tcp,fd=N`), so no other test (ctest runs several at once) can take it;
swtpm binds P, and if P was taken meanwhile swtpm exits and the start is retried on other ports. The TPM is ready
when it answers a TPM2_GetRandom on P. swtpm logs every command it receives (`--log level=5`): command_codes()
lists their codes, so a test can count what an operation costs the TPM (count, never time).

swtpm is a child of the process that started it and is killed when that process dies (PR_SET_PDEATHSIG).

As a program (standard library only; started once per TPM, so it answers on its standard output):
    swtpm_harness.py serve --state DIR --log FILE --command-log FILE
        reads one request per line on its standard input and answers each with one line:
        "start" -> "started PORT" once the TPM answers (on the ports of the previous start if they are free), or
                   "failed MESSAGE";
        "stop" -> "stopped" once swtpm has exited;
        "commands" -> "commands CODE CODE ..." (decimal), what command_codes() returns.
        At the end of its standard input, or on SIGTERM, it stops swtpm and exits.
"""

import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

SWTPM = shutil.which("swtpm")
START_TIMEOUT = 10.0   # seconds for swtpm to answer; it takes a few tens of milliseconds
STOP_TIMEOUT = 10.0    # seconds for swtpm to exit after SIGTERM before it is killed
START_ATTEMPTS = 5

# TPM2_GetRandom(8): tag NO_SESSIONS, size 12, command code 0x17b, bytesRequested 8.
_GET_RANDOM = bytes.fromhex("80010000000c0000017b0008")


def _die_with_parent_function():
    """What the child runs before exec: SIGKILL when the process that started it dies, whatever way it dies.
    (ctypes is imported only here: the C++ tests start a harness per TPM, and its start-up time counts.)"""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    return lambda: libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _listen(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
        s.listen(8)
    except OSError:
        s.close()
        raise
    return s


def _pick_ports():
    """A free port P with P+1 free too: (P, a socket listening on P+1)."""
    for _ in range(200):
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
            if port >= 65535:
                continue
            try:
                return port, _listen(port + 1)
            except OSError:
                continue
        finally:
            probe.close()
    raise RuntimeError("no free pair of loopback ports for swtpm")


def _answers(port):
    """True if a TPM on 127.0.0.1:PORT answers TPM2_GetRandom with success."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as s:
            s.sendall(_GET_RANDOM)
            response = b""
            while len(response) < 10:
                chunk = s.recv(64)
                if not chunk:
                    return False
                response += chunk
    except OSError:
        return False
    return response[:2] == b"\x80\x01" and response[6:10] == b"\0\0\0\0"


def _spawn(port, ctrl, state, log, command_log):
    with open(log, "ab") as out:
        return subprocess.Popen(
            [SWTPM, "socket", "--tpm2",
             "--server", f"type=tcp,port={port},bindaddr=127.0.0.1",
             "--ctrl", f"type=tcp,fd={ctrl.fileno()}",
             "--tpmstate", f"dir={state}",
             "--flags", "not-need-init,startup-clear",
             "--log", f"file={command_log},level=5"],  # level 5: every command and response
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            pass_fds=(ctrl.fileno(),), preexec_fn=_die_with_parent_function())


def start(state, log, command_log, port=None):
    """Starts swtpm on the state folder STATE (on PORT and PORT+1 if given and free, else on free ports) and waits
    until the TPM answers: (the swtpm process, its port). Raises RuntimeError with the end of LOG if it does not
    start."""
    if SWTPM is None:
        raise RuntimeError("swtpm is not installed")
    failures = []
    for attempt in range(START_ATTEMPTS):
        chosen, ctrl = None, None
        if port is not None and attempt == 0:
            try:
                chosen, ctrl = port, _listen(port + 1)
            except OSError:
                pass
        if ctrl is None:
            chosen, ctrl = _pick_ports()
        try:
            proc = _spawn(chosen, ctrl, state, log, command_log)
        finally:
            ctrl.close()
        deadline = time.monotonic() + START_TIMEOUT
        while proc.poll() is None and time.monotonic() < deadline:
            if _answers(chosen):
                return proc, chosen
            time.sleep(0.005)
        failures.append(f"port {chosen}: exit code {proc.poll()}")
        stop(proc)
    raise RuntimeError(f"swtpm did not start ({'; '.join(failures)}); log {log}:\n"
                       + Path(log).read_text(errors="replace")[-2000:])


def stop(proc):
    """Stops swtpm (SIGTERM, then SIGKILL) and reaps it. Polled every 5 ms: Popen.wait(timeout) backs off to 50 ms
    between polls, which a test that restarts its TPM often would pay each time."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=STOP_TIMEOUT)


def command_codes(command_log):
    """The command codes (TPM_CC) of every command in swtpm's log, in order: each is a line
    "SWTPM_IO_Read: length N" followed by its bytes in hex, 16 per line (tag 2, size 4, command code 4, ...)."""
    codes = []
    try:
        lines = Path(command_log).read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return codes
    for i, line in enumerate(lines[:-1]):
        if "SWTPM_IO_Read:" in line:
            data = lines[i + 1].split()
            if len(data) >= 10:
                codes.append(int("".join(data[6:10]), 16))
    return codes


def _serve(state, log, command_log):
    proc, port = None, None

    def stop_and_exit(*_):
        if proc is not None:
            stop(proc)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop_and_exit)
    for request in sys.stdin:
        request = request.strip()
        if request == "start" and proc is not None:
            answer = "failed swtpm is already running"
        elif request == "start":
            try:
                proc, port = start(state, log, command_log, port)
                answer = f"started {port}"
            except RuntimeError as e:
                answer = "failed " + " | ".join(str(e).splitlines())
        elif request == "stop":
            if proc is not None:
                stop(proc)
                proc = None
            answer = "stopped"
        elif request == "commands":
            answer = " ".join(["commands"] + [str(c) for c in command_codes(command_log)])
        else:
            answer = f"failed unknown request {request!r}"
        print(answer, flush=True)
    stop_and_exit()


def main(argv=None):
    """`serve --state DIR --log FILE --command-log FILE` (no argparse: it would double the start-up time)."""
    argv = sys.argv[1:] if argv is None else argv
    options = dict(zip(argv[1::2], argv[2::2]))
    if argv[:1] != ["serve"] or sorted(options) != ["--command-log", "--log", "--state"] or len(argv) != 7:
        print("usage: swtpm_harness.py serve --state DIR --log FILE --command-log FILE", file=sys.stderr)
        return 2
    return _serve(options["--state"], options["--log"], options["--command-log"])


if __name__ == "__main__":
    sys.exit(main())
