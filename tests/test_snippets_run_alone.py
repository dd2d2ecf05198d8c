"""Every snippet file is a complete program: it runs on its own and prints what its #> lines say.

A file that one page runs whole, in its own order (tests/page_coverage.py), is not run again here:
that run would repeat the page's, child processes and training included. The test checks instead
that the page still runs all of it, so a line added outside the page's sections moves the file back
to being run alone.
"""

from __future__ import annotations

import contextlib
import io
import runpy
import sys

import pytest

from fieldguide.pages.outputs import EXPECTED_RE, expected_output
from page_coverage import coverage, page_lines
from tests_support import ROOT

SNIPPETS = sorted(p for p in (ROOT / "snippets").rglob("*.py") if p.parent != ROOT / "snippets")
COVERAGE = {p: coverage(p) for p in SNIPPETS}
RUN_BY_PAGE = [p for p in SNIPPETS if COVERAGE[p].page is not None]
RUN_ALONE = [p for p in SNIPPETS if p not in RUN_BY_PAGE]


def _id(path):
    return str(path.relative_to(ROOT))


def gpu_only_files() -> set:
    """Snippet files every page includes only in gpu-only blocks: they assert in code and may print
    nothing, since no run on a CPU could have printed what their `#>` lines would show."""
    from fieldguide.pages.blocks import page_blocks

    marks: dict = {}
    for page in sorted((ROOT / "docs").rglob("*.md")):
        for block in page_blocks(page):
            for path in {line.path.resolve() for line in block.lines}:
                marks.setdefault(path, set()).add(bool(block.gpu_only))
    return {path for path, kinds in marks.items() if kinds == {True}}


GPU_ONLY = gpu_only_files()


@pytest.mark.parametrize("path", RUN_ALONE, ids=_id)
def test_snippet_runs_alone(path, monkeypatch):
    # What `python snippets/dir/file.py` does: the file's folder first on the import path.
    monkeypatch.syspath_prepend(str(path.parent))
    monkeypatch.setattr(sys, "argv", [str(path)])
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        runpy.run_path(str(path), run_name="__main__")
    expected = expected_output(path.read_text().splitlines())
    # A sibling it imports (mlp_parity imports mlp_torch) prints first; the file's own
    # prints come last.
    actual = [line.rstrip() for line in printed.getvalue().splitlines()]
    if path.resolve() in GPU_ONLY:
        assert not expected, f"{path.name}: its blocks are gpu-only, so no run here printed its #> lines"
        return
    assert expected, f"{path.name} prints nothing the page could show"
    assert actual[-len(expected) :] == expected


@pytest.mark.parametrize("path", RUN_BY_PAGE, ids=_id)
def test_snippet_is_run_whole_by_its_page(path):
    """A run alone would compare every `#>` line of the file; the page's blocks must hold each one."""
    lines = path.read_text().splitlines()
    assert expected_output(lines), f"{path.name} prints nothing the page could show"
    shown = page_lines()[COVERAGE[path].page]
    unchecked = [k for k, text in enumerate(lines, 1) if EXPECTED_RE.match(text) and (path.resolve(), k) not in shown]
    assert not unchecked, f"{_id(path)}: #> lines {unchecked} are not in a block of {COVERAGE[path].page.name}"


def test_every_snippet_file_is_run_one_way():
    assert RUN_ALONE, "no snippet file is run alone: the page-coverage rule has stopped telling files apart"
    assert sorted(RUN_ALONE + RUN_BY_PAGE) == SNIPPETS
