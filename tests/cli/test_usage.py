# SPDX-License-Identifier: Apache-2.0
"""Bad command-line use: exit code 2 (usage), and a message that says "usage"."""

import pytest


def cases(models, sealed, k, p, out):
    mlp = models["mlp"]
    return {
        "no-arguments": [],
        "unknown-command": ["frobnicate"],
        "seal-no-model": ["seal"],
        "seal-no-output": ["seal", mlp, "--key-file", k],
        "seal-no-secret": ["seal", mlp, "-o", out],
        "seal-bad-chunk-size": ["seal", mlp, "-o", out, "--key-file", k, "--chunk-size", "1000"],
        "seal-bad-scrypt-log2n": ["seal", mlp, "-o", out, "--passphrase-file", p, "--scrypt-log2n", "12"],
        "seal-unknown-option": ["seal", mlp, "-o", out, "--key-file", k, "--no-such-option"],
        "inspect-no-file": ["inspect"],
        "inspect-unknown-option": ["inspect", sealed, "--no-such-option"],
        "verify-no-file": ["verify"],
        "verify-no-secret": ["verify", sealed],
        "verify-key-and-passphrase": ["verify", sealed, "--key-file", k, "--passphrase-file", p],
        "verify-key-file-no-value": ["verify", sealed, "--key-file"],
        "run-no-model": ["run"],
        "run-key-and-passphrase": ["run", sealed, "--key-file", k, "--passphrase-file", p],
        "run-bad-iterations": ["run", sealed, "--key-file", k, "--iterations", "abc"],
        "run-bad-input-spec": ["run", mlp, "--input", "no-equals-sign"],
        "keygen-no-output": ["keygen"],
        "keygen-output-no-value": ["keygen", "-o"],
    }


CASE_IDS = list(cases({"mlp": None}, None, None, None, None))


@pytest.mark.parametrize("case", CASE_IDS)
def test_usage_error(cli, h, wd, models, secrets, seal, case):
    out = wd / "x.ovseal"
    args = cases(models, seal("mlp"), secrets.key1, secrets.pass1, out)[case]
    r = cli(*args)
    h.assert_error(r, "usage")
    if "unknown-option" in case:
        assert "--no-such-option" in r.stderr, r.describe()
    if case == "unknown-command":
        assert "frobnicate" in r.stderr, r.describe()
    assert not out.exists(), "a usage error must not write the output"
    assert list(wd.iterdir()) == [], "a usage error must not write anything"


def test_help(cli):
    r = cli("--help")
    assert r.returncode == 0, r.describe()
    for cmd in ("keygen", "seal", "inspect", "verify", "run"):
        assert cmd in r.stdout, r.describe()


def test_seal_refuses_to_overwrite_its_own_model(cli, h, wd, models, secrets):
    import shutil
    model_dir = wd / "m"
    shutil.copytree(models["mlp"].parent, model_dir)
    xml = model_dir / models["mlp"].name
    weights = xml.with_suffix(".bin")
    before = weights.read_bytes()
    h.assert_error(cli("seal", xml, "-o", weights, "--key-file", secrets.key1), "usage")
    assert weights.read_bytes() == before
