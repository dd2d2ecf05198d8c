"""The readings of a page: what a reader following one framework copies, in page order.

A block inside a tab labelled "PyTorch" belongs to the PyTorch reading and the whole
page; one labelled "TensorFlow" to the TensorFlow reading and the whole page; a block
outside the tabs to every reading, unless the comment line before its fence says
otherwise: `<!-- reading: pytorch -->`, `<!-- reading: tensorflow -->`, or
`<!-- reading: page -->` (only the whole page: a parity check that needs both).

A block marked `<!-- save-as: NAME.py -->` is a file the reader saves (a worker
script that a later block starts); it is written into the reading's folder, not run.

The same functions feed the suite's executor and the build's downloads, so what a
reader downloads is, byte for byte, what the suite ran.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from fieldguide.pages.blocks import PythonBlock, page_blocks, relative
from fieldguide.pages.outputs import DocsBlockError
from fieldguide.pins import install_specs

READINGS = {"pytorch": "PyTorch", "tensorflow": "TensorFlow", "page": "whole-page"}
TAB_LABELS = {"PyTorch": "pytorch", "TensorFlow": "tensorflow"}
# `===+` opens a tab selected, `===!` starts a new tab set where one would otherwise continue.
TAB_RE = re.compile(r'^(?P<indent>[ \t]*)===[+!]*[ \t]+"(?P<label>[^"]*)"')
CONTAINER_RE = re.compile(r"^(?P<indent>[ \t]*)(===[+!]*|\?\?\?\+?|!!!)[ \t]")
SAVE_AS_RE = re.compile(r"[\w.-]+\.py")


@dataclass
class Reading:
    page: Path
    name: str  # pytorch, tensorflow or page
    blocks: list[PythonBlock] = field(default_factory=list)

    @property
    def label(self) -> str:
        return READINGS[self.name]

    @property
    def stem(self) -> str:
        """The download's file name without suffix: `graphs-pytorch`, or `graphs` for the page."""
        base = relative(self.page).removeprefix("docs/").removesuffix(".md").replace("/", "-")
        return base if self.name == "page" else f"{base}-{self.name}"

    @property
    def run_blocks(self) -> list[PythonBlock]:
        return [b for b in self.blocks if not b.save_as]

    @property
    def saved_files(self) -> dict[str, str]:
        return {b.save_as: b.source for b in self.blocks if b.save_as}


def tab_of(page_lines: list[str], lineno: int) -> str | None:
    """The label of the content tab that holds the fence at `lineno`, if any."""
    fence = page_lines[lineno - 1]
    indent = len(fence) - len(fence.lstrip())
    for line in reversed(page_lines[: lineno - 1]):
        if not line.strip():
            continue
        own = len(line) - len(line.lstrip())
        if own >= indent:
            continue
        tab = TAB_RE.match(line)
        if tab:
            return tab["label"]
        if not CONTAINER_RE.match(line):
            return None  # text at a lower indent: the fence is outside any tab
        indent = own
    return None


def classify(page: Path, text: str, blocks: list[PythonBlock]) -> None:
    """Set each block's `readings` and `save_as` from its tab and the comments above it."""
    page_lines = text.split("\n")
    for block in blocks:
        save_as = block.marks.get("save-as")
        if save_as is not None and not SAVE_AS_RE.fullmatch(save_as):
            raise DocsBlockError(
                f"{relative(page)}:{block.lineno}: save-as {save_as!r} is not a file name like worker.py"
            )
        marked = [block.marks["reading"]] if "reading" in block.marks else []
        tab = tab_of(page_lines, block.lineno)
        where = f"{relative(page)}:{block.lineno}"
        if tab is not None and tab not in TAB_LABELS:
            raise DocsBlockError(f'{where}: tab "{tab}" is neither "PyTorch" nor "TensorFlow"')
        if marked and (tab or marked[0] not in READINGS):
            raise DocsBlockError(
                f"{where}: '<!-- reading: {marked[0]} -->' needs a block outside the tabs and one of "
                + ", ".join(READINGS)
            )
        if tab:
            own = TAB_LABELS[tab]
        elif marked:
            own = marked[0]
        else:
            own = None
        block.readings = ("page",) if own == "page" else (own, "page") if own else tuple(READINGS)
        block.save_as = save_as


@cache
def _page_readings(page: Path, mtime: float) -> tuple[Reading, ...]:
    text = page.read_text(encoding="utf-8")
    blocks = page_blocks(page)
    classify(page, text, blocks)
    out = []
    for name in READINGS:
        reading = Reading(page, name, [b for b in blocks if name in b.readings])
        if reading.run_blocks:
            out.append(reading)
    # A page with no tabs and no marks has one reading: the whole page.
    if all(r.blocks == out[-1].blocks for r in out):
        out = out[-1:]
    return tuple(out)


def page_readings(page: Path) -> tuple[Reading, ...]:
    page = Path(page).resolve()
    return _page_readings(page, page.stat().st_mtime)


def reading_specs(reading: Reading, strict: bool = False) -> list[str]:
    """The pinned packages a reading imports; the files it saves beside itself are its own modules."""
    local = frozenset(Path(name).stem for name in reading.saved_files)
    sources = [reading_source(reading), *reading.saved_files.values()]
    return install_specs("\n".join(sources), strict=strict, local=local)


def reading_install(reading: Reading, strict: bool = False) -> str:
    """The install line of a reading."""
    specs = reading_specs(reading, strict)
    return "pip install " + " ".join(specs) if specs else ""


def header(reading: Reading) -> str:
    """Comment lines that say what the file is and how to run it, at most 88 columns."""
    about = (
        f"{page_title(reading.page)} ({relative(reading.page)}), {reading.label} reading: "
        "its blocks in page order, exactly as the test suite runs them."
    )
    lines = textwrap.wrap(about, 86)
    lines += [
        "",
        f"Run it as a file (python {reading.stem}.py) or open {reading.stem}.ipynb in",
        "Jupyter. Pasted into Python 3.11's interactive prompt it fails: a blank line",
        "inside an indented block ends the block there.",
        "",
        *textwrap.wrap(
            reading_install(reading) or "(nothing to install)", 84, break_on_hyphens=False, subsequent_indent="    "
        ),
        f"DOCS_DEVICE=cuda python {reading.stem}.py  # on a GPU (the default is the CPU)",
    ]
    lines += [f"{name} must be beside this file: it is on the page, and a download." for name in reading.saved_files]
    return "".join(f"# {line}".rstrip() + "\n" for line in lines)


def page_title(page: Path) -> str:
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return relative(page)


def block_text(block: PythonBlock) -> str:
    """The block's code as the reader copies it, without trailing blank lines."""
    return block.source.rstrip("\n")


def reading_source(reading: Reading) -> str:
    """The blocks of a reading joined into one program (saved files left out)."""
    return "\n\n".join(block_text(block) for block in reading.run_blocks) + "\n"


def script(reading: Reading) -> str:
    """The `.py` download: how to run it, then exactly the code the suite runs."""
    return header(reading) + "\n" + reading_source(reading)


def block_spans(reading: Reading) -> dict[int, tuple[int, int]]:
    """First and last line of each run block in `script(reading)`, keyed by `id(block)`."""
    lineno = header(reading).count("\n") + 2
    spans = {}
    for block in reading.run_blocks:
        size = block_text(block).count("\n") + 1
        spans[id(block)] = (lineno, lineno + size - 1)
        lineno += size + 1
    return spans
