"""The files that set the project up: pinned requirements, the GPU set, the device switch, CI."""

from __future__ import annotations

import re
import subprocess

import generate
import pytest

from tests_support import ROOT, run_python


def requirement_lines(name: str) -> list[str]:
    text = (ROOT / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_every_requirement_is_pinned_exactly():
    pinned = re.compile(r"[A-Za-z0-9_.\-\[\]]+==[^=\s]+")
    loose = [line for line in requirement_lines("requirements.txt") if not pinned.fullmatch(line)]
    assert not loose, loose
    names = {line.split("==")[0].lower() for line in requirement_lines("requirements.txt")}
    needed = {"torch", "tensorflow-cpu", "mkdocs", "mkdocs-material", "mkdocs-jupyter", "sybil", "pytest-examples"}
    assert needed <= names, needed - names
    assert "torch==2.13.0" in requirement_lines("requirements.txt")


def test_gpu_requirements_are_generated_from_the_cpu_set():
    assert generate.stale(["gpu-requirements"]) == []
    gpu = requirement_lines("requirements-gpu.txt")
    assert any(line.startswith("tensorflow[and-cuda]==") for line in gpu)
    assert not any(line.startswith("tensorflow-cpu==") for line in gpu)


def collect_with(device: str) -> subprocess.CompletedProcess:
    args = ["-m", "pytest", "--collect-only", "-q", "-p", "no:xdist", "tests/test_setup_files.py"]
    return run_python(*args, env={"DOCS_DEVICE": device}, timeout=120)


def test_unknown_device_is_an_error():
    done = collect_with("tpu")
    assert done.returncode == pytest.ExitCode.USAGE_ERROR
    assert "DOCS_DEVICE='tpu': expected cpu or cuda" in done.stderr


def test_cuda_without_a_gpu_errors_instead_of_passing():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU; the refusal is tested on CPU-only machines")
    done = collect_with("cuda")
    assert done.returncode == pytest.ExitCode.USAGE_ERROR
    assert "DOCS_DEVICE=cuda, but PyTorch sees no CUDA device: refusing to run on the CPU" in done.stderr


def test_ci_treats_no_tests_as_failure():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in script
    assert "make build" in script
    assert re.search(r'"\$status" -eq 5 \]; then\s+echo[^\n]*\n\s+exit 1', script)
