# SPDX-License-Identifier: Apache-2.0
"""python -m ovseal install-frontend [--openvino-libs DIR]: copies ovseal's OpenVINO frontend library beside the
libraries of the OpenVINO that `import openvino` finds, so that OpenVINO itself finds the "ovseal" frontend."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from . import _frontend


def install_frontend(openvino_libs: Path) -> Path:
    source = _frontend.bundled_library()
    if source is None:
        raise SystemExit("ovseal: this ovseal package has no frontend library to install")
    if not openvino_libs.is_dir():
        raise SystemExit(f"ovseal: {openvino_libs} is not a folder")
    target = openvino_libs / source.name
    shutil.copy2(source, target)
    return target


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ovseal")
    commands = parser.add_subparsers(dest="command", required=True)
    install = commands.add_parser("install-frontend",
                                  help="copy the ovseal frontend library next to OpenVINO's libraries")
    install.add_argument("--openvino-libs", type=Path, default=None,
                         help="the folder of OpenVINO's libraries (default: that of `import openvino`)")
    args = parser.parse_args(argv)
    if args.command == "install-frontend":
        target = install_frontend(args.openvino_libs or _frontend.openvino_libs())
        print(f"installed {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
