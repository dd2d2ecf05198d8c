"""Prepare the GPU check: `python -m fieldguide gpu-prepare [FOLDER]` (default build/gpu-run).

A GPU machine here brings Python, an NVIDIA GPU and its own CUDA torch, and nothing else: no
TensorFlow, no network, no MkDocs. The readings' downloads need nothing from the repository, so
they are built here, with what the worker needs to run them block by block:

    FOLDER/manifest.json   each PyTorch reading: its download, saved files, and per block the
                           page line, the download's line span, the `#>` lines, a gpu-only reason
    FOLDER/downloads/      the downloads and their saved files, byte for byte what the suite runs
    FOLDER/worker.py       fieldguide/run/worker.py, the suite's own worker (standard library only)
    FOLDER/runner.py       fieldguide/build/gpu_runner.py, which runs them (standard library only)
    FOLDER/bench/          the package's sources, for the benchmark's quick GPU rows
    FOLDER/wheels/         with --wheels: the pinned wheels the readings import beyond torch, for
                           the GPU machine's Python, as many readings' worth as fit the carry

On the GPU machine: `python3 FOLDER/runner.py FOLDER --out REPORT.json` (what `make gpu-run`
does). Rehearsed here with `--device cpu`: the same files, the same code path.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from packaging.utils import canonicalize_name

from fieldguide import pins
from fieldguide.measure.drift import index_env
from fieldguide.measure.gpu_resolve import requires
from fieldguide.pages.blocks import relative
from fieldguide.pages.readings import block_spans, page_readings, reading_specs, script
from fieldguide.project import ROOT

DEFAULT = ROOT / "build" / "gpu-run"
# The PyTorch readings by default: the GPU machines lent here have no TensorFlow, and a
# whole-page reading needs it. `--reading tensorflow` prepares the TensorFlow GPU job's run.
READING = "pytorch"
# What may travel to the GPU machine in all; the wheels get what the rest leaves.
CARRY_MIB = 64
# The wheels are for the GPU machine's Python (3.12 on the machines seen so far), not this one's.
GPU_PYTHON_VERSION = "3.12"
WHEEL_CACHE = ROOT / ".cache" / "gpu-wheels"
PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64")


def needs(reading) -> list[str]:
    """The distributions a reading's install line names beyond torch (the GPU machine's own)."""
    return sorted(
        canonicalize_name(spec.split("==")[0]) for spec in reading_specs(reading) if not spec.startswith("torch==")
    )


def closure(names: list[str]) -> list[str]:
    """`names` and what they require, read from this environment's metadata, without torch and
    what torch itself requires (the GPU machine has those with its torch)."""
    torch_side = {"torch", *requires("torch")}
    found, todo = set(), list(names)
    while todo:
        name = canonicalize_name(todo.pop())
        if name in found or name in torch_side:
            continue
        found.add(name)
        todo.extend(requires(name))
    return sorted(found)


def choose(readings: list[dict], sizes: dict[str, int], budget: int) -> list[str]:
    """The distributions to carry: readings in order of the bytes they add (fewest first, so the
    most readings run), each taken whole while the wheels fit `budget` bytes."""
    chosen: set[str] = set()
    for entry_ in sorted(readings, key=lambda r: sum(sizes[n] for n in r["carry"] if n not in chosen)):
        extra = [n for n in entry_["carry"] if n not in chosen]
        if sum(sizes[n] for n in chosen) + sum(sizes[n] for n in extra) <= budget:
            chosen.update(extra)
    return sorted(chosen)


def download(names: list[str], python_version: str) -> dict[str, Path]:
    """The pinned wheel of each distribution for that Python on Linux x86-64, from the package
    index (cached in .cache/gpu-wheels); a distribution with no such wheel (an sdist only) is
    left out, and so are the readings that need it."""
    pinned = pins.pins()
    cache = WHEEL_CACHE / python_version
    cache.mkdir(parents=True, exist_ok=True)
    unpinned = sorted(set(names) - set(pinned))
    if unpinned:
        raise SystemExit(f"gpu-prepare: no exact pin for {unpinned} in requirements.txt")

    def cached(name: str) -> Path | None:
        for wheel in cache.glob("*.whl"):
            parts = wheel.name.split("-")
            if canonicalize_name(parts[0]) == name and parts[1] == pinned[name]:
                return wheel
        return None

    out = {}
    for name in names:
        if cached(name) is None:
            command = [sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check", "--no-deps"]
            command += ["--only-binary=:all:", "--python-version", python_version, "--implementation", "cp"]
            command += ["-d", str(cache), *(f"--platform={p}" for p in PLATFORMS), f"{name}=={pinned[name]}"]
            subprocess.run(command, capture_output=True, text=True, env=index_env(), check=False)
        if (wheel := cached(name)) is not None:
            out[name] = wheel
    return out


def entry(reading) -> dict:
    """A reading's line in the manifest: its files, and per block what the runner needs."""
    spans = block_spans(reading)
    blocks = [
        {
            "where": block.where,
            "lines": list(spans[id(block)]),
            "expected": block.expected_output,
            "gpu_only": block.gpu_only,
            "cpu": block.marks.get("cpu"),
        }
        for block in reading.run_blocks
    ]
    return {
        "page": relative(reading.page),
        "stem": reading.stem,
        "script": f"{reading.stem}.py",
        "saved": sorted(reading.saved_files),
        "blocks": blocks,
    }


def prepare(folder: Path = DEFAULT, wanted: str = READING, python_version: str | None = None) -> dict:
    """Write FOLDER afresh; the manifest it wrote. A folder that holds anything but an earlier
    prepared run is refused, never emptied. With `python_version`, the wheels for that Python too."""
    if folder.exists():
        if any(folder.iterdir()) and not (folder / "manifest.json").is_file():
            raise SystemExit(f"{folder}: not empty and not a prepared GPU run (no manifest.json); pick another")
        shutil.rmtree(folder)
    downloads = folder / "downloads"
    downloads.mkdir(parents=True)
    found = {"reading": wanted, "carry_mib": CARRY_MIB, "readings": []}
    for page in sorted((ROOT / "docs").rglob("*.md")):
        for reading in page_readings(page):
            if reading.name != wanted:
                continue
            found["readings"].append({**entry(reading), "needs": needs(reading)})
            (downloads / f"{reading.stem}.py").write_text(script(reading), encoding="utf-8")
            for name, text in reading.saved_files.items():
                (downloads / f"{reading.stem}--{name}").write_text(text, encoding="utf-8")
    package = Path(__file__).resolve().parents[1]
    shutil.copy(package / "run" / "worker.py", folder / "worker.py")
    shutil.copy(package / "build" / "gpu_runner.py", folder / "runner.py")
    # The benchmark's quick GPU rows: the package's own sources (0.4 MiB) in a folder that
    # `python -m fieldguide measure bench` recognises as a checkout (its mkdocs.yml).
    bench = folder / "bench"
    for source in package.rglob("*.py"):
        target = bench / "fieldguide" / source.relative_to(package)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
    (bench / "mkdocs.yml").write_text("# the checkout's root, for fieldguide.project.find_root\n", encoding="utf-8")
    found["wheels"] = {}
    if python_version:
        found["wheels"] = carry_wheels(folder, found, python_version)
    (folder / "manifest.json").write_text(json.dumps(found, indent=1) + "\n", encoding="utf-8")
    return found


def carry_wheels(folder: Path, found: dict, python_version: str) -> dict[str, str]:
    """Download every wheel any reading needs, then keep those of the readings that fit the
    carry; each reading's entry says what it needs carried. Distribution -> wheel file."""
    for reading in found["readings"]:
        reading["carry"] = closure(reading["needs"])
    wanted = sorted({n for r in found["readings"] for n in r["carry"]})
    wheels = download(wanted, python_version)
    # A distribution with no wheel for that Python cannot travel: its readings cost too much.
    sizes = {n: wheels[n].stat().st_size if n in wheels else 2**62 for n in wanted}
    used = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    budget = CARRY_MIB * 2**20 - used - 64 * 2**10  # the manifest still to come
    (folder / "wheels").mkdir()
    out = {}
    for name in choose(found["readings"], sizes, budget):
        shutil.copy(wheels[name], folder / "wheels" / wheels[name].name)
        out[name] = wheels[name].name
    return out


def main(argv: list[str]) -> int:
    python_version = None
    if "--wheels" in argv:  # --wheels [3.12]: carry the readings' wheels for that Python
        at = argv.index("--wheels")
        given = argv[at + 1] if at + 1 < len(argv) and re.fullmatch(r"3\.\d+", argv[at + 1]) else None
        python_version = given or GPU_PYTHON_VERSION
        argv = argv[:at] + argv[at + (2 if given else 1) :]
    wanted = READING
    if "--reading" in argv:
        at = argv.index("--reading")
        wanted = argv[at + 1] if at + 1 < len(argv) else ""
        argv = argv[:at] + argv[at + 2 :]
        if wanted not in ("pytorch", "tensorflow"):
            print(f"gpu-prepare: --reading {wanted!r}: expected pytorch or tensorflow", file=sys.stderr)
            return 2
    folder = Path(argv[0]).resolve() if argv else DEFAULT
    found = prepare(folder, wanted, python_version)
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    blocks = sum(len(r["blocks"]) for r in found["readings"])
    print(
        f"{relative(folder)}: {len(found['readings'])} readings, {blocks} blocks, "
        f"{len(found['wheels'])} wheels, {size / 2**20:.1f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
