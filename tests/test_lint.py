"""Lint: ruff over the project's Python files, and pytest-examples over every block of every page."""

from __future__ import annotations

import re

import pytest
from pytest_examples import CodeExample, EvalExample

from docs_blocks import ROOT, parse_page, relative
from tests_support import run_python

PY_DIRS = ["snippets", "scripts", "tests", "conftest.py"]
PAGES = sorted((ROOT / "docs").rglob("*.md"))
TAB_RE = re.compile(r'^[ \t]*===\+?[ \t]+"(?P<label>[^"]*)"', re.M)
# Cross-block names: a page's blocks share one namespace, so a name imported in one block
# and used in the next is neither unused (F401) nor undefined (F821) on the page.
PAGE_BLOCK_IGNORES = ["F401", "F811", "F821", "E402"]


def test_ruff_check():
    done = run_python("-m", "ruff", "check", "--output-format", "concise", *PY_DIRS)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format():
    done = run_python("scripts/fmt.py", "--check", *PY_DIRS)
    assert done.returncode == 0, done.stdout + done.stderr


def page_blocks():
    for page in PAGES:
        for block in parse_page(page):
            yield pytest.param(block, id=f"{relative(page)}:{block.lineno}")


@pytest.mark.parametrize("block", list(page_blocks()))
def test_page_block_lint(block, tmp_path, request):
    """The expanded block, as a reader sees it, passes ruff and the formatter's style."""
    examples = EvalExample(tmp_path=tmp_path, pytest_request=request)
    examples.set_config(line_length=120, target_version="py311", ruff_ignore=PAGE_BLOCK_IGNORES)
    example = CodeExample.create(block.source, path=block.page, start_line=block.lineno)
    examples.lint_ruff(example)
    examples.lint_black(example)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: relative(p))
def test_tabs_are_pytorch_and_tensorflow(page):
    """Every tab set on the site is exactly PyTorch then TensorFlow, so linked tabs always pair up."""
    text = page.read_text(encoding="utf-8")
    labels = [m["label"] for m in TAB_RE.finditer(text)]
    assert set(labels) <= {"PyTorch", "TensorFlow"}, f"{relative(page)}: tab labels {sorted(set(labels))}"
    assert labels.count("PyTorch") == labels.count("TensorFlow"), f"{relative(page)}: unpaired tabs"


# Deliberately not the parser's lexer: a plain line match for an opening Python fence.
OPENING_PYTHON_FENCE = re.compile(r"^[ \t]*(?:`{3,}|~{3,})[ \t]*\{?[ \t]*\.?(?:python|py)\b", re.M | re.I)


def test_every_python_fence_is_collected():
    """An independent count of opening Python fences agrees with what the Sybil parser collects."""
    for page in PAGES:
        naive = len(OPENING_PYTHON_FENCE.findall(page.read_text(encoding="utf-8")))
        assert len(parse_page(page)) == naive, relative(page)
