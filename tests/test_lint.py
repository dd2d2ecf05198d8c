"""Lint: ruff over the project's Python files, and pytest-examples over every block of every page."""

from __future__ import annotations

import re

import pytest
from pytest_examples import CodeExample, EvalExample

from fieldguide.pages.blocks import page_blocks, relative
from fieldguide.pages.readings import page_readings, script
from fieldguide.project import ROOT
from tests_support import run_python

PY_DIRS = ["snippets", "fieldguide", "tests", "conftest.py"]
PAGES = sorted((ROOT / "docs").rglob("*.md"))
TAB_RE = re.compile(r'^[ \t]*===[+!]*[ \t]+"(?P<label>[^"]*)"', re.M)
# One block alone: names come from earlier blocks of its reading (F401, F821), checked below.
PAGE_BLOCK_IGNORES = ["F401", "F811", "F821", "E402", "RUF100"]
# A whole reading: an undefined name (F821) is a name the reader's script never defines, such
# as one from the other framework's tab. Imports may serve a later block or the other reading.
READING_IGNORES = ["F401", "F811", "E402", "I001", "RUF100"]
LINE_LENGTH = 88  # Material's content column shows 88 characters of code without scrolling


def test_ruff_check():
    done = run_python("-m", "ruff", "check", "--output-format", "concise", *PY_DIRS)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format():
    done = run_python("-m", "fieldguide", "fmt", "--check", *PY_DIRS)
    assert done.returncode == 0, done.stdout + done.stderr


def lint_params():
    for page in PAGES:
        for block in page_blocks(page):
            yield pytest.param(block, id=f"{relative(page)}:{block.lineno}")


@pytest.mark.parametrize("block", list(lint_params()))
def test_page_block_lint(block, tmp_path, request):
    """The expanded block, as a reader sees it, passes ruff and the formatter's style."""
    examples = EvalExample(tmp_path=tmp_path, pytest_request=request)
    examples.set_config(line_length=LINE_LENGTH, target_version="py311", ruff_ignore=PAGE_BLOCK_IGNORES)
    example = CodeExample.create(block.source, path=block.page, start_line=block.lineno)
    examples.lint_ruff(example)
    examples.lint_black(example)


READINGS = [r for page in PAGES for r in page_readings(page)]


@pytest.mark.parametrize("reading", READINGS, ids=lambda r: r.stem)
def test_reading_defines_every_name_it_uses(reading, tmp_path, request):
    """Each reading, as its download, passes ruff: no name from a block outside the reading."""
    examples = EvalExample(tmp_path=tmp_path, pytest_request=request)
    examples.set_config(line_length=LINE_LENGTH, target_version="py311", ruff_ignore=READING_IGNORES)
    examples.lint_ruff(CodeExample.create(script(reading), path=reading.page, start_line=1))


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
        assert len(page_blocks(page)) == naive, relative(page)
