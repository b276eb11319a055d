# SPDX-License-Identifier: Apache-2.0
"""When RLIMIT_MEMLOCK is too small, ovseal warns once and still works (memory unlocked)."""

import os
import shutil


def test_memlock_too_small_warns_once_and_works(cli, h, wd, models, secrets, seal):
    # As root, CAP_IPC_LOCK ignores the limit: drop it from the bounding set so the limit applies.
    assert shutil.which("setpriv") and shutil.which("prlimit"), "util-linux's setpriv and prlimit are needed"
    sealed = seal("cnn")
    plain_out = wd / "plain"
    cli.ok("run", models["cnn"], "--save-outputs", plain_out)
    sealed_out = wd / "sealed"
    wrapper = ["prlimit", "--memlock=0"]
    if os.geteuid() == 0:
        wrapper = ["setpriv", "--bounding-set", "-ipc_lock"] + wrapper
    r = cli.run_wrapped(wrapper,
                        "run", sealed, "--key-file", secrets.key1, "--save-outputs", sealed_out)
    assert r.returncode == 0, r.describe()
    assert r.stderr.count("could not lock") == 1, r.describe()
    h.assert_same_outputs(plain_out, sealed_out)
