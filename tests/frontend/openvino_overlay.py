# SPDX-License-Identifier: Apache-2.0
"""An openvino package for PYTHONPATH that is the wheel's plus the ovseal frontend: OpenVINO finds frontends in the
folder of its own libraries, so the package is made of symbolic links to the wheel's files with the frontend added
to libs/, and the wheel itself is left alone. Used by the frontend tests and the attack tests."""

import importlib.util
from pathlib import Path


def make_overlay(site: Path, frontend: Path) -> Path:
    """Builds the package in SITE (an empty folder) and returns SITE, the folder to put first on PYTHONPATH."""
    real = Path(importlib.util.find_spec("openvino").submodule_search_locations[0])
    package = site / "openvino"
    (package / "libs").mkdir(parents=True)
    for entry in real.iterdir():
        if entry.name != "libs":
            (package / entry.name).symlink_to(entry)
    for entry in (real / "libs").iterdir():
        (package / "libs" / entry.name).symlink_to(entry)
    (package / "libs" / frontend.name).symlink_to(frontend)
    return site
