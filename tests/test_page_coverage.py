"""The rule that lets a page's run stand for a snippet file's run alone refuses what it should."""

from __future__ import annotations

import shutil

import pytest

from page_coverage import coverage, page_lines
from tests_support import ROOT

SNIPPET = '''\
"""A file for the coverage rule."""

# --8<-- [start:one]
import sys

value = 2
print(value)
#> 2
# --8<-- [end:one]

if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    print("a child process only")

# --8<-- [start:two]
assert value == 2
# --8<-- [end:two]
'''


@pytest.fixture(autouse=True)
def _fresh_cache():
    page_lines.cache_clear()
    yield
    page_lines.cache_clear()


def check(tmp_path, *fences: tuple[str, ...], snippet: str = SNIPPET):
    """Coverage of one probe file in a project of one page whose fences include the given sections."""
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    (tmp_path / "snippets" / "cover").mkdir(parents=True, exist_ok=True)
    path = tmp_path / "snippets" / "cover" / "probe.py"
    path.write_text(snippet, encoding="utf-8")
    (tmp_path / "docs").mkdir()
    includes = ["\n".join(f'--8<-- "snippets/cover/probe.py:{s}"' for s in fence) for fence in fences]
    page = "\n".join(f"```python\n{body}\n```\n" for body in includes)
    (tmp_path / "docs" / "cover.md").write_text(page, encoding="utf-8")
    return coverage(path, tmp_path / "docs")


def test_every_section_in_order_covers_the_file(tmp_path):
    found = check(tmp_path, ("one",), ("two",))
    assert found.page is not None, found.reason
    assert found.page.name == "cover.md"


def test_a_section_the_page_leaves_out_is_named(tmp_path):
    found = check(tmp_path, ("one",))
    assert found.page is None
    assert found.reason == "line 15 is not shown on docs/cover.md"


def test_sections_out_of_order_are_refused(tmp_path):
    found = check(tmp_path, ("two",), ("one",))
    assert found.page is None
    assert found.reason == "line 15 runs on docs/cover.md before the lines above it"


def test_code_outside_the_sections_is_refused(tmp_path):
    found = check(tmp_path, ("one",), ("two",), snippet=SNIPPET + "print('only when run alone')\n")
    assert found.page is None
    assert found.reason == "line 17 is not shown on docs/cover.md"


def test_a_plain_main_block_is_code_a_run_alone_executes(tmp_path):
    plain = SNIPPET.replace(' and sys.argv[1:2] == ["--worker"]:', ":")
    found = check(tmp_path, ("one",), ("two",), snippet=plain)
    assert found.page is None
    assert found.reason == "line 11 is not shown on docs/cover.md"


def test_an_import_of_a_sibling_the_page_never_ran_is_refused(tmp_path):
    (tmp_path / "snippets" / "cover").mkdir(parents=True, exist_ok=True)
    (tmp_path / "snippets" / "cover" / "helper.py").write_text("x = 1\n", encoding="utf-8")
    importing = SNIPPET.replace("\n\n# --8<-- [start:one]", "\nfrom helper import x\n\n# --8<-- [start:one]")
    found = check(tmp_path, ("one",), ("two",), snippet=importing)
    assert found.page is None
    assert found.reason == "line 2 imports helper.py, which cover.md does not run earlier"


TWIN = "# --8<-- [start:same]\nprint('only when run alone')\n# --8<-- [end:same]\n"


@pytest.mark.parametrize(
    ("twin", "where", "reason"),
    [
        (TWIN, "after", ""),
        (TWIN.replace("alone", "alone!"), "after", "line 17 is not shown on docs/cover.md"),
        (TWIN, "before", "line 17 is not shown on docs/cover.md"),
    ],
    ids=["same-text-after", "other-text", "same-text-earlier"],
)
def test_a_line_left_out_is_covered_only_by_the_same_text_run_at_that_point(tmp_path, twin, where, reason):
    (tmp_path / "snippets" / "cover").mkdir(parents=True, exist_ok=True)
    (tmp_path / "snippets" / "cover" / "twin.py").write_text(twin, encoding="utf-8")
    check(tmp_path, ("one",), ("two",), snippet=SNIPPET + "print('only when run alone')\n")
    page = tmp_path / "docs" / "cover.md"
    fence = '```python\n--8<-- "snippets/cover/twin.py:same"\n```\n'
    text = page.read_text(encoding="utf-8")
    page.write_text(text + fence if where == "after" else fence + text, encoding="utf-8")
    page_lines.cache_clear()
    found = coverage(tmp_path / "snippets" / "cover" / "probe.py", tmp_path / "docs")
    assert (found.page is not None) == (not reason), found.reason
    assert found.reason == reason
