"""Which snippet files a page runs whole, top to bottom, so that running the file alone again repeats it.

Running a file alone proves two things: each statement runs, and it needs nothing the file does not
define. When one page's blocks execute every statement that a run alone would, in the file's order,
the page's run proves the first; ruff's undefined-name check on the file (tests/test_lint.py) proves
the second. Such files are not run a second time; every other snippet file is.

What a run alone executes: every top-level statement except the docstring, `from __future__`, and
`if __name__ == "__main__" and sys.argv...` blocks, which only a child process started with those
arguments enters (the page starts them itself). An import of a sibling file outside the sections is
allowed when that sibling's sections ran earlier on the same page: the page has its names already.
A line the page does not include may instead be matched by a line of the same text that the page
runs at that point (linear_tf.py's data lines are linear_torch.py's, shown once on the page): the
page ran the same statement in the same order.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fieldguide.pages.blocks import page_blocks
from fieldguide.project import ROOT

DOCS = ROOT / "docs"


@dataclass(frozen=True)
class Coverage:
    page: Path | None  # the page that runs the whole file; None when there is none
    reason: str  # why not, when page is None


@cache
def page_lines(docs: Path = DOCS) -> dict[Path, dict[tuple[Path, int], int]]:
    """For each page: every (file, line) its CPU-run blocks execute, with its position in page order."""
    out = {}
    for page in sorted(docs.rglob("*.md")):
        order: dict[tuple[Path, int], int] = {}
        for block in page_blocks(page, config_path=docs.parent / "mkdocs.yml"):
            if block.gpu_only:
                continue
            for line in block.lines:
                order.setdefault((line.path.resolve(), line.lineno), len(order))
        out[page] = order
    return out


def _argument_gated_main(node: ast.stmt, source: str) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = ast.get_source_segment(source, node.test) or ""
    return "__name__" in test and "sys.argv" in test


def _code_lines(node: ast.stmt, lines: list[str]) -> list[int]:
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return [
        k
        for k in range(first, node.end_lineno + 1)
        if lines[k - 1].strip() and "8<" not in lines[k - 1]  # section markers never reach a page
    ]


def _texts(order: dict[tuple[Path, int], int]) -> list[str]:
    """The text of each line the page runs, by its position in page order."""
    texts = [""] * len(order)
    for (path, lineno), position in order.items():
        texts[position] = _file_lines(path)[lineno - 1]
    return texts


@cache
def _file_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def _sibling(node: ast.stmt, path: Path) -> Path | None:
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        candidate = path.parent / (node.module.split(".")[0] + ".py")
        return candidate if candidate.is_file() and candidate != path else None
    return None


def coverage(path: Path, docs: Path = DOCS) -> Coverage:
    """Whether one page runs every statement a run of `path` alone would, in the file's order."""
    path = path.resolve()
    source = path.read_text(encoding="utf-8")
    lines = source.split("\n")
    tree = ast.parse(source)
    body = tree.body[1:] if ast.get_docstring(tree) else tree.body
    pages = page_lines(docs)
    statements, siblings = [], []
    for node in body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        if _argument_gated_main(node, source):
            continue
        sibling = _sibling(node, path)
        if sibling is not None and not any(
            (path, k) in order for order in pages.values() for k in _code_lines(node, lines)
        ):
            siblings.append((node.lineno, sibling))
            continue
        statements.append(node)
    if not statements:
        return Coverage(None, "no statements a page could run")
    first = statements[0].lineno
    wanted = [k for node in statements for k in _code_lines(node, lines)]
    page = next((p for p, order in pages.items() if any((path, k) in order for k in wanted)), None)
    if page is None:
        return Coverage(None, f"line {first} is on no page")
    order = pages[page]
    texts = _texts(order)
    previous, start = -1, None
    for node in statements:
        for k in _code_lines(node, lines):
            position = order.get((path, k))
            if position is None:
                position = next((n for n in range(previous + 1, len(texts)) if texts[n] == lines[k - 1]), None)
            if position is None:
                return Coverage(None, f"line {k} is not shown on {page.relative_to(docs.parent)}")
            if position <= previous:
                return Coverage(None, f"line {k} runs on {page.relative_to(docs.parent)} before the lines above it")
            previous = position
            start = position if start is None else start
    for lineno, sibling in siblings:
        ran_before = [pos for (p, _), pos in order.items() if p == sibling.resolve() and pos < start]
        if not ran_before:
            return Coverage(None, f"line {lineno} imports {sibling.name}, which {page.name} does not run earlier")
    return Coverage(page, "")
