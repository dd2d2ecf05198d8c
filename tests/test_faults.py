"""Bad input gets a clear error that names the file to fix.

Each fault is planted in a temporary copy of the project (configuration, test
plugin, pages and snippets), never in the real tree, and the message of the
real tool that meets it (the Sybil plugin, pytest, mkdocs) is checked.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from fieldguide.pages.blocks import parse_page
from fieldguide.pages.outputs import DocsBlockError
from tests_support import copy_project, mkdocs_build, run_python

FAULTY_SNIPPET = '''\
"""A snippet whose second section fails."""

# --8<-- [start:ok]
total = 1 + 1
# --8<-- [end:ok]

# --8<-- [start:boom]
values = [1, 2, 3]
assert sum(values) == 7, "planted failure"
# --8<-- [end:boom]
'''

PAGES = {
    "fault-snippet.md": """\
        # Failing snippet

        ```python
        --8<-- "snippets/faults/boom.py:ok"
        ```

        ```python title="boom.py" hl_lines="2"
        --8<-- "snippets/faults/boom.py:boom"
        ```
        """,
    "fault-timeout.md": """\
        # Hanging block

        ```python
        import time

        time.sleep(60)
        ```
        """,
    "fault-output.md": """\
        # Output that disagrees with the page

        ```python
        print(round(2 / 3, 2))
        #> 0.66
        ```
        """,
    "fault-silent-print.md": """\
        # A print the page does not show

        ```python
        print("hidden")
        ```
        """,
    "fault-skip.md": """\
        # A block that skips itself without a mark

        ```python
        import pytest

        pytest.skip("not today")
        ```
        """,
    "fault-gpu-only.md": """\
        # A marked GPU-only block

        <!-- gpu-only: needs a CUDA device to show pinned memory -->
        ```python
        raise RuntimeError("must not run on the CPU")
        ```
        """,
    "fault-gpu-output.md": """\
        # A GPU-only block that shows output nobody measured

        <!-- gpu-only: float16 on CUDA -->
        ```python
        print("scale:", 65536.0)
        #> scale: 65536.0
        ```
        """,
    "fault-repo-import.md": """\
        # A block that imports from the repository

        ```python
        from faults.boom import total
        ```
        """,
    "fault-other-tab.md": """\
        # A block that uses a name from the other framework's tab

        === "PyTorch"

            ```python
            shared = 1
            ```

        === "TensorFlow"

            ```python
            print(shared)
            #> 1
            ```
        """,
    "fault-repo-file.md": """\
        # A block that reads a repository file by a relative path

        ```python
        config = open("mkdocs.yml").read()
        ```
        """,
}


@pytest.fixture(scope="module")
def faulty_run(tmp_path_factory):
    """One pytest run over all the planted pages; each test reads its part of the result."""
    project = copy_project(tmp_path_factory.mktemp("faulty"))
    (project / "snippets" / "faults").mkdir()
    (project / "snippets" / "faults" / "boom.py").write_text(FAULTY_SNIPPET)
    for name, text in PAGES.items():
        (project / "docs" / name).write_text(textwrap.dedent(text))
    report = project / "blocks.json"
    env = {"DOCS_BLOCKS_REPORT": str(report), "DOCS_DEVICE": "cpu"}
    pages = [f"docs/{name}" for name in PAGES]
    args = ["-m", "pytest", "-p", "no:xdist", "--timeout=6", "-o", "addopts=", *pages]
    done = run_python(*args, cwd=project, env=env, timeout=120)
    return done, json.loads(report.read_text())


def test_failing_block_in_snippet_names_snippet_file_and_line(faulty_run):
    done, _ = faulty_run
    assert done.returncode == 1
    # the assert is on line 9 of the snippet file, and the page block is at line 7
    assert "snippets/faults/boom.py:9: AssertionError: planted failure" in done.stdout
    assert "block at docs/fault-snippet.md:7" in done.stdout


def test_fence_with_attributes_is_executed(faulty_run):
    _, report = faulty_run
    # title= and hl_lines= did not hide the block: it ran, and failed.
    assert report["pages"]["docs/fault-snippet.md"]["failed"] == 1


def test_hanging_block_times_out_with_its_location(faulty_run):
    done, _ = faulty_run
    # line 6 is the time.sleep call the block was stuck in; line 3 is the block's fence
    expected = (
        "docs/fault-timeout.md:6: Timeout (>6.0s) from pytest-timeout. "
        "(block at docs/fault-timeout.md:3, whole-page reading)"
    )
    assert expected in done.stdout


def test_printed_output_is_compared(faulty_run):
    done, _ = faulty_run
    assert "docs/fault-output.md:3 (whole-page reading): printed output differs from the '#>' lines" in done.stdout
    assert "- 0.66" in done.stdout
    assert "+ 0.67" in done.stdout


def test_print_without_expected_output_fails(faulty_run):
    done, _ = faulty_run
    assert (
        "docs/fault-silent-print.md:3 (whole-page reading): the block prints output the page does not show"
        in done.stdout
    )


def test_a_block_cannot_skip_itself(faulty_run):
    # A reader's script has no pytest to skip it: the call fails like any other error.
    done, report = faulty_run
    assert "docs/fault-skip.md:6: Skipped: not today" in done.stdout
    assert report["pages"]["docs/fault-skip.md"]["failed"] == 1


def test_block_importing_from_the_repository_fails(faulty_run):
    done, _ = faulty_run
    assert "docs/fault-repo-import.md:4: ModuleNotFoundError: No module named 'faults'" in done.stdout


def test_name_from_the_other_tab_fails_in_its_reading(faulty_run):
    done, report = faulty_run
    assert "docs/fault-other-tab.md:12: NameError: name 'shared' is not defined" in done.stdout
    assert "(block at docs/fault-other-tab.md:11, TensorFlow reading" in done.stdout
    # The whole page, where the PyTorch tab ran first, would have hidden it.
    assert report["pages"]["docs/fault-other-tab.md"]["failed"] == 1


def test_block_reading_a_repository_file_fails(faulty_run):
    done, _ = faulty_run
    assert (
        "docs/fault-repo-file.md:4: FileNotFoundError: [Errno 2] No such file or directory: 'mkdocs.yml'" in done.stdout
    )


def test_gpu_only_block_with_output_lines_fails_on_cpu(faulty_run):
    done, report = faulty_run
    assert report["pages"]["docs/fault-gpu-output.md"]["failed"] == 1
    assert (
        "docs/fault-gpu-output.md:4: a gpu-only block shows `#>` lines, but no run on this device printed them"
        in done.stdout
    )


def test_gpu_only_block_skips_on_cpu_with_reason(faulty_run):
    done, report = faulty_run
    row = report["pages"]["docs/fault-gpu-only.md"]
    assert row == {
        "collected": 1,
        "executed": 0,
        "failed": 0,
        "skipped": 1,
        "not run": 0,
        "skips": [{"line": 4, "reason": "Skipped: gpu-only: needs a CUDA device to show pinned memory"}],
    }
    assert not any("fault-gpu-only" in problem for problem in report["problems"])
    assert "line 4: Skipped: gpu-only: needs a CUDA device to show pinned memory" in done.stdout


def test_report_counts_every_block(faulty_run):
    _, report = faulty_run
    assert {page: row["collected"] for page, row in report["pages"].items()} == {
        f"docs/{name}": (2 if name in ("fault-snippet.md", "fault-other-tab.md") else 1) for name in PAGES
    }


def plant_page(tmp_path: Path, body: str) -> tuple[Path, Path]:
    project = copy_project(tmp_path)
    page = project / "docs" / "planted.md"
    page.write_text(textwrap.dedent(body))
    return project, page


def test_missing_snippet_file_names_page_and_path(tmp_path):
    project, page = plant_page(tmp_path, '# x\n\nText.\n\n```python\n--8<-- "snippets/nowhere/gone.py:fit"\n```\n')
    with pytest.raises(DocsBlockError) as caught:
        parse_page(page, config_path=project / "mkdocs.yml")
    message = str(caught.value)
    assert message.startswith("docs/planted.md:6: Snippet at path 'snippets/nowhere/gone.py' could not be found")


def test_missing_snippet_section_names_page_and_section(tmp_path):
    project, page = plant_page(
        tmp_path, '# x\n\n```python\n--8<-- "snippets/first_model/linear_torch.py:no-such-section"\n```\n'
    )
    with pytest.raises(DocsBlockError) as caught:
        parse_page(page, config_path=project / "mkdocs.yml")
    assert str(caught.value).startswith("docs/planted.md:4: Snippet section 'no-such-section' could not be located")


def test_include_outside_a_fence_is_refused(tmp_path):
    project, page = plant_page(tmp_path, '# x\n\n--8<-- "snippets/first_model/linear_torch.py:data"\n')
    with pytest.raises(DocsBlockError, match=r"docs/planted\.md:3: --8<-- outside a code fence"):
        parse_page(page, config_path=project / "mkdocs.yml")


def test_python_lookalike_fence_is_refused(tmp_path):
    project, page = plant_page(tmp_path, "# x\n\n```pycon\n>>> 1 + 1\n2\n```\n")
    with pytest.raises(DocsBlockError, match=r"docs/planted\.md:3: fence language 'pycon' would not be executed"):
        parse_page(page, config_path=project / "mkdocs.yml")


@pytest.fixture(scope="module")
def broken_links_build(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("links"))
    page = project / "docs" / "first-model.md"
    broken = "See [a missing page](no-such-page.md) and [a bad anchor](index.md#no-such-heading)."
    page.write_text(page.read_text() + f"\n\n{broken}\n")
    return mkdocs_build(project, project / "site")


def test_broken_internal_link_fails_the_build(broken_links_build):
    assert broken_links_build.returncode != 0
    assert re.search(r"first-model\.md.*no-such-page\.md.*not found", broken_links_build.stderr)


def test_broken_anchor_fails_the_build(broken_links_build):
    assert broken_links_build.returncode != 0
    assert re.search(r"first-model\.md.*index\.md#no-such-heading.*no-such-heading", broken_links_build.stderr)


def test_missing_snippet_fails_the_build(tmp_path):
    project = copy_project(tmp_path)
    (project / "snippets" / "first_model" / "mlp_parity.py").unlink()
    done = mkdocs_build(project, project / "site")
    assert done.returncode != 0
    assert "Snippet at path 'snippets/first_model/mlp_parity.py' could not be found" in done.stderr + done.stdout


def test_update_rewrites_the_output_lines_where_they_were_written(tmp_path):
    project = copy_project(tmp_path)
    (project / "snippets" / "faults").mkdir()
    snippet = project / "snippets" / "faults" / "stale.py"
    snippet.write_text(
        "# --8<-- [start:one]\nprint(round(2 / 3, 2))\n#> 0.66\n# --8<-- [end:one]\n"
        "# --8<-- [start:two]\nprint('a')\nprint('b')\n#> a\n# --8<-- [end:two]\n"
    )
    (project / "docs" / "stale.md").write_text(
        '# x\n\n```python\n--8<-- "snippets/faults/stale.py:one"\n```\n\n'
        '```python\n--8<-- "snippets/faults/stale.py:two"\n```\n\n'
        "```python\nprint(1)\n#> 0\nprint(2)\nprint(3)\n#> 3\n```\n"
    )
    args = ["-m", "pytest", "-p", "no:xdist", "-o", "addopts=", "docs/stale.md"]
    updated = run_python(*args, cwd=project, env={"DOCS_UPDATE_EXAMPLES": "1"}, timeout=120)
    assert snippet.read_text() == (
        "# --8<-- [start:one]\nprint(round(2 / 3, 2))\n#> 0.67\n# --8<-- [end:one]\n"
        "# --8<-- [start:two]\nprint('a')\nprint('b')\n#> a\n#> b\n# --8<-- [end:two]\n"
    )
    # Three lines printed, two written in two places: placing them would be a guess.
    assert "docs/stale.md:11: cannot update its #> lines automatically (2 written, 3 printed" in updated.stdout
    again = run_python(*args, "-k", "not line:11", cwd=project, timeout=120)
    assert "2 passed" in again.stdout, again.stdout


PLACEMENT_PAGE = """\
# Compute on the wrong device

<!-- cpu: a planted reason to stay on the CPU -->
```python
import torch

kept = torch.ones(2, 2) @ torch.ones(2, 2)
```

=== "TensorFlow"

    ```python
    import tensorflow as tf

    z = tf.matmul(tf.ones((4, 4)), tf.ones((4, 4)))
    ```

=== "PyTorch"

    ```python
    x = torch.ones(4, 4)
    y = x @ x
    ```
"""


def test_compute_on_another_device_than_the_run_expects_names_page_and_line(tmp_path):
    """The placement check on the CPU: told to expect cuda, each reading's matrix product on the CPU fails, naming
    the page's line for PyTorch (the op's own line) and the block for TensorFlow (its placement log names no line);
    the block marked `cpu:` passes. The whole-page reading checks PyTorch only (TensorFlow's CPU build beside it)."""
    project = copy_project(tmp_path)
    (project / "docs" / "fault-placement.md").write_text(PLACEMENT_PAGE)
    args = ["-m", "pytest", "-p", "no:xdist", "-o", "addopts=", "docs/fault-placement.md"]
    done = run_python(*args, cwd=project, env={"DOCS_DEVICE": "cpu", "DOCS_PLACEMENT": "cuda"}, timeout=180)
    out = done.stdout
    assert done.returncode == 1, out[-3000:]
    assert "1 failed, 2 passed" in out or "2 failed, 1 passed" in out, out[-1500:]
    torch_line = PLACEMENT_PAGE.split("\n").index("    y = x @ x") + 1
    tf_fence = PLACEMENT_PAGE.split("\n").index('=== "TensorFlow"') + 3
    message = "where this run expects cuda"
    assert f"docs/fault-placement.md:{torch_line}: computed on cpu (torch mm) {message}" in out, out[-3000:]
    assert f"docs/fault-placement.md:{tf_fence}: computed on CPU (TensorFlow MatMul) {message}" in out, out[-3000:]
    assert "say why beside the block with <!-- cpu: reason -->" in out
