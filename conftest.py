"""Pytest entry point: Sybil collects every Python block of every page under docs/, and each
block runs in a clean process per reading (tests/docs_executor.py), as a reader runs it."""

import contextlib
import os

# Under xdist each worker shares the cores with the others. A framework that starts one compute
# thread per core then has threads waiting for cores another worker holds, and small ops slow
# down many times over (a 450-step MLP loop took 22 s instead of 2). Each worker gets its share
# of the cores, set before any test imports torch or TensorFlow; child processes inherit it.
if os.environ.get("PYTEST_XDIST_WORKER") and "OMP_NUM_THREADS" not in os.environ:
    _share = max(1, len(os.sched_getaffinity(0)) // int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))
    for _var in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS"):
        os.environ[_var] = str(_share)

# The test modules import PyTorch and TensorFlow into one process. Where torch is the CUDA
# build (the GPU runner, `make test-fresh`), it brings Triton, and Triton loaded after
# TensorFlow crashes the interpreter (docs/interop.md#both-frameworks-in-one-process): load it
# first, as every page does. The CPU build has no Triton, and this costs nothing there.
with contextlib.suppress(ImportError):
    import triton  # noqa: F401

import pytest
from sybil import Sybil

from docs_accounting import BlockAccounting
from docs_executor import device_name, parse_document

pytest_collect_file = Sybil(parsers=[parse_document], path="docs", patterns=["*.md"]).pytest()


def pytest_configure(config):
    config.pluginmanager.register(BlockAccounting(config), "docs-block-accounting")
    try:
        name = device_name()
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    if name == "cuda" and not hasattr(config, "workerinput"):
        # The pages read DOCS_DEVICE themselves; a GPU run must never quietly run on the CPU.
        missing = cuda_missing()
        if missing:
            raise pytest.UsageError(f"DOCS_DEVICE=cuda, but {missing}: refusing to run on the CPU")


def cuda_missing() -> str:
    """Which framework sees no GPU, in a child process (the suite's own stays framework-free)."""
    import subprocess
    import sys

    check = (
        "import torch, tensorflow as tf\n"
        "print('PyTorch sees no CUDA device' if not torch.cuda.is_available() else "
        "'TensorFlow sees no GPU' if not tf.config.list_physical_devices('GPU') else '')"
    )
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=False)
    return done.stdout.strip() or (f"the check failed: {done.stderr[-300:]}" if done.returncode else "")


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The strict build of this checkout, made once per test process; tests that plant faults copy it first."""
    from tests_support import ROOT, mkdocs_build

    out = tmp_path_factory.mktemp("site")
    done = mkdocs_build(ROOT, out)
    assert done.returncode == 0, done.stderr
    return out
