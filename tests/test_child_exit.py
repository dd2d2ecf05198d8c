"""Child processes leave through child_exit.exit_now: what they printed arrives, the teardown does not run."""

from __future__ import annotations

import os
import subprocess
import sys

from tests_support import ROOT


def _child(code: str) -> subprocess.CompletedProcess:
    # stdout is a pipe here, as under run_workers and subprocess.run: Python buffers it, so an
    # exit that skipped the flush would lose the line. PYTHONUNBUFFERED would hide that.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT / "snippets", env=env, capture_output=True, text=True, timeout=60
    )


def test_printed_output_and_exit_code_arrive():
    done = _child("from child_exit import exit_now\nprint('result line')\nexit_now(3)")
    assert (done.returncode, done.stdout) == (3, "result line\n")


def test_a_bare_os_exit_would_lose_the_output():
    """The control: without the flush the same child's line is lost, so the test above can fail."""
    done = _child("import os\nprint('result line')\nos._exit(3)")
    assert (done.returncode, done.stdout) == (3, "")


def test_interpreter_teardown_is_skipped():
    done = _child("import atexit\nfrom child_exit import exit_now\natexit.register(print, 'teardown ran')\nexit_now(0)")
    assert (done.returncode, done.stdout) == (0, "")
