"""Prepare the GPU check: `python -m fieldguide gpu-prepare [FOLDER]` (default build/gpu-run).

A GPU machine here brings Python, an NVIDIA GPU and its own CUDA torch, and nothing else: no
TensorFlow, no network, no MkDocs. The readings' downloads need nothing from the repository, so
they are built here, with what the worker needs to run them block by block:

    FOLDER/manifest.json   each PyTorch reading: its download, saved files, and per block the
                           page line, the download's line span, the `#>` lines, a gpu-only reason
    FOLDER/downloads/      the downloads and their saved files, byte for byte what the suite runs
    FOLDER/worker.py       fieldguide/run/worker.py, the suite's own worker (standard library only)
    FOLDER/runner.py       fieldguide/build/gpu_runner.py, which runs them (standard library only)

On the GPU machine: `python3 FOLDER/runner.py FOLDER --out REPORT.json` (what `make gpu-run`
does). Rehearsed here with `--device cpu`: the same files, the same code path.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from fieldguide.pages.blocks import relative
from fieldguide.pages.readings import block_spans, page_readings, script
from fieldguide.project import ROOT

DEFAULT = ROOT / "build" / "gpu-run"
# The PyTorch readings by default: the GPU machines lent here have no TensorFlow, and a
# whole-page reading needs it. `--reading tensorflow` prepares the TensorFlow GPU job's run.
READING = "pytorch"


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


def prepare(folder: Path = DEFAULT, wanted: str = READING) -> dict:
    """Write FOLDER afresh; the manifest it wrote. A folder that holds anything but an earlier
    prepared run is refused, never emptied."""
    if folder.exists():
        if any(folder.iterdir()) and not (folder / "manifest.json").is_file():
            raise SystemExit(f"{folder}: not empty and not a prepared GPU run (no manifest.json); pick another")
        shutil.rmtree(folder)
    downloads = folder / "downloads"
    downloads.mkdir(parents=True)
    found = {"reading": wanted, "readings": []}
    for page in sorted((ROOT / "docs").rglob("*.md")):
        for reading in page_readings(page):
            if reading.name != wanted:
                continue
            found["readings"].append(entry(reading))
            (downloads / f"{reading.stem}.py").write_text(script(reading), encoding="utf-8")
            for name, text in reading.saved_files.items():
                (downloads / f"{reading.stem}--{name}").write_text(text, encoding="utf-8")
    package = Path(__file__).resolve().parents[1]
    shutil.copy(package / "run" / "worker.py", folder / "worker.py")
    shutil.copy(package / "build" / "gpu_runner.py", folder / "runner.py")
    (folder / "manifest.json").write_text(json.dumps(found, indent=1) + "\n", encoding="utf-8")
    return found


def main(argv: list[str]) -> int:
    wanted = READING
    if "--reading" in argv:
        at = argv.index("--reading")
        wanted = argv[at + 1] if at + 1 < len(argv) else ""
        argv = argv[:at] + argv[at + 2 :]
        if wanted not in ("pytorch", "tensorflow"):
            print(f"gpu-prepare: --reading {wanted!r}: expected pytorch or tensorflow", file=sys.stderr)
            return 2
    folder = Path(argv[0]).resolve() if argv else DEFAULT
    found = prepare(folder, wanted)
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    blocks = sum(len(r["blocks"]) for r in found["readings"])
    print(f"{relative(folder)}: {len(found['readings'])} readings, {blocks} blocks, {size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
