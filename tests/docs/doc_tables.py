# SPDX-License-Identifier: Apache-2.0
"""The tables that the docs and the tests share, read from their one source: the error codes from
include/ovseal/error.hpp (the enum) and docs/FORMAT.md §10 (the spec's table), and a dict literal of a Python file,
so that a copy can be compared with its source instead of being typed again."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def enum_error_codes(path=ROOT / "include" / "ovseal" / "error.hpp"):
    """{name: value} of `enum class ErrorCode` in the public header."""
    text = Path(path).read_text()
    body = re.search(r"enum class ErrorCode[^{]*\{(.*?)\};", text, re.S).group(1)
    codes = {name: int(value) for name, value in re.findall(r"^\s*(\w+)\s*=\s*(\d+)\s*,", body, re.M)}
    assert codes, f"no enumerators found in {path}"
    return codes


def markdown_table(text, heading):
    """The rows (lists of cells) of the first table after the line `heading` in a markdown text."""
    lines = text.splitlines()
    start = lines.index(heading)
    rows, inside = [], False
    for line in lines[start + 1:]:
        if line.startswith("|"):
            inside = True
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                rows.append(cells)
        elif inside or line.startswith("#"):
            break
    return rows[1:]  # without the header row


def spec_error_codes(path=ROOT / "docs" / "FORMAT.md"):
    """{name: value} of the table of docs/FORMAT.md §10."""
    rows = markdown_table(Path(path).read_text(), "## 10. Errors")
    codes = {name: int(value) for value, name, *_ in rows}
    assert codes, f"no error table in §10 of {path}"
    return codes


def dict_literal(path, variable):
    """The value of `variable = {...}` at the top level of a Python file, without importing it."""
    tree = ast.parse(Path(path).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == variable for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{path} has no top-level {variable} = ...")
