"""fieldguide/tools/suite_shares.py: each page's share of a run, summed from pytest's --durations report."""

from __future__ import annotations

import pytest

from fieldguide.tools import suite_shares
from tests_support import run_python

LOG = """\
============================= slowest durations ==============================
29.44s call     tests/test_snippets_run_alone.py::test_snippet_runs_alone[snippets/ecosystem/keras_backends.py]
24.42s call     docs/ecosystem.md::line:30,column:1
14.63s call     tests/test_ecosystem.py::test_dead_worker_fails_the_run_naming_it[ecosystem.multiworker_tf]
2.00s setup    tests/test_porting.py::test_script_keras_to_torch
1.50s teardown docs/porting.md::line:225,column:1
0.50s call     tests/test_snippets_run_alone.py::test_snippet_runs_alone[snippets/first_model/mlp_tf.py]
3.00s call     tests/test_lint.py::test_ruff_check
4.00s call     tests/test_claims.py::test_every_link_in_the_guide_resolves_in_the_built_site
0.25s call     tests/test_claims.py::test_every_scenario_has_a_recommendation_and_evidence
10.00s setup    tests/test_claims.py::test_every_evidence_link_resolves_in_the_built_site
"""


def test_each_line_goes_to_its_page():
    assert suite_shares.shares(LOG) == pytest.approx(
        {
            "ecosystem": 29.44 + 24.42 + 14.63,
            "porting": 2.0 + 1.5,
            "first-model": 0.5,
            "other": 3.0,
            "choosing": 4.0 + 0.25,
            "claims": 10.0,
        }
    )


def test_a_log_without_durations_is_refused(tmp_path):
    log = tmp_path / "run.log"
    log.write_text("539 passed in 630.98s\n")
    done = run_python("-m", "fieldguide", "shares", str(log))
    assert done.returncode == 1
    assert "no --durations=0 lines found" in done.stderr
