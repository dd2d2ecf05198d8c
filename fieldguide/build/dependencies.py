"""Which earlier block of a reading defines each name a block uses, and in which section.

A reader who copies one section's block needs what it uses from earlier sections too. The
names come from the code (Python's own `ast`), never from the prose: a name a block loads and
does not bind itself, bound at the top level of the nearest earlier block of the same reading.
The build prints the cross-section ones beside the block (fieldguide/build/readers.py), and
tests/test_site.py checks the built pages against this module.
"""

from __future__ import annotations

import ast
import builtins
import re
from dataclasses import dataclass

from fieldguide.pages.blocks import PythonBlock

# The first block of each framework defines these on every page, and the home page says so
# ("Run the code yourself"): a note on every block would drown the ones that matter.
DOCUMENTED = {"device", "tf_device"}
HEADING_RE = re.compile(r"^(#{2,6})\s+(?P<title>.+?)\s*#*\s*$")


@dataclass(frozen=True)
class Dependency:
    name: str
    block: PythonBlock  # the block that binds it
    section: str  # the heading above that block
    anchor: str  # the heading's id, as MkDocs' toc extension makes it


def _bound_at_top(tree: ast.Module) -> set[str]:
    out = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out.add(stmt.name)
            continue
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                out.add(node.id)
            elif isinstance(node, ast.alias):
                out.add((node.asname or node.name).split(".")[0])
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                out.add(node.name)
    return out


def _parse(block: PythonBlock) -> ast.Module | None:
    try:
        return ast.parse(block.source)
    except SyntaxError:
        return None  # the executor reports it


def used_names(block: PythonBlock) -> list[str]:
    """Names the block loads that nothing in the block binds, in order of first use."""
    tree = _parse(block)
    if tree is None:
        return []
    bound = set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            bound.add(node.id)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    loads = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]
    out: list[str] = []
    for node in sorted(loads, key=lambda n: (n.lineno, n.col_offset)):
        if node.id not in bound and node.id not in out:
            out.append(node.id)
    return out


def anchor(title: str) -> str:
    """The id MkDocs' toc extension gives a heading: its own slugify, on the heading's text
    without Markdown's inline marks (code spans, emphasis, link targets)."""
    from markdown.extensions.toc import slugify

    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title)
    return slugify(re.sub(r"[`*]", "", text), "-")


def section_of(page_lines: list[str], lineno: int) -> str:
    """The heading nearest above a line (below the page title), or "" before the first one."""
    fenced = False
    title = ""
    for line in page_lines[: lineno - 1]:
        if re.match(r"^\s*(```|~~~)", line):
            fenced = not fenced
        m = None if fenced else HEADING_RE.match(line)
        if m:
            title = m["title"]
    return title


def cross_section(blocks: list[PythonBlock], page_lines: list[str]) -> dict[int, list[Dependency]]:
    """For each block of one reading (by line), what it uses from blocks of earlier sections."""
    out: dict[int, list[Dependency]] = {}
    bound_by: list[tuple[PythonBlock, set[str]]] = []
    for block in blocks:
        if block.save_as:
            continue
        here = section_of(page_lines, block.lineno)
        deps = []
        for name in used_names(block):
            if name in DOCUMENTED:
                continue
            source = next((b for b, names in reversed(bound_by) if name in names), None)
            if source is None:
                continue  # unbound: the executor's run fails on it and names it
            where = section_of(page_lines, source.lineno)
            if where != here:
                deps.append(Dependency(name, source, where, anchor(where)))
        if deps:
            out[block.lineno] = deps
        tree = _parse(block)
        bound_by.append((block, _bound_at_top(tree) if tree else set()))
    return out
