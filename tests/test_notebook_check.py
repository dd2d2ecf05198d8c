"""The notebook downloads in a real Jupyter kernel (fieldguide/tools/notebook_check.py).

The whole check runs every reading's notebook, about the cost of the suite's own reading processes,
so the weekly workflow runs it (`make notebooks-check`); here a planted page shows that it names
the cell where a kernel differs from a script, and one real reading passes.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from fieldguide.build.readers import cell_output
from fieldguide.pages.readings import page_readings
from fieldguide.tools import notebook_check
from tests_support import ROOT, copy_project, run_python

PLANTED = """\
    # Planted

    ```python
    print("hello")
    #> hello
    ```

    A script's standard output is a file; a kernel's is its own stream:

    ```python
    import sys

    print(type(sys.stdout).__name__)
    #> TextIOWrapper
    ```

    ```python
    import fieldguide  # the checkout's own package, which a reader's kernel does not have
    ```

    ```python
    print(__file__.endswith(".py"))
    #> True
    ```

    ```python
    print("after")
    #> after
    ```
    """


def test_the_check_names_the_cell_where_a_kernel_is_not_a_script(tmp_path):
    project = copy_project(tmp_path)
    (project / "docs" / "planted.md").write_text(textwrap.dedent(PLANTED))
    done = run_python("-m", "fieldguide", "notebooks-check", "docs/planted.md", cwd=project, timeout=240)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAIL planted" in done.stdout
    differs = "docs/planted.md:10 (cell 2): the kernel printed ['OutStream'], the page shows ['TextIOWrapper']"
    assert differs in done.stdout
    assert "docs/planted.md:21 (cell 4): NameError: name '__file__' is not defined" in done.stdout
    assert "planted.md:26" not in done.stdout  # never reached, as in a reader's kernel
    assert "docs/planted.md: the notebook imports from the repository: ['fieldguide'" in done.stdout


def test_a_real_reading_runs_in_a_kernel_as_its_download_shows():
    reading = next(r for r in page_readings(ROOT / "docs" / "index.md") if r.name == "pytorch")
    assert notebook_check.check(reading) == []


def test_every_notebook_download_opens_with_the_output_the_suite_checked(site):
    for page in sorted((ROOT / "docs").rglob("*.md")):
        for reading in page_readings(page):
            cells = json.loads(Path(site / "downloads" / f"{reading.stem}.ipynb").read_text(encoding="utf-8"))["cells"]
            code = [c for c in cells if c["cell_type"] == "code"]
            assert len(code) == len(reading.blocks), reading.stem
            for block, cell in zip(reading.blocks, code, strict=True):
                text = "".join("".join(o["text"]) for o in cell["outputs"] if o["output_type"] == "stream")
                assert text == cell_output(block), f"{block.where}: {reading.stem}.ipynb shows {text!r}"


def test_what_a_cell_printed_is_its_stdout_and_displayed_text_without_logs_or_echoes():
    cell = {
        "outputs": [
            {"output_type": "stream", "name": "stdout", "text": "INFO:tensorflow:Assets written to: /tmp/x\nfirst\n"},
            {"output_type": "stream", "name": "stderr", "text": "a warning\n"},
            {"output_type": "display_data", "data": {"text/plain": '\x1b[1mModel: "digits"\x1b[0m\n'}},
            {"output_type": "execute_result", "data": {"text/plain": "<History at 0x7f>"}},
        ]
    }
    assert notebook_check.printed(cell) == ["first", 'Model: "digits"']
