"""Distributed runs fail fast and say which worker died; none can hang the suite."""

from __future__ import annotations

import sys
import time

import pytest
from ecosystem.launch import WorkerFailed, run_workers, train_on_workers

# Generous for a run that takes seconds alone, because the 2-core CI machine is shared; still
# well under the 180 s per-test limit, so a hang is reported by run_workers, not by pytest.
RUN_TIMEOUT = 150


@pytest.mark.parametrize("module", ["ecosystem.ddp_torch", "ecosystem.multiworker_tf"])
def test_dead_worker_fails_the_run_naming_it(module):
    started = time.monotonic()
    with pytest.raises(WorkerFailed, match="worker 1 exited with code 3") as failure:
        train_on_workers(module, workers=2, env={"ECOSYSTEM_KILL_RANK": "1"}, timeout=RUN_TIMEOUT)
    # Failing by the time limit would mean the death went unnoticed and the run waited it out.
    assert "still running" not in str(failure.value)
    assert time.monotonic() - started < RUN_TIMEOUT


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
