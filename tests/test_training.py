"""The training page: its resume proof catches a checkpoint with a piece left out, and its
pipeline table is written from the committed measurements.

The resume scripts are the page's own files (snippets/training/resume_*.py, the blocks a
reader saves): each test copies one into an empty folder and runs it in a child process, as
the page does. Nothing of the page is imported here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from fieldguide.measure import pipelines
from fieldguide.render import regions as generate
from fieldguide.render.sections import read, replace
from tests_support import ROOT

PIECES = ["optimizer", "schedule", "step", "rng"]
# One child per framework: the straight run and the checkpoint, then the resumes. Each
# resume starts from the script's start(), which seeds everything as a new process would,
# so the full resume must still equal the straight run and each omission must not.
CHILD = """
import runpy, sys
import {module}
{module}.straight_and_checkpoint()
sys.argv = ["{module}.py", "resume", *{pieces!r}]
runpy.run_path("{module}.py", run_name="__main__")
"""


@pytest.mark.parametrize("module", ["resume_torch", "resume_tf"])
def test_resume_proof_fails_when_a_piece_is_left_out(module, tmp_path):
    import numpy as np

    script = (ROOT / "snippets" / "training" / f"{module}.py").read_text(encoding="utf-8")
    (tmp_path / f"{module}.py").write_text(script, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", CHILD.format(module=module, pieces=PIECES)],
        cwd=tmp_path,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]

    def weights(name):
        with np.load(tmp_path / f"{name}.npz") as saved:
            return [saved[k] for k in saved.files]

    def equal(a, b):
        return all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))

    straight = weights("straight")
    assert equal(weights("resumed"), straight), "the full checkpoint no longer resumes exactly"
    kept = [p for p in PIECES if equal(weights(f"without-{p}"), straight)]
    assert kept == [], f"resumed exactly without {kept}: the proof would not notice them missing"


def test_page_table_matches_the_committed_measurements():
    assert generate.stale(["pipelines"]) == []


def test_committed_measurements_have_every_setting():
    data = json.loads(pipelines.DATA.read_text(encoding="utf-8"))
    settings = {(r["pipeline"], r["setting"]) for r in data["rows"]}
    assert settings == {
        ("DataLoader", "num_workers=0"),
        ("DataLoader", "num_workers=1"),
        ("DataLoader", "num_workers=2"),
        ("tf.data", "num_parallel_calls=1"),
        ("tf.data", "num_parallel_calls=2"),
        ("tf.data", "num_parallel_calls=AUTOTUNE"),
    }
    assert all(len(r["samples"]) == data["repeats"] >= 5 for r in data["rows"])
    assert all(r["q1"] <= r["median"] <= r["q3"] for r in data["rows"])
    assert {"cpu_model", "logical_cpus", "flags"} <= set(data["machine"])
    assert {"torch", "tensorflow"} <= set(data["versions"])


def test_a_hand_edited_number_is_reported():
    data = json.loads(pipelines.DATA.read_text(encoding="utf-8"))
    typed = f"{data['rows'][0]['median']:,.0f}"

    def planted(path):
        text = path.read_text(encoding="utf-8")
        if path == pipelines.PAGE:
            body = read(text, pipelines.REGION)
            assert typed in body
            return replace(text, pipelines.REGION, body.replace(typed, "999,999", 1))
        return text

    assert generate.stale(["pipelines"], read=planted) == [
        "docs/training.md is out of date (pipelines): run python -m fieldguide generate pipelines"
    ]


def test_no_measured_number_is_typed_outside_the_table():
    text = pipelines.PAGE.read_text(encoding="utf-8")
    outside = text.replace(read(text, pipelines.REGION), "")
    data = json.loads(pipelines.DATA.read_text(encoding="utf-8"))
    for r in data["rows"]:
        for key in ("median", "q1", "q3"):
            assert f"{r[key]:,.0f}" not in outside, (r["setting"], key)


def _row(pipeline, setting, median, q1, q3):
    return {"pipeline": pipeline, "setting": setting, "median": median, "q1": q1, "q3": q3}


def test_a_difference_inside_the_spread_is_a_tie():
    data = {
        "rows": [
            _row("DataLoader", "num_workers=0", 100, 95, 105),
            _row("DataLoader", "num_workers=2", 98, 90, 101),  # overlaps: a tie
            _row("DataLoader", "num_workers=1", 50, 45, 55),  # below the spread
            _row("tf.data", "num_parallel_calls=1", 99, 96, 104),
        ]
    }
    assert pipelines.verdicts(data) == [
        "`DataLoader`: `num_workers=0` has the highest median; `num_workers=2` within its "
        "spread (a tie); `num_workers=1` slower beyond the spread.",
        "`tf.data`: `num_parallel_calls=1` has the highest median.",
        "Best against best, `DataLoader` and `tf.data` are a tie.",
    ]
    data["rows"][3] = _row("tf.data", "num_parallel_calls=1", 40, 38, 42)
    assert pipelines.verdicts(data)[-1] == (
        "Best against best, `DataLoader` (`num_workers=0`) is 2.5x `tf.data` (`num_parallel_calls=1`)."
    )
