"""The files that set the project up: pinned requirements, the GPU set, the device switch, CI."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from packaging.utils import canonicalize_name

from fieldguide import pins as requirements_file
from fieldguide.measure import gpu_resolve
from fieldguide.render import gpu_requirements
from fieldguide.render import regions as generate
from tests_support import ROOT, run_python


def requirements(name: str) -> list:
    return requirements_file.read((ROOT / name).read_text(encoding="utf-8"))


def test_every_requirement_is_pinned_exactly():
    loose = [str(r) for r in requirements("requirements.txt") if requirements_file.exact(r) is None]
    assert not loose, loose
    names = {r.name.lower() for r in requirements("requirements.txt")}
    needed = {"torch", "triton", "tensorflow-cpu", "keras", "mkdocs", "mkdocs-material", "mkdocs-jupyter"}
    needed |= {"sybil", "pytest-examples"}
    assert needed <= names, needed - names


def test_the_suite_runs_on_exactly_what_requirements_txt_pins():
    """The reader's install: every pin that applies here is the installed version, torch is
    PyPI's build (no local `+cpu` wheel), and Triton is there beside it."""
    from importlib import metadata

    from packaging.version import Version

    wrong = []
    for name, version in requirements_file.pins(here=True).items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        # A local build tag (`+cpu`) is the same release; the torch check below refuses it.
        if installed is None or Version(installed).public != Version(version).public:
            wrong.append(f"{name}: pinned {version}, installed {installed or 'nothing'}")
    assert not wrong, "the environment is not the one requirements.txt pins (rebuild it: make venv):\n" + "\n".join(
        wrong
    )
    assert "+cpu" not in metadata.version("torch"), "torch is a local CPU wheel, not the package index's build"


def test_the_environment_is_built_from_the_package_index_alone():
    """`make venv` switches off this machine's local wheel folder and pip configuration."""
    done = subprocess.run(
        ["make", "-n", "venv", "VENV=/nonexistent-venv"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    installs = re.findall(r"(\S+ \S+ \S+ \S+) /nonexistent-venv/bin/python -m pip install", done.stdout)
    assert installs, done.stdout
    assert done.stdout.count("pip install") == len(installs), done.stdout
    assert set(installs) == {"env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null"}, installs


def test_gpu_requirements_are_generated_from_the_cpu_set_and_the_resolve():
    assert generate.stale(["gpu-requirements"]) == []
    cpu = requirements_file.pins()
    torch_set = requirements_file.pins((ROOT / "requirements-gpu-torch.txt").read_text(encoding="utf-8"))
    assert torch_set == cpu
    tf_reqs = requirements_file.read((ROOT / "requirements-gpu-tensorflow.txt").read_text(encoding="utf-8"))
    tf_set = {canonicalize_name(r.name): requirements_file.exact(r) for r in tf_reqs}
    assert all(tf_set.values()), "every line of the TensorFlow GPU set is an exact pin"
    assert any(r.name == "tensorflow" and r.extras == {"and-cuda"} for r in tf_reqs)
    assert tf_set["tensorflow"] == cpu["tensorflow-cpu"]
    assert "torch" not in tf_set
    assert "tensorflow-cpu" not in tf_set
    # One CUDA major per set: cu13 wheels (unsuffixed or -cu13) for torch, -cu12 for TensorFlow.
    cuda = [n for n in tf_set if gpu_resolve.cuda_wheel(n)]
    assert cuda
    assert all(n.endswith("-cu12") for n in cuda), cuda
    assert {n for n in torch_set if n.endswith("-cu12")} == set()
    assert requirements_file.cuda_major((ROOT / "requirements-gpu-torch.txt").read_text(encoding="utf-8")) == 13
    assert requirements_file.cuda_major((ROOT / "requirements-gpu-tensorflow.txt").read_text(encoding="utf-8")) == 12
    # Every pin the two sets share is the CPU set's.
    assert {n: v for n, v in tf_set.items() if n in cpu} == {n: cpu[n] for n in tf_set if n in cpu}


def test_a_resolve_that_disagrees_with_the_pins_is_an_error_naming_the_wheel():
    resolve = json.loads(gpu_requirements.RESOLVE.read_text(encoding="utf-8"))
    resolve["torch"]["cuda"]["nvidia-cudnn-cu13"] = "9.20.0.48"
    with pytest.raises(
        ValueError, match=r"nvidia-cudnn-cu13: requirements.txt 9\.26\.0\.51, torch==\S+ resolves 9\.20\.0\.48"
    ):
        gpu_requirements.torch_file(gpu_requirements.CPU.read_text(encoding="utf-8"), resolve)


@pytest.mark.parametrize(
    ("requirements", "driver", "message"),
    [
        (
            "requirements-gpu-torch.txt",
            "535.104.05",
            "NVIDIA driver 535.104.05 is too old for CUDA 13 builds: they need driver 580 or newer",
        ),
        (
            "requirements-gpu-tensorflow.txt",
            "470.256.02",
            "NVIDIA driver 470.256.02 is too old for CUDA 12 builds: they need driver 525 or newer",
        ),
        (
            "requirements-gpu-torch.txt",
            None,
            "no NVIDIA driver found (nvidia-smi is missing or failed); CUDA 13 builds need driver 580 or newer",
        ),
        ("requirements-gpu-tensorflow.txt", "580.95.05", None),
    ],
)
def test_the_driver_check_names_the_driver_a_cuda_major_needs(tmp_path, requirements, driver, message):
    """A planted nvidia-smi on PATH reports the driver; the command's message names what the file's CUDA needs."""
    smi = tmp_path / "nvidia-smi"
    if driver:
        smi.write_text(f"#!/bin/sh\necho {driver}\n")
        smi.chmod(0o755)
    done = run_python("-m", "fieldguide", "driver-check", requirements, env={"PATH": f"{tmp_path}:/usr/bin:/bin"})
    if message is None:
        assert done.returncode == 0, done.stderr
        assert f"driver {driver} runs CUDA 12 builds" in done.stdout
    else:
        assert done.returncode == 1, done.stdout
        assert f"driver-check: {requirements}: {message}" in done.stderr


def collect_with(device: str) -> subprocess.CompletedProcess:
    args = ["-m", "pytest", "--collect-only", "-q", "-p", "no:xdist", "tests/test_setup_files.py"]
    return run_python(*args, env={"DOCS_DEVICE": device}, timeout=120)


def test_unknown_device_is_an_error():
    done = collect_with("tpu")
    assert done.returncode == pytest.ExitCode.USAGE_ERROR
    assert "DOCS_DEVICE='tpu': expected cpu or cuda" in done.stderr


def test_an_unknown_placement_device_is_an_error():
    args = ["-m", "pytest", "--collect-only", "-q", "-p", "no:xdist", "tests/test_setup_files.py"]
    done = run_python(*args, env={"DOCS_DEVICE": "cpu", "DOCS_PLACEMENT": "gpu"}, timeout=120)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR
    assert "DOCS_PLACEMENT='gpu': expected cpu or cuda" in done.stderr


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


def test_a_malformed_requirement_is_an_error_naming_its_line():
    with pytest.raises(ValueError, match=r"^requirements.txt line 2: 'torch=2.15.0': "):
        requirements_file.read("# the pins\ntorch=2.15.0\n")
    assert requirements_file.pins('triton==3.9.0 ; platform_system == "Nobody"\nkeras==3.15.1\n', here=True) == {
        "keras": "3.15.1"
    }
