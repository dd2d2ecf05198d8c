"""Resolve each framework's GPU environment against the package index: docs/data/gpu_resolve.json.

    python -m fieldguide measure gpu-resolve    # two `pip install --dry-run --report` resolves (minutes)
    python -m fieldguide generate gpu-requirements    # the two files, from the JSON, offline

No one environment holds both frameworks' CUDA builds from the index: PyPI's Linux torch brings
CUDA 13 libraries, `tensorflow[and-cuda]` CUDA 12 ones, and the cu12 and cu13 cuDNN and NCCL
wheels install into the same folders. Each reading runs in its own process, so each framework
gets its own environment:

- PyTorch: requirements.txt itself (its torch is PyPI's CUDA build; TensorFlow stays the CPU
  build beside it, for the whole-page readings). The resolve of the pinned torch alone must give
  exactly the CUDA libraries and Triton that requirements.txt pins for Linux.
- TensorFlow: requirements.txt without torch and everything that needs it (read from the
  installed metadata), `tensorflow-cpu` swapped for `tensorflow[and-cuda]`; the resolve of that
  whole set adds the CUDA 12 libraries, which are pinned from it.

Nothing is installed: `--dry-run --ignore-installed` reads the index's metadata only.
"""

from __future__ import annotations

import datetime
import json
import re
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from fieldguide import pins as requirements_file
from fieldguide.measure.drift import index_env
from fieldguide.measure.output import write_json
from fieldguide.project import ROOT

DATA = ROOT / "docs" / "data" / "gpu_resolve.json"
# The wheels a CUDA build brings: what the GPU files must pin, and what the CPU set's Linux
# block holds for torch.
CUDA_WHEEL = re.compile(r"^(nvidia-|cuda-|triton$)")


def cuda_wheel(name: str) -> bool:
    return bool(CUDA_WHEEL.match(canonicalize_name(name)))


def resolve(lines: list[str]) -> dict[str, str]:
    """What pip would install for these requirement lines, on this Python and platform."""
    with tempfile.TemporaryDirectory() as scratch:
        wanted, report = Path(scratch) / "wanted.txt", Path(scratch) / "report.json"
        wanted.write_text("\n".join(lines) + "\n", encoding="utf-8")
        command = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        command += ["--dry-run", "--ignore-installed", "--report", str(report), "-r", str(wanted)]
        done = subprocess.run(command, capture_output=True, text=True, env=index_env(), check=False)
        if done.returncode:
            raise SystemExit(f"gpu-resolve: pip could not resolve the set:\n{done.stderr[-2000:]}")
        found = json.loads(report.read_text(encoding="utf-8"))["install"]
    return {canonicalize_name(i["metadata"]["name"]): i["metadata"]["version"] for i in found}


def requires(name: str) -> list[str]:
    """What an installed distribution requires here, read from its metadata: only what applies on
    this platform without extras (an extra's torch, `pkg[torch]`, is not installed)."""
    try:
        found = metadata.requires(name) or []
    except metadata.PackageNotFoundError:
        return []
    out = []
    for text in found:
        req = Requirement(text)
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            out.append(canonicalize_name(req.name))
    return out


def needs_torch(pinned: set[str]) -> list[str]:
    """torch and every pinned distribution that requires it, directly or through another."""
    required = {name: set(requires(name)) for name in pinned}
    closure = {"torch"}
    while True:
        more = {name for name, deps in required.items() if deps & closure} - closure
        if not more:
            return sorted(closure)
        closure |= more


def measure() -> dict:
    reqs = requirements_file.read()
    pinned = {canonicalize_name(r.name): requirements_file.exact(r) for r in reqs}
    torch_set = resolve([f"torch=={pinned['torch']}"])
    excluded = needs_torch(set(pinned))
    tf_lines = []
    for req in reqs:
        name = canonicalize_name(req.name)
        if name in excluded or cuda_wheel(name):
            continue
        tf_lines.append(f"tensorflow[and-cuda]=={pinned[name]}" if name == "tensorflow-cpu" else str(req))
    tf_set = resolve(tf_lines)
    shared = {n for n in pinned if n not in excluded and not cuda_wheel(n) and n != "tensorflow-cpu"}
    moved = {n: (pinned[n], tf_set.get(n)) for n in shared if tf_set.get(n) != pinned[n]}
    if moved:
        raise SystemExit(f"gpu-resolve: the TensorFlow GPU set would move pinned versions: {moved}")
    return {
        "date": datetime.date.today().isoformat(),
        "python": ".".join(map(str, sys.version_info[:2])),
        "pip": metadata.version("pip"),
        "torch": {
            "requested": f"torch=={pinned['torch']}",
            "cuda": {n: v for n, v in sorted(torch_set.items()) if cuda_wheel(n)},
        },
        "tensorflow": {
            "requested": f"tensorflow[and-cuda]=={pinned['tensorflow-cpu']}",
            "without": excluded,
            # What [and-cuda] brings beyond the pins (tensorflow itself is the pinned tensorflow-cpu's version).
            "added": {n: v for n, v in sorted(tf_set.items()) if n not in pinned and n != "tensorflow"},
        },
    }


def main() -> int:
    data = measure()
    # The JSON only, like every measuring command: `generate gpu-requirements` renders it.
    print(
        f"{write_json(DATA, data)} written: torch brings {len(data['torch']['cuda'])} CUDA wheels, "
        f"tensorflow[and-cuda] adds {len(data['tensorflow']['added'])}"
    )
    return 0
