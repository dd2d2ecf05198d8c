"""`python -m fieldguide driver-check REQUIREMENTS_FILE`: can this machine's NVIDIA driver run the
CUDA build that file installs? Exit 0 and say so, or exit 1 naming the driver it needs.

Run before building a GPU environment: a too-old driver otherwise shows up later as
`torch.cuda.is_available()` quietly answering False, or TensorFlow logging that it skips the GPU.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from fieldguide import pins


def installed_driver() -> str | None:
    """The first GPU's driver version as nvidia-smi reports it, or None."""
    if not shutil.which("nvidia-smi"):
        return None
    query = ["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"]
    done = subprocess.run(query, capture_output=True, text=True, check=False)
    lines = done.stdout.split()
    return lines[0] if done.returncode == 0 and lines else None


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m fieldguide driver-check REQUIREMENTS_FILE", file=sys.stderr)
        return 2
    path = Path(argv[0])
    try:
        major = pins.cuda_major(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        print(f"driver-check: {path}: {err}", file=sys.stderr)
        return 2
    driver = installed_driver()
    problem = pins.driver_problem(major, driver)
    if problem:
        print(f"driver-check: {path}: {problem}", file=sys.stderr)
        return 1
    print(f"driver-check: {path}: driver {driver} runs CUDA {major} builds")
    return 0
