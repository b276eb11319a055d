# SPDX-License-Identifier: Apache-2.0
"""`python -m ovseal install-frontend` copies the packaged frontend library into a folder of OpenVINO libraries.
(The tests never write into the virtualenv's own OpenVINO: they give --openvino-libs.)"""

import subprocess
import sys
from pathlib import Path

import ovseal
from ovseal import _frontend


def test_the_package_ships_the_frontend_library():
    library = _frontend.bundled_library()
    assert library is not None and library.parent == Path(ovseal.__file__).resolve().parent
    assert library.name.startswith("libopenvino_ovseal_frontend.so.")


def test_install_frontend_copies_it(tmp_path):
    run = subprocess.run([sys.executable, "-m", "ovseal", "install-frontend", "--openvino-libs", str(tmp_path)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    library = _frontend.bundled_library()
    installed = tmp_path / library.name
    assert installed.read_bytes() == library.read_bytes()
    assert str(installed) in run.stdout


def test_install_frontend_into_a_missing_folder_fails(tmp_path):
    run = subprocess.run([sys.executable, "-m", "ovseal", "install-frontend", "--openvino-libs",
                          str(tmp_path / "absent")], capture_output=True, text=True)
    assert run.returncode != 0 and "not a folder" in run.stderr


def test_default_folder_is_that_of_the_imported_openvino():
    import openvino
    assert _frontend.openvino_libs() == Path(openvino.__file__).resolve().parent / "libs"
