# SPDX-License-Identifier: Apache-2.0
"""ovseal's OpenVINO frontend library: which file, loaded once through OpenVINO's FrontEndManager, and its C
functions for the per-thread key ring and the last error (through ctypes, on the very same loaded library)."""

from __future__ import annotations

import ctypes
import glob
import json
import os
import threading
from pathlib import Path
from typing import Optional, Tuple

import openvino as ov

from .errors import Error, InternalError, error_for_code

FRAMEWORK = "ovseal"
LIBRARY_PATTERN = "libopenvino_ovseal_frontend.so*"


def openvino_libs() -> Path:
    """The folder of the libraries of the OpenVINO that `import openvino` finds (where it looks for frontends)."""
    return Path(ov.__file__).resolve().parent / "libs"


def bundled_library() -> Optional[Path]:
    """The frontend library shipped in this package, if any."""
    found = sorted(glob.glob(str(Path(__file__).resolve().parent / LIBRARY_PATTERN)))
    return Path(found[-1]) if found else None


def installed_library() -> Optional[Path]:
    """The frontend library installed beside OpenVINO's libraries (`python -m ovseal install-frontend`), if any."""
    found = sorted(glob.glob(str(openvino_libs() / LIBRARY_PATTERN)))
    return Path(found[-1]) if found else None


def library_path() -> Path:
    # OpenVINO discovers an installed copy by itself; using that same file keeps one copy of the library (and so
    # of its per-thread key ring) in the process.
    path = installed_library() or bundled_library()
    if path is None:
        raise InternalError("ovseal's OpenVINO frontend library is missing from the ovseal package")
    return path


class _Frontend:
    def __init__(self) -> None:
        path = library_path()
        self.manager = ov.frontend.FrontEndManager()
        self.manager.register_front_end(FRAMEWORK, str(path))
        self.frontend = self.manager.load_by_framework(FRAMEWORK)
        self.library = ctypes.CDLL(str(path))  # the same handle as the one OpenVINO loaded
        lib = self.library
        lib.ovseal_frontend_set_thread_key_ring.argtypes = [
            ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]
        lib.ovseal_frontend_set_thread_key_ring.restype = ctypes.c_int
        lib.ovseal_frontend_clear_thread_key_ring.argtypes = []
        lib.ovseal_frontend_clear_thread_key_ring.restype = None
        lib.ovseal_frontend_last_error.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
        lib.ovseal_frontend_last_error.restype = ctypes.c_int

    def set_key_ring(self, ring: dict) -> None:
        text = json.dumps(ring).encode("utf-8")
        message = ctypes.create_string_buffer(1024)
        code = self.library.ovseal_frontend_set_thread_key_ring(
            text, len(text), os.getcwd().encode("utf-8"), message, len(message))
        if code != 0:
            raise error_for_code(code, message.value.decode("utf-8", "replace"))

    def clear_key_ring(self) -> None:
        self.library.ovseal_frontend_clear_thread_key_ring()

    def last_error(self) -> Tuple[int, str]:
        message = ctypes.create_string_buffer(1024)
        code = self.library.ovseal_frontend_last_error(message, len(message))
        return code, message.value.decode("utf-8", "replace")


_lock = threading.Lock()
_frontend: Optional[_Frontend] = None


def frontend() -> _Frontend:
    global _frontend
    with _lock:
        if _frontend is None:
            _frontend = _Frontend()
        return _frontend


def convert(path: str, ring: dict) -> "ov.Model":
    """The model of a sealed file, read by the frontend with RING set for this thread; the typed ovseal error
    for any failure it reports."""
    fe = frontend()
    fe.set_key_ring(ring)
    try:
        return fe.frontend.convert(fe.frontend.load(path))
    except Error:
        raise
    except Exception as failure:
        code, message = fe.last_error()
        if code == 0:
            raise
        raise error_for_code(code, message) from None
    finally:
        fe.clear_key_ring()
