"""Run each reading of the given pages as a reader would: its download, saved in a fresh
folder outside the repository, started with `python <stem>.py` and nothing of the
repository on the import path. Prints one line per reading; exits 1 if any failed.

Usage: .venv/bin/python -m fieldguide readings docs/graphs.md [docs/porting.md ...]
       (no page: every page with Python blocks)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fieldguide.pages.blocks import relative
from fieldguide.pages.outputs import printed_lines
from fieldguide.pages.readings import page_readings, script
from fieldguide.project import ROOT
from fieldguide.run.executor import clean_environment, device_name


def run(reading, timeout: int) -> tuple[bool, str, float]:
    folder = Path(tempfile.mkdtemp(prefix=f"reader-{reading.stem}-"))
    (folder / f"{reading.stem}.py").write_text(script(reading), encoding="utf-8")
    for name, text in reading.saved_files.items():
        (folder / name).write_text(text, encoding="utf-8")
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, f"{reading.stem}.py"],
            cwd=folder,
            env=clean_environment(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False, f"timed out after {timeout} s in {folder}", time.perf_counter() - start
    seconds = time.perf_counter() - start
    if done.returncode:
        return False, f"exit {done.returncode} in {folder}:\n{done.stderr[-2000:]}", seconds
    # A gpu-only block prints nothing on a CPU: its code passes over itself there.
    shown = [b for b in reading.run_blocks if not b.gpu_only or device_name() == "cuda"]
    expected = [line for block in shown for line in block.expected_output]
    printed = printed_lines(done.stdout)
    if printed != expected:
        return False, f"printed output differs from the #> lines in {folder}", seconds
    return True, str(folder), seconds


def main(argv: list[str]) -> int:
    pages = [Path(a).resolve() for a in argv] or sorted((ROOT / "docs").rglob("*.md"))
    failed = 0
    for page in pages:
        for reading in page_readings(page):
            ok, detail, seconds = run(reading, timeout=900)
            failed += not ok
            status = "ok  " if ok else "FAIL"
            print(f"{status} {relative(page)} {reading.name:<10} {seconds:6.1f} s  {detail}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
