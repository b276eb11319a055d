# SPDX-License-Identifier: Apache-2.0
"""Every relative link of the top-level docs (README.md, TESTING.md, SECURITY.md, docs/*.md, fuzz/README.md) names
a file or folder of the repository, so that moving a section never leaves a dead link behind."""

import re

import pytest

from doc_tables import ROOT

DOCS = ["README.md", "TESTING.md", "SECURITY.md", "fuzz/README.md"] + sorted(
    str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md"))
LINK = re.compile(r"\]\(([^)\s]+)\)")


def relative_links(text):
    for target in LINK.findall(text):
        if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # https:, mailto:, and anchors within the page
        yield target.split("#", 1)[0]


@pytest.mark.parametrize("doc", DOCS)
def test_relative_links_resolve(doc):
    path = ROOT / doc
    assert path.is_file(), f"{doc} is missing"
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.S)  # code blocks are not links
    broken = [t for t in relative_links(text) if not (path.parent / t).exists()]
    assert not broken, f"{doc} links to files that do not exist: {broken}"


def test_the_check_sees_links():
    assert list(relative_links("see [the spec](docs/FORMAT.md#10-errors) and [x](https://example.org)")) == [
        "docs/FORMAT.md"]
