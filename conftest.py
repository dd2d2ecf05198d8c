"""Pytest entry point: Sybil runs every Python block of every page under docs/."""

import os

# Under xdist each worker shares the cores with the others. A framework that starts one compute
# thread per core then has threads waiting for cores another worker holds, and small ops slow
# down many times over (a 450-step MLP loop took 22 s instead of 2). Each worker gets its share
# of the cores, set before any test imports torch or TensorFlow; child processes inherit it.
if os.environ.get("PYTEST_XDIST_WORKER") and "OMP_NUM_THREADS" not in os.environ:
    _share = max(1, len(os.sched_getaffinity(0)) // int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))
    for _var in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS"):
        os.environ[_var] = str(_share)

import pytest
from sybil import Sybil

from docs_accounting import BlockAccounting
from docs_blocks import parse_document

pytest_collect_file = Sybil(parsers=[parse_document], path="docs", patterns=["*.md"]).pytest()


def pytest_configure(config):
    config.pluginmanager.register(BlockAccounting(config), "docs-block-accounting")
    import docs_device

    try:
        name = docs_device.device_name()
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    if name == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise pytest.UsageError("DOCS_DEVICE=cuda, but there is no CUDA device here: refusing to run on the CPU")


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The strict build of this checkout, made once per test process; tests that plant faults copy it first."""
    from tests_support import ROOT, mkdocs_build

    out = tmp_path_factory.mktemp("site")
    done = mkdocs_build(ROOT, out)
    assert done.returncode == 0, done.stderr
    return out
