"""The Ecosystem page: its line-count table (recounted from the snippets, compared with the JSON
and the page), and its distributed launchers, which fail fast and name the worker that died."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ecosystem.launch import WorkerFailed, run_workers

from fieldguide.measure import line_counts
from fieldguide.render import regions as generate
from fieldguide.render.sections import read
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
    for task in ("train", "evaluate", "summary"):
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
    done = run_python("-m", "fieldguide", "generate", "--check", "line-counts", cwd=project)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "docs/ecosystem.md is out of date (line-counts): run python -m fieldguide generate line-counts"
    ]
    assert generate.stale(["line-counts"]) == []


def test_changed_snippet_makes_the_counts_stale(tmp_path):
    project = copy_project(tmp_path)
    snippet = project / "snippets" / "ecosystem" / "tasks_tf.py"
    text = snippet.read_text(encoding="utf-8")
    snippet.write_text(text.replace("# --8<-- [end:train]", "print('one more line')\n# --8<-- [end:train]"))
    done = run_python("-m", "fieldguide", "generate", "--check", "line-counts", cwd=project)
    assert done.returncode == 1
    assert "docs/data/line_counts.json is out of date (line-counts)" in done.stderr
    assert "docs/ecosystem.md is out of date (line-counts)" in done.stderr


# --- Distributed runs fail fast and say which worker died; none can hang the suite. ---
# The page runs the real thing (docs/ecosystem.md, "When a worker dies"): worker 1 of each
# framework's training exits halfway. These tests pin the launchers' side with workers
# that import nothing: one dies, its peer waits as if blocked in a collective.

# Generous for a run that takes seconds alone, because the 2-core CI machine is shared; still
# well under the 180 s per-test limit, so a hang is reported by the launcher, not by pytest.
RUN_TIMEOUT = 150
# Worker 1 dies with code 3; worker 0 waits for it for longer than the test may take.
PEERS = "import os, sys, time\nif os.environ['RANK'] == '1': sys.exit(3)\ntime.sleep(600)\n"


def _run_workers(folder: Path) -> str:
    peer = [sys.executable, "-c", PEERS]
    with pytest.raises(WorkerFailed) as failure:
        run_workers([peer, peer], [{"RANK": "0"}, {"RANK": "1"}], timeout=RUN_TIMEOUT)
    return str(failure.value)


def _torchrun(folder: Path) -> str:
    (folder / "peers.py").write_text(PEERS, encoding="utf-8")
    torchrun = Path(sys.executable).with_name("torchrun")
    done = subprocess.run(
        [str(torchrun), "--nproc-per-node", "2", "peers.py"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    assert done.returncode == 1, done.stderr[-2000:]
    # The page's PyTorch block reads the same report: each failed rank, then its exit code.
    codes = dict(re.findall(r"rank\s*: (\d+).*\n\s*exitcode\s*: (-?\d+)", done.stderr))
    return "".join(f"worker {rank} exited with code {code}\n" for rank, code in codes.items())


@pytest.mark.parametrize("launch", [_run_workers, _torchrun], ids=["run_workers", "torchrun"])
def test_dead_worker_fails_the_run_naming_it(launch, tmp_path):
    started = time.monotonic()
    report = launch(tmp_path)
    assert "worker 1 exited with code 3" in report, report
    # Failing by the time limit would mean the death went unnoticed and the run waited it out.
    assert "still running" not in report
    assert time.monotonic() - started < 60


def test_hung_worker_is_killed_at_the_timeout():
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    started = time.monotonic()
    with pytest.raises(WorkerFailed, match=r"workers \[0, 1\] still running after 1 s: killed"):
        run_workers([sleeper, sleeper], [{}, {}], timeout=1)
    assert time.monotonic() - started < 10


def test_failure_report_carries_the_workers_last_words():
    crash = [sys.executable, "-c", "raise RuntimeError('peer lost at step 10')"]
    fine = [sys.executable, "-c", "pass"]
    with pytest.raises(WorkerFailed, match=r"(?s)worker 1 exited with code 1.*peer lost at step 10"):
        run_workers([fine, crash], [{}, {}], timeout=60)


def test_all_workers_succeeding_returns_their_output():
    hello = [sys.executable, "-c", "import os; print('rank', os.environ['RANK'])"]
    printed = run_workers([hello, hello], [{"RANK": "0"}, {"RANK": "1"}], timeout=60)
    assert [p.strip() for p in printed] == ["rank 0", "rank 1"]
