# SPDX-License-Identifier: Apache-2.0
"""How the CLI writes its outputs (src/files/output_file.cpp, the one file writer): completely or not at all, never
over something that is not a regular file, and through symbolic links to the file they name."""

import os
import stat


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if ".partial-" in p.name)


def test_seal_through_a_symlink_replaces_its_target_and_keeps_the_link(cli, wd, models, secrets):
    target = wd / "releases" / "model-1.ovseal"
    target.parent.mkdir()
    target.write_bytes(b"an older release")
    link = wd / "current.ovseal"
    link.symlink_to(target)
    cli.ok("seal", models["mlp"], "-o", link, "--key-file", secrets.key1)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes()[:8] != b"an older"
    cli.ok("verify", link, "--key-file", secrets.key1)
    assert leftovers(wd) == [] and leftovers(target.parent) == []


def test_a_dangling_symlink_gets_its_target_created(cli, wd, models, secrets):
    link = wd / "current.ovseal"
    link.symlink_to(wd / "new.ovseal")
    cli.ok("seal", models["mlp"], "-o", link, "--key-file", secrets.key1)
    assert link.is_symlink() and (wd / "new.ovseal").is_file()
    cli.ok("verify", wd / "new.ovseal", "--key-file", secrets.key1)


def test_a_fifo_or_folder_is_refused_and_left_as_it_is(cli, h, wd, models, secrets):
    fifo = wd / "pipe"
    os.mkfifo(fifo)
    folder = wd / "folder"
    folder.mkdir()
    link_to_fifo = wd / "link"
    link_to_fifo.symlink_to(fifo)
    for output in (fifo, folder, link_to_fifo):
        r = cli("seal", models["mlp"], "-o", output, "--key-file", secrets.key1)
        h.assert_error(r, "io", "not a regular file")
    assert stat.S_ISFIFO(fifo.stat().st_mode) and folder.is_dir() and link_to_fifo.is_symlink()
    assert leftovers(wd) == []


def test_a_failed_write_leaves_the_old_file_and_nothing_else(cli, h, wd, models, secrets):
    """The disk fills up mid-write (here: a file-size limit of 16 KiB, whose signal is ignored so that write(2)
    fails with EFBIG, as it would with ENOSPC): the error names the file and the reason, the old file is intact and
    no temporary file survives."""
    output = wd / "model.ovseal"
    output.write_bytes(b"the previous release")
    full_disk = ["bash", "-c", 'trap "" XFSZ; ulimit -f 16; exec "$@"', "full_disk"]
    r = cli.run_wrapped(full_disk, "seal", models["mlp"], "-o", output, "--key-file", secrets.key1)
    h.assert_error(r, "io", "model.ovseal")
    assert "file too large" in r.error_message(), r.describe()
    assert output.read_bytes() == b"the previous release" and leftovers(wd) == []


def test_keygen_refuses_an_existing_name_even_a_dangling_link(cli, h, wd):
    link = wd / "k"
    link.symlink_to(wd / "elsewhere")
    h.assert_error(cli("keygen", "-o", link), "io", "exists")
    assert link.is_symlink() and not (wd / "elsewhere").exists()


def with_umask(mask):
    return ["bash", "-c", f'umask {mask:03o}; exec "$@"', "with_umask"]


def test_modes_follow_the_umask_and_secrets_stay_private(cli, wd, models, secrets):
    cli.run_wrapped(with_umask(0o077), "seal", models["mlp"], "-o", wd / "private.ovseal", "--key-file", secrets.key1)
    assert stat.S_IMODE((wd / "private.ovseal").stat().st_mode) == 0o600
    cli.run_wrapped(with_umask(0o022), "seal", models["mlp"], "-o", wd / "shared.ovseal", "--key-file", secrets.key1)
    assert stat.S_IMODE((wd / "shared.ovseal").stat().st_mode) == 0o644
    # A key is 0600 whatever the umask lets through.
    cli.run_wrapped(with_umask(0o000), "keygen", "-o", wd / "k")
    assert stat.S_IMODE((wd / "k").stat().st_mode) == 0o600


def test_device_init_leaves_what_it_cannot_use_untouched(cli, h, wd):
    taken = wd / "taken"
    taken.write_bytes(b"not a folder")
    taken.chmod(0o644)
    fifo = wd / "fifo"
    os.mkfifo(fifo, 0o644)
    for path in (taken, fifo):
        h.assert_error(cli("device", "init", "-o", path), "io", "not a folder")
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert taken.read_bytes() == b"not a folder"
