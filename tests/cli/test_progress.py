# SPDX-License-Identifier: Apache-2.0
"""Progress on standard error: on a terminal (forced here with OVSEAL_PROGRESS=1), never otherwise."""


def with_progress(h, value):
    env = h.base_env()
    env["OVSEAL_PROGRESS"] = value
    return env


def test_progress_is_shown_when_asked(cli, h, wd, models, secrets):
    sealed = wd / "m.ovseal"
    r = cli("seal", models["mlp"], "-o", sealed, "--key-file", secrets.key1, env=with_progress(h, "1"))
    assert r.returncode == 0 and "sealing 100%" in r.stderr, r.describe()
    r = cli("verify", sealed, "--key-file", secrets.key1, env=with_progress(h, "1"))
    assert r.returncode == 0 and "verifying 100%" in r.stderr, r.describe()
    r = cli("run", sealed, "--key-file", secrets.key1, env=with_progress(h, "1"))
    assert r.returncode == 0 and "decrypting 100%" in r.stderr, r.describe()


def test_no_progress_off_a_terminal_or_when_turned_off(cli, h, wd, models, secrets):
    sealed = wd / "m.ovseal"
    r = cli("seal", models["mlp"], "-o", sealed, "--key-file", secrets.key1)  # stderr is a pipe here
    assert r.returncode == 0 and "%" not in r.stderr, r.describe()
    for env in (h.base_env(), with_progress(h, "0")):
        r = cli("verify", sealed, "--key-file", secrets.key1, env=env)
        assert r.returncode == 0 and r.stderr == "", r.describe()
