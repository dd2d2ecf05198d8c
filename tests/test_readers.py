"""What a reader gets: downloads that are the code the suite ran, installs that are pinned,
and repository paths that exist and link into the repository."""

from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path

import pytest

from fieldguide.build.readers import DOWNLOADS, REPO_PATH_RE, label_readings
from fieldguide.pages.blocks import relative
from fieldguide.pages.readings import page_readings, reading_install, reading_source, script
from fieldguide.project import ROOT
from tests_support import run_python

PAGES = sorted((ROOT / "docs").rglob("*.md"))
READINGS = [r for page in PAGES for r in page_readings(page)]


def download_differences(site: Path) -> list[str]:
    """Each download of the built site that is not, byte for byte, what the suite executes."""
    problems = []
    for reading in READINGS:
        where = f"{relative(reading.page)} ({reading.label} reading)"
        py = site / DOWNLOADS / f"{reading.stem}.py"
        if not py.is_file():
            problems.append(f"{where}: {py.name} is missing from the site")
        elif py.read_text(encoding="utf-8") != script(reading):
            problems.append(f"{where}: {py.name} differs from the code the suite executed")
        nb = site / DOWNLOADS / f"{reading.stem}.ipynb"
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"] if nb.is_file() else []
        code = [
            "".join(c["source"])
            for c in cells
            if c["cell_type"] == "code" and not "".join(c["source"]).startswith("%%")
        ]
        if "\n\n".join(code) + "\n" != reading_source(reading):
            problems.append(f"{where}: {nb.name} differs from the code the suite executed")
        for name, text in reading.saved_files.items():
            saved = site / DOWNLOADS / name
            if not saved.is_file() or saved.read_text(encoding="utf-8") != text:
                problems.append(f"{where}: the saved file {name} differs from its block")
    return problems


def test_downloads_are_the_code_that_ran(site):
    assert READINGS
    assert not download_differences(site)


def test_a_download_that_differs_is_named(site, tmp_path):
    planted = tmp_path / "site"
    shutil.copytree(site / DOWNLOADS, planted / DOWNLOADS)
    reading = next(r for r in READINGS if r.name == "pytorch")
    path = planted / DOWNLOADS / f"{reading.stem}.py"
    path.write_text(path.read_text(encoding="utf-8") + "print('edited after the run')\n", encoding="utf-8")
    assert download_differences(planted) == [
        f"{relative(reading.page)} (PyTorch reading): {reading.stem}.py differs from the code the suite executed"
    ]


def test_every_page_with_code_links_its_downloads(site):
    for page in PAGES:
        readings = page_readings(page)
        if not readings:
            continue
        rel = page.relative_to(ROOT / "docs").with_suffix("")
        built = site / (rel.parent if rel.name == "index" else rel) / "index.html"
        text = built.read_text(encoding="utf-8")
        for reading in readings:
            assert f"{DOWNLOADS}/{reading.stem}.py" in text, f"{relative(page)}: no link to {reading.stem}.py"
            assert f"{DOWNLOADS}/{reading.stem}.ipynb" in text, f"{relative(page)}: no link to {reading.stem}.ipynb"


@pytest.mark.parametrize("reading", READINGS, ids=lambda r: r.stem)
def test_every_import_is_pinned(reading):
    """The install line names every package the reading imports, at the version the suite ran."""
    line = reading_install(reading, strict=True)
    for spec in line.split()[2:]:
        assert "==" in spec, spec


TEST_ID_RE = re.compile(r"`(?P<file>tests/[\w/]+\.py)::(?P<name>\w+)")


def missing_repository_paths(pages) -> list[str]:
    """`page:line: path` for every repository path or test id a page names that does not exist."""
    problems = []
    for page in pages:
        for k, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            for m in REPO_PATH_RE.finditer(line):
                path = m["path"].rstrip("/.")
                if not (ROOT / path).exists():
                    problems.append(f"{relative(page)}:{k}: {path} does not exist")
            for m in TEST_ID_RE.finditer(line):
                test_file = ROOT / m["file"]
                if test_file.is_file() and f"def {m['name']}(" not in test_file.read_text(encoding="utf-8"):
                    problems.append(f"{relative(page)}:{k}: {m['file']} has no test {m['name']}")
    return problems


def test_repository_paths_on_pages_exist():
    assert not missing_repository_paths(PAGES)


def test_a_missing_repository_path_is_named(tmp_path):
    page = tmp_path / "planted.md"
    page.write_text("# x\n\nRun `fieldguide/no_such_tool.py`, then `tests/test_readers.py::test_that_is_not_there`.\n")
    assert missing_repository_paths([page]) == [
        f"{page}:3: fieldguide/no_such_tool.py does not exist",
        f"{page}:3: tests/test_readers.py has no test test_that_is_not_there",
    ]


TENSORFLOW_MODULES = {"tensorflow", "keras", "tf2onnx", "tf_keras"}


def triton_order_problem(source: str) -> str | None:
    """Where a program that uses both frameworks imports TensorFlow before Triton, if it does.

    PyPI's torch (the CUDA build) brings Triton, and `import tensorflow; import triton`
    crashes (docs/interop.md, "Both frameworks in one process"). Our own CPU torch has no
    Triton, so only this reading of the code, not a run, can keep the order right.
    """
    first_triton = first_tf = None
    uses_torch = False
    for node in ast.walk(ast.parse(source)):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module.split(".")[0]]
        for name in names:
            if name == "triton" and (first_triton is None or node.lineno < first_triton):
                first_triton = node.lineno
            if name in TENSORFLOW_MODULES and (first_tf is None or node.lineno < first_tf):
                first_tf = node.lineno
            uses_torch |= name == "torch"
    if uses_torch and first_tf is not None and (first_triton is None or first_triton > first_tf):
        return f"line {first_tf} imports TensorFlow before any `import triton`"
    return None


def test_no_reading_imports_tensorflow_before_triton():
    problems = []
    for reading in READINGS:
        text = script(reading)
        problem = triton_order_problem(text)
        if problem:
            problems.append(f"{reading.stem}.py ({relative(reading.page)}): {problem}")
        for name, saved in reading.saved_files.items():
            problem = triton_order_problem(saved)
            if problem:
                problems.append(f"{name} ({relative(reading.page)}): {problem}")
    assert not problems, "\n".join(problems)


def test_tensorflow_before_triton_is_named():
    assert triton_order_problem("import torch\nimport tensorflow as tf\n") == (
        "line 2 imports TensorFlow before any `import triton`"
    )
    fixed = "import importlib.util\nif importlib.util.find_spec('triton'):\n    import triton\n"
    fixed += "import keras\nimport torch\n"
    assert triton_order_problem(fixed) is None
    assert triton_order_problem("import tensorflow as tf\n") is None


def test_the_reading_runner_starts_on_its_own():
    """`fieldguide/run/reader.py` runs outside pytest, where nothing sets the import path for it:
    a page without Python blocks has no reading, so it must start, run nothing and succeed."""
    done = run_python("-m", "fieldguide", "readings", "docs/claims.md", timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_a_blocks_device_marks_are_shown_beside_it(tmp_path):
    """`cpu:` and `gpu-only:` are comments in the Markdown; the built page says them in words above the block."""
    text = (
        "# Devices\n\n<!-- cpu: exported for CPU serving -->\n```python\nx = 1\n```\n\n"
        "<!-- gpu-only: needs CUDA streams -->\n```python\ny = 2\n```\n"
    )
    page = tmp_path / "devices.md"
    page.write_text(text, encoding="utf-8")
    out = label_readings(text, page)
    assert '<p class="docs-device">Runs on the CPU on a GPU machine too: exported for CPU serving.</p>' in out
    assert '<p class="docs-device">Needs a CUDA GPU (needs CUDA streams): skipped on a CPU.</p>' in out
