"""Run each reading's notebook download in a real Jupyter kernel, as a reader who opens it does.

    python -m fieldguide notebooks-check [docs/PAGE.md ...]   (no page: every page with code)

A notebook is not a script: `__file__` does not exist in a kernel, a function defined in a cell
cannot be pickled by a `spawn`ed worker, and a relative path resolves against the kernel's
folder. So each `.ipynb` the build writes (fieldguide/build/readers.notebook, outputs cleared)
runs with nbclient in a fresh folder, in the project's own interpreter with nothing of the
repository on the import path, and every cell's printed output is compared with the output the
download shows, which is the output the suite checked. Prints one line per reading; exits 1
naming the page line and cell of each difference or error.

The whole run costs about what the suite's reading processes cost, so it runs in the weekly
workflow and before publishing; tests/test_notebook_check.py runs it on a planted page.
"""

from __future__ import annotations

import copy
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from fieldguide.build.readers import notebook
from fieldguide.pages.blocks import relative
from fieldguide.pages.outputs import printed_lines
from fieldguide.pages.readings import page_readings
from fieldguide.project import ROOT
from fieldguide.run.executor import clean_environment

# TensorFlow sends its own logger to standard output in an interactive shell, Jupyter's
# kernel included (tensorflow/python/platform/tf_logging.py: "If we are in an interactive
# environment (like Jupyter), set loglevel to INFO and pipe the output to stdout"); a script's
# go to standard error. Those lines are log records, not what the code printed.
# IPython colours the traceback it reports.
ANSI = re.compile(r"\x1b\[[0-9;]*m")
TF_LOG_LINE = re.compile(r"^(INFO|WARNING|ERROR):tensorflow:")


REPOSITORY_MODULES = """\
import sys
print(sorted(n for n, m in list(sys.modules.items())
             if n.split(".")[0] == "fieldguide"
             or ((getattr(m, "__file__", None) or "").startswith({root!r})
                 and not (getattr(m, "__file__", None) or "").startswith(sys.prefix))))
"""


def printed(cell) -> list[str]:
    """What the cell printed, compared as the suite compares a block's output: its standard
    output, and the text of what it displayed (rich, which Keras's `summary()` draws with, sends
    a kernel display data instead of standard output). Warnings and logging go to standard
    error, as in the suite's worker; the echo of a last expression is the kernel's, not the code's."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stdout":
            parts.append(output.get("text", ""))
        elif output.get("output_type") == "display_data":
            parts.append(ANSI.sub("", output.get("data", {}).get("text/plain", "")).rstrip("\n") + "\n")
    return [line for line in printed_lines("".join(parts)) if not TF_LOG_LINE.match(line)]


def check(reading, timeout: int = 600) -> list[str]:
    """The problems of one reading's notebook in a kernel, each naming its page line and cell."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    shown = nbformat.reads(notebook(reading), as_version=4)
    run = copy.deepcopy(shown)
    for cell in run.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    # After the reading's cells, run or stopped: which modules the kernel loaded from the checkout,
    # this package included (installed editable into .venv, it is importable there; a reader's
    # kernel has none of it).
    guard = nbformat.v4.new_code_cell(REPOSITORY_MODULES.format(root=str(ROOT) + os.sep))
    run.cells.append(guard)  # nbclient stores each result back into the notebook by its index
    folder = Path(tempfile.mkdtemp(prefix=f"nb-{reading.stem}-"))
    client = NotebookClient(run, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(folder)}})
    problems, failed = [], None
    # nbclient's execute(), unrolled so that the guard cell runs even after a failing cell.
    client.reset_execution_trackers()
    with client.setup_kernel(env=clean_environment()):
        try:
            for index, cell in enumerate(run.cells[:-1]):
                client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
        except CellExecutionError as exc:
            failed = ANSI.sub("", str(exc)).strip().splitlines()[-1]
        client.execute_cell(guard, len(run.cells) - 1)
    blocks = iter(reading.blocks)
    for k, (want, got) in enumerate(zip(shown.cells, run.cells)):
        if want.cell_type != "code":
            continue
        where = f"{next(blocks).where} (cell {k})"
        if any(o.get("output_type") == "error" for o in got.get("outputs", [])):
            problems.append(f"{where}: {failed}")
            break
        if got.execution_count is None:
            break  # not reached: an earlier cell failed
        if printed(got) != printed(want):
            problems.append(f"{where}: the kernel printed {printed(got)!r}, the page shows {printed(want)!r}")
    if failed and not problems:
        problems.append(f"{relative(reading.page)}: {failed}")
    leaked = printed(run.cells[-1])
    if leaked and leaked != ["[]"]:
        problems.append(f"{relative(reading.page)}: the notebook imports from the repository: {leaked[0]}")
    return problems


def main(argv: list[str]) -> int:
    pages = [Path(a).resolve() for a in argv] or sorted((ROOT / "docs").rglob("*.md"))
    found = {}
    for page in pages:
        for reading in page_readings(page):
            start = time.perf_counter()
            problems = check(reading)
            found[reading.stem] = problems
            status = "ok  " if not problems else "FAIL"
            print(f"{status} {reading.stem:<30} {time.perf_counter() - start:6.1f} s", flush=True)
            for problem in problems:
                print(f"     {problem}", flush=True)
    report = os.environ.get("DOCS_NOTEBOOKS_REPORT")
    if report:
        Path(report).write_text(json.dumps(found, indent=1) + "\n", encoding="utf-8")
    return 1 if any(found.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
