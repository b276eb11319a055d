# SPDX-License-Identifier: Apache-2.0
"""Holds src/ to the table "Folders and what each may include" of docs/ARCHITECTURE.md: each folder includes
the public headers, its own files and the folders its row names; the frontend includes the public headers only."""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parents[2]
table = (root / "docs" / "ARCHITECTURE.md").read_text()
allowed = {}
for row in re.finditer(r"^\| `src/([a-z0-9_]+)/` \|[^|]*\| ([^|]*) \|$", table, re.M):
    allowed[row.group(1)] = set(re.findall(r"`([a-z0-9_]+)`", row.group(2)))

folders = {p.name for p in (root / "src").iterdir() if p.is_dir()}
problems = [f"src/{f}/ has no row in docs/ARCHITECTURE.md" for f in sorted(folders - allowed.keys())]
problems += [f"docs/ARCHITECTURE.md has a row for src/{f}/, which does not exist" for f in sorted(allowed.keys() - folders)]
include = re.compile(r'^\s*#\s*include\s+"([a-z0-9_]+)/', re.M)
for path in sorted((root / "src").rglob("*")):
    if path.suffix not in (".cpp", ".hpp") or path.parent == root / "src":
        continue
    rel = path.relative_to(root / "src")
    folder = rel.parts[0]
    frontend = rel.parts[:2] == ("openvino", "frontend")
    may = {"ovseal"} if frontend else {"ovseal", folder} | allowed.get(folder, set())
    for target in include.findall(path.read_text()):
        if target not in may:
            where = "the frontend includes only include/ovseal/" if frontend else f"src/{folder}/ may include {sorted(may)}"
            problems.append(f"src/{rel} includes {target}/: {where}")

for p in problems:
    print(f"folder_includes: {p}")
print(f"folder_includes: {len(allowed)} folders, {len(problems)} problems")
sys.exit(1 if problems else 0)
