"""The output-line convention, in one place: `#> text` under code is what the code above prints.

pydantic's and pytest-examples' convention. The executor compares a block's printed output with
its `#>` lines (`compare_output`), `make update` rewrites them from a run (`update_expected`),
the reader mode compares a whole download's output (`expected_output`), the formatter hides the
marker from ruff (tools/fmt.py) and the build marks the lines in HTML (build/site.py): all read
`MARKER` and `EXPECTED_RE` from here.
"""

from __future__ import annotations

import itertools
import re
import textwrap
from pathlib import Path

MARKER = "#>"
EXPECTED_RE = re.compile(r"^\s*#>(?: |$)(?P<text>.*)$")


class DocsBlockError(Exception):
    """A page or block problem, reported with the file and line to fix."""


def expected_output(lines) -> list[str]:
    """The text of the `#> ...` lines, in order: what the code above them must print."""
    return [m["text"].rstrip() for line in lines if (m := EXPECTED_RE.match(line))]


def printed_lines(printed: str) -> list[str]:
    """Printed text as the lines a `#>` comparison reads: trailing spaces and newlines dropped."""
    return [line.rstrip() for line in printed.rstrip("\n").split("\n")] if printed.strip() else []


def compare_output(block, printed: str, reading: str = "") -> None:
    where_in = f" ({reading})" if reading else ""
    expected = block.expected_output
    actual = printed_lines(printed)
    if actual == expected:
        return
    if not expected:
        raise DocsBlockError(
            f"{block.where}{where_in}: the block prints output the page does not show; add it under the print as "
            f"'#> ...' lines:\n" + textwrap.indent("\n".join(actual), "    #> ")
        )
    diff = "\n".join(f"  - {e}" for e in expected) + "\n" + "\n".join(f"  + {a}" for a in actual)
    raise DocsBlockError(
        f"{block.where}{where_in}: printed output differs from the '#>' lines (- page, + run):\n{diff}"
    )


def update_expected(block, printed: str) -> None:
    """Rewrite the block's `#>` lines, where they were written, with what the code printed.

    One for one when the counts agree; a single run of `#>` lines is replaced whole. Anything
    else (several runs, and a different count) cannot be placed without guessing: it fails.
    """
    actual = printed_lines(printed)
    marked = [line for line in block.lines if EXPECTED_RE.match(line.text)]
    contiguous = all(a.path == b.path and b.lineno == a.lineno + 1 for a, b in itertools.pairwise(marked))
    if len(marked) != len(actual) and not (marked and contiguous):
        raise DocsBlockError(
            f"{block.where}: cannot update its #> lines automatically ({len(marked)} written, "
            f"{len(actual)} printed, in several places): edit them by hand"
        )
    first = marked[0]
    indent = first.text[: len(first.text) - len(first.text.lstrip())]
    new = [f"{indent}#> {text}".rstrip() if text else f"{indent}#>" for text in actual]
    by_file: dict[Path, list[str]] = {}
    if len(marked) == len(actual):
        for line, text in zip(marked, new):
            lines = by_file.setdefault(line.path, line.path.read_text(encoding="utf-8").split("\n"))
            lines[line.lineno - 1] = text
    else:
        lines = by_file.setdefault(first.path, first.path.read_text(encoding="utf-8").split("\n"))
        lines[first.lineno - 1 : marked[-1].lineno] = new
    for path, lines in by_file.items():
        path.write_text("\n".join(lines), encoding="utf-8")
