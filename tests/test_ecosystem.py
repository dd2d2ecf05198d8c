"""The Ecosystem page's line-count table: recounted from the snippets, compared with the JSON and the page."""

from __future__ import annotations

import json

import generate
import line_counts
import pytest

from page_sections import read
from tests_support import copy_project, run_python


def test_committed_counts_match_the_snippets():
    committed = json.loads(line_counts.DATA.read_text(encoding="utf-8"))
    assert committed == line_counts.counts()


def test_page_table_is_written_from_the_counts():
    page = line_counts.PAGE.read_text(encoding="utf-8")
    assert read(page, line_counts.REGION) == line_counts.table(line_counts.counts())


def test_keras_needs_fewer_lines_in_total():
    """The page's conclusion, checked against the counts rather than typed."""
    data = line_counts.counts()
    assert sum(data["TensorFlow (Keras)"].values()) < sum(data["PyTorch"].values())
    for task in ("train", "evaluate"):
        assert data["TensorFlow (Keras)"][task] < data["PyTorch"][task], task
    assert data["TensorFlow (Keras)"]["define"] > data["PyTorch"]["define"]


def test_blank_comment_and_output_lines_are_not_counted():
    lines = ["x = 1", "", "   ", "# why", "    # indented why", "print(x)", "#> 1", "y = x  # trailing comment"]
    assert line_counts.count_code_lines(lines) == 3


def test_missing_section_is_named():
    with pytest.raises(
        ValueError, match=r"tasks\.py: expected one section \[start:train\] \.\.\. \[end:train\], found 0"
    ):
        line_counts.section("# --8<-- [start:define]\nx = 1\n# --8<-- [end:define]\n", "train", "tasks.py")


def test_hand_edited_table_fails_the_check(tmp_path):
    project = copy_project(tmp_path)
    page = project / "docs" / "ecosystem.md"
    text = page.read_text(encoding="utf-8")
    body = read(text, line_counts.REGION)
    page.write_text(text.replace(body, body.replace("| **total** |", "| **total (typed)** |")), encoding="utf-8")
    done = run_python("scripts/generate.py", "--check", "line-counts", cwd=project)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "docs/ecosystem.md is out of date (line-counts): run python scripts/generate.py line-counts"
    ]
    assert generate.stale(["line-counts"]) == []


def test_changed_snippet_makes_the_counts_stale(tmp_path):
    project = copy_project(tmp_path)
    snippet = project / "snippets" / "ecosystem" / "tasks_tf.py"
    text = snippet.read_text(encoding="utf-8")
    snippet.write_text(text.replace("# --8<-- [end:train]", "print('one more line')\n# --8<-- [end:train]"))
    done = run_python("scripts/generate.py", "--check", "line-counts", cwd=project)
    assert done.returncode == 1
    assert "docs/data/line_counts.json is out of date (line-counts)" in done.stderr
    assert "docs/ecosystem.md is out of date (line-counts)" in done.stderr
