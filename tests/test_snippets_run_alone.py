"""Every snippet file is a complete program: it runs on its own and prints what its #> lines say."""

from __future__ import annotations

import contextlib
import io
import runpy
import sys

import pytest

from docs_blocks import expected_output
from tests_support import ROOT

SNIPPETS = sorted(p for p in (ROOT / "snippets").rglob("*.py") if p.parent != ROOT / "snippets")


@pytest.mark.parametrize("path", SNIPPETS, ids=lambda p: str(p.relative_to(ROOT)))
def test_snippet_runs_alone(path, monkeypatch):
    # What `python snippets/dir/file.py` does: the file's folder first on sys.path.
    monkeypatch.syspath_prepend(str(path.parent))
    monkeypatch.setattr(sys, "argv", [str(path)])
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        runpy.run_path(str(path), run_name="__main__")
    expected = expected_output(path.read_text().splitlines())
    # A sibling it imports (mlp_parity imports mlp_torch) prints first; the file's own
    # prints come last.
    actual = [line.rstrip() for line in printed.getvalue().splitlines()]
    assert expected, f"{path.name} prints nothing the page could show"
    assert actual[-len(expected) :] == expected
