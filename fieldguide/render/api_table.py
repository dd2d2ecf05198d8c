"""Write the API table of docs/interop.md from the rows in snippets/interop/equivalence.py.

The table is rendered from the same list the tests run, so every row on the page has a
test, and tests/test_interop.py fails when the page and the list disagree.

Usage: python -m fieldguide generate api-table [--check]
"""

from __future__ import annotations

from fieldguide.project import ROOT, snippet_folder

PAGE = ROOT / "docs" / "interop.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _number(value: float) -> str:
    return "0" if value == 0 else f"{value:g}"


def render_rows(rows) -> str:
    lines = [
        "| row | PyTorch | TensorFlow / Keras | [tolerance](#tolerances) | what to know |",
        "|-----|---------|--------------------|-----------|--------------|",
    ]
    category = None
    for row in rows:
        if row.category != category:
            category = row.category
            lines.append(f"| **{category}** | | | | |")
        lines.append(
            f"| `test_row[{row.name}]` | `{_cell(row.torch_api)}` | `{_cell(row.tf_api)}` "
            f"| {row.tol.name} | {_cell(row.note)} |"
        )
    return "\n".join(lines) + "\n"


def render_tolerances(tolerances) -> str:
    lines = ["| tolerance | atol | rtol | why |", "|-----------|------|------|-----|"]
    for tol in tolerances:
        lines.append(f"| {tol.name} | {_number(tol.atol)} | {_number(tol.rtol)} | {_cell(tol.why)} |")
    return "\n".join(lines) + "\n"


def regions() -> dict[str, str]:
    snippet_folder()
    snippet_folder("interop")
    import equivalence

    return {
        "api-table": render_rows(equivalence.ROWS),
        "api-tolerances": render_tolerances(equivalence.TOLERANCES),
    }
