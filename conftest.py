"""Pytest entry point: Sybil collects every Python block of every page under docs/, and each
block runs in a clean process per reading (fieldguide/run/executor.py), as a reader runs it."""

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

# The test modules import PyTorch and TensorFlow into one process. PyPI's torch for Linux (the
# suite's, as a reader's) brings Triton, and Triton loaded after TensorFlow 2.21 kills the
# interpreter (docs/interop.md#both-frameworks-in-one-process has the versions measured): load
# it first, as every page does. Without Triton this does nothing.
with contextlib.suppress(ImportError):
    import triton  # noqa: F401

import pytest
from sybil import Sybil

from fieldguide.project import tensorflow_cpu_build
from fieldguide.run.accounting import BlockAccounting
from fieldguide.run.executor import device_name, parse_document, placement, stop_page

# Sybil's document namespace holds each page's reading processes; its teardown ends them.
pytest_collect_file = Sybil(parsers=[parse_document], path="docs", patterns=["*.md"], teardown=stop_page).pytest()


def pytest_configure(config):
    config.pluginmanager.register(BlockAccounting(config), "docs-block-accounting")
    try:
        name = device_name()
        placement()
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    if name == "cuda" and not hasattr(config, "workerinput"):
        # The pages read DOCS_DEVICE themselves; a GPU run must never quietly run on the CPU.
        missing = cuda_missing()
        if missing:
            raise pytest.UsageError(f"DOCS_DEVICE=cuda, but {missing}: refusing to run on the CPU")


def pytest_report_header(config):
    """The log's header names the build the suite runs on: a reader's install is PyPI's CUDA torch,
    with Triton. Read from the installed files, so this process still imports no framework."""
    from importlib import metadata, util

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    spec = util.find_spec("torch")
    build = "not installed"
    if spec and spec.origin:
        import re
        from pathlib import Path

        text = (Path(spec.origin).parent / "version.py").read_text(encoding="utf-8")
        found = re.search(r"^cuda: Optional\[str\] = '([^']+)'|^cuda = '([^']+)'", text, re.M)
        build = f"CUDA {found.group(1) or found.group(2)} build" if found else "CPU build"
    names = ("torch", "triton", "tensorflow-cpu", "keras")
    return [f"frameworks: torch {version('torch')} ({build}), " + ", ".join(f"{n} {version(n)}" for n in names[1:])]


def cuda_missing() -> str:
    """Which framework sees no GPU, in a child process (the suite's own stays framework-free).
    TensorFlow only where its CUDA build is installed: tensorflow-cpu beside CUDA torch is the
    stated choice for one environment (requirements-gpu-torch.txt), and never sees one."""
    import subprocess
    import sys

    # TensorFlow (6 s to import here) only when PyTorch saw a device: one missing is the answer.
    check = "import torch\nif not torch.cuda.is_available(): print('PyTorch sees no CUDA device')\n"
    if not tensorflow_cpu_build():
        check += (
            "else:\n"
            "    import tensorflow as tf\n"
            "    print('' if tf.config.list_physical_devices('GPU') else 'TensorFlow sees no GPU')"
        )
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=False)
    return done.stdout.strip() or (f"the check failed: {done.stderr[-300:]}" if done.returncode else "")
