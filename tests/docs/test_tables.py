# SPDX-License-Identifier: Apache-2.0
"""Each table, limit and default is written once; where a copy has to stay (a prose table, a test's own list, an
independent implementation), it is compared here with its source: the ErrorCode enum of include/ovseal/error.hpp
and the defaults of include/ovseal/defaults.hpp. (Code copies are generated instead: the CLI's exit-code help
and man page come from error_name(), the header's messages from src/format/limits.hpp, the Python defaults from
the native module.)"""

import re

import pytest

from doc_tables import ROOT, dict_literal, enum_error_codes, spec_error_codes


@pytest.fixture(scope="module")
def codes():
    return enum_error_codes()


def read(relative):
    return (ROOT / relative).read_text()


def test_the_enum_is_dense_from_zero(codes):
    assert sorted(codes.values()) == list(range(len(codes)))


def test_format_md_table_is_the_enum(codes):
    assert spec_error_codes() == codes


def test_error_names_are_the_enumerators(codes):
    names = dict(re.findall(r"case ErrorCode::(\w+):\s*return \"(\w+)\";", read("src/error.cpp")))
    assert names == {name: name for name in codes}


@pytest.mark.parametrize("path, variable", [
    ("tests/spec_check/ovseal_reference.py", "ERRORS"),  # the independent opener, from the spec
    ("tests/attacks/conftest.py", "CODES"),               # the codes the attack tests name
])
def test_copies_in_tests_agree(codes, path, variable):
    copy = dict_literal(ROOT / path, variable)
    assert copy and {name: codes.get(name) for name in copy} == copy


def defaults():
    text = read("include/ovseal/defaults.hpp")
    value = lambda name: int(re.search(rf"\b{name}\s*=\s*(\d+);", text).group(1))  # noqa: E731
    return value("default_scrypt_log2_n"), value("default_clock_tolerance_seconds")


# (file, a pattern whose group is the value stated in prose, which default it states)
PROSE_DEFAULTS = [
    ("docs/FORMAT.md", r"Writers use `log2_n` = (\d+) unless told otherwise", 0),
    ("docs/THREAT_MODEL.md", r"log2 N (\d+) by default", 0),
    ("docs/THREAT_MODEL.md", r"scrypt with N = 2\^(\d+)", 0),
    ("docs/FORMAT.md", r"by more than a tolerance \(default (\d+) s\)", 1),
    ("README.md", r"`--clock-tolerance` \((\d+) s by default\)", 1),
    ("docs/CLI.md", r"`--clock-tolerance` \((\d+) s by default\)", 1),
    ("docs/FRONTEND.md", r"seconds the clock may go back, default (\d+)", 1),
]


@pytest.mark.parametrize("path, pattern, which", PROSE_DEFAULTS)
def test_prose_states_the_defaults(path, pattern, which):
    found = re.findall(pattern, read(path).replace("\n", " "))
    assert found, f"{path} no longer says {pattern!r}: update this test with the sentence's new place"
    assert {int(v) for v in found} == {defaults()[which]}, (path, pattern)


def test_key_ring_fields_are_those_the_parser_reads():
    """The key-ring table of docs/FRONTEND.md lists every field src/keys/key_ring_config.cpp reads, except the
    inline passphrase, which only the in-process C interface takes (described below the table)."""
    from doc_tables import markdown_table
    documented = {row[0].strip("`") for row in markdown_table(read("docs/FRONTEND.md"), "## The key-ring file")}
    parsed = set(re.findall(r'name == "(\w+)"', read("src/keys/key_ring_config.cpp")))
    assert "passphrase" in parsed and "clock_tolerance" in parsed
    assert documented == parsed - {"passphrase"}
