"""Draw the small function of docs/graphs.md as each framework's own graph sees it, as SVG.

The node lists come from running the page's snippets: `snippets/graphs/picture_tf.py` reads a
TensorFlow GraphDef, `snippets/graphs/picture_torch.py` reads a torch.export graph. This script
lays the nodes out in layers and writes plain SVG text: no Graphviz, no network, no timestamps,
integer coordinates only, so the same graphs always give the same bytes.
tests/test_graphs.py redraws them and compares with the committed files.

Usage: python -m fieldguide generate graph-pictures [--check]   (slow: only when named)
"""

from __future__ import annotations

import contextlib
import io
import os
import runpy
from dataclasses import dataclass
from html import escape

from fieldguide.project import ROOT, snippet_folder

DEFAULT_OUT = ROOT / "docs" / "assets" / "graphs"

# (output file, snippet that builds the node list, name of the list, title drawn on the picture)
PICTURES = [
    (
        "small_tf.svg",
        "snippets/graphs/picture_tf.py",
        "tf_small_nodes",
        "TensorFlow GraphDef of small_tf",
    ),
    (
        "small_torch.svg",
        "snippets/graphs/picture_torch.py",
        "torch_small_nodes",
        "PyTorch torch.export graph of SmallTorch",
    ),
]

FONT_SIZE = 12
CHAR_WIDTH = 7.3  # monospace advance at FONT_SIZE, rounded up so labels always fit
LINE_HEIGHT = 16
PAD_X, PAD_Y = 10, 8
GAP_X, GAP_Y = 28, 44
MARGIN = 20
TITLE_HEIGHT = 34
TITLE_CHAR_WIDTH = 8.4  # bold sans-serif at FONT_SIZE + 2, generous

STYLES = {  # kind: (fill, stroke)
    "input": ("#dbeafe", "#1d4ed8"),
    "op": ("#fef3c7", "#b45309"),
    "output": ("#dcfce7", "#15803d"),
}


@dataclass
class Box:
    name: str
    lines: list[str]
    inputs: list[str]
    kind: str
    layer: int = 0
    x: int = 0  # left edge
    y: int = 0  # top edge
    width: int = 0
    height: int = 0

    @property
    def centre(self) -> int:
        return self.x + self.width // 2


def source_name(tensor_name: str) -> str:
    """GraphDef inputs read 'node', 'node:1' or '^node' (a control edge); all name a node."""
    return tensor_name.lstrip("^").split(":")[0]


def make_boxes(nodes: list[tuple[str, str, list[str], str]]) -> list[Box]:
    names = {name for name, *_ in nodes}
    consumed = {source_name(i) for _, _, inputs, _ in nodes for i in inputs}
    boxes = []
    for name, op, inputs, shape in nodes:
        sources = [source_name(i) for i in inputs if source_name(i) in names]
        kind = "input" if not sources else ("output" if name not in consumed else "op")
        lines = [name, op] + ([shape] if shape else [])
        width = int(max(len(line) for line in lines) * CHAR_WIDTH) + 2 * PAD_X
        height = len(lines) * LINE_HEIGHT + 2 * PAD_Y
        boxes.append(Box(name, lines, sources, kind, width=width, height=height))
    return boxes


def assign_layers(boxes: list[Box]) -> None:
    """Longest path from the inputs; then each input moves down to sit just above its first consumer."""
    by_name = {box.name: box for box in boxes}
    for box in boxes:  # graph nodes come in topological order in both frameworks
        box.layer = 1 + max((by_name[i].layer for i in box.inputs), default=-1)
    for box in boxes:
        consumers = [other.layer for other in boxes if box.name in other.inputs]
        if not box.inputs and consumers:
            box.layer = min(consumers) - 1


def place(boxes: list[Box], title: str) -> tuple[int, int]:
    """Order each layer under its inputs, centre it, and return the canvas size."""
    by_name = {box.name: box for box in boxes}
    layers: list[list[Box]] = [[] for _ in range(max(box.layer for box in boxes) + 1)]
    for box in boxes:
        layers[box.layer].append(box)
    y = MARGIN + TITLE_HEIGHT
    for row in layers:
        # Boxes fed by the layers above sit under their inputs' mean centre; inputs of this layer follow.
        order = {box.name: k for k, box in enumerate(boxes)}

        def key(box: Box, order=order) -> tuple[int, int, int]:
            if box.inputs:
                return (0, sum(by_name[i].centre for i in box.inputs) // len(box.inputs), order[box.name])
            return (1, 0, order[box.name])

        row.sort(key=key)
        x = 0
        for box in row:
            box.x, box.y = x, y
            x += box.width + GAP_X
        y += max(box.height for box in row) + GAP_Y
    widths = [sum(box.width for box in row) + GAP_X * (len(row) - 1) for row in layers]
    canvas_width = max(*widths, int(len(title) * TITLE_CHAR_WIDTH)) + 2 * MARGIN
    for row, width in zip(layers, widths):
        shift = (canvas_width - width) // 2
        for box in row:
            box.x += shift
    return canvas_width, y - GAP_Y + MARGIN


def svg(nodes: list[tuple[str, str, list[str], str]], title: str) -> str:
    boxes = make_boxes(nodes)
    assign_layers(boxes)
    width, height = place(boxes, title)
    by_name = {box.name: box for box in boxes}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        "<defs>",
        '<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#475569"/></marker>',
        "</defs>",
        f'<rect x="0" y="0" width="{width}" height="{height}" rx="8" fill="#ffffff" stroke="#cbd5e1"/>',
        f'<text x="{MARGIN}" y="{MARGIN + FONT_SIZE}" font-family="sans-serif" font-size="{FONT_SIZE + 2}" '
        f'font-weight="bold" fill="#0f172a">{escape(title)}</text>',
    ]
    for box in boxes:  # edges first, so boxes are drawn over their ends
        for k, source in enumerate(box.inputs):
            start = by_name[source]
            end_x = box.x + (k + 1) * box.width // (len(box.inputs) + 1)
            out.append(
                f'<line x1="{start.centre}" y1="{start.y + start.height}" x2="{end_x}" y2="{box.y - 2}" '
                'stroke="#475569" stroke-width="1.5" marker-end="url(#arrow)"/>'
            )
    for box in boxes:
        fill, stroke = STYLES[box.kind]
        out.append(
            f'<rect x="{box.x}" y="{box.y}" width="{box.width}" height="{box.height}" rx="6" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
        )
        for k, line in enumerate(box.lines):
            weight = ' font-weight="bold"' if k == 0 else ""
            baseline = box.y + PAD_Y + k * LINE_HEIGHT + FONT_SIZE
            out.append(
                f'<text x="{box.centre}" y="{baseline}" text-anchor="middle" font-family="monospace" '
                f'font-size="{FONT_SIZE}"{weight} fill="#111827">{escape(line)}</text>'
            )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def node_lists() -> dict[str, tuple[list, str]]:
    """Run each picture snippet (quietly, on the CPU) and take the node list it builds."""
    os.environ["DOCS_DEVICE"] = "cpu"  # the graphs do not depend on the device; the pictures must not either
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    snippet_folder()
    # Both frameworks' snippets run in this one process, TensorFlow's first: Triton (PyPI's
    # torch brings it) loaded after TensorFlow kills the process (docs/interop.md), so first.
    with contextlib.suppress(ImportError):
        import triton  # noqa: F401
    found = {}
    for filename, snippet, variable, title in PICTURES:
        with contextlib.redirect_stdout(io.StringIO()):
            namespace = runpy.run_path(str(ROOT / snippet), run_name="__draw_graphs__")
        found[filename] = (namespace[variable], title)
    return found
