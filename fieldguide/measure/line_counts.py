"""Count the lines a reader writes for each everyday task on the Ecosystem page, and table them.

    python -m fieldguide generate line-counts          # rewrite docs/data/line_counts.json and the table
    python -m fieldguide generate line-counts --check  # exit 1 if either is out of date

A counted line is a line of a snippet section that is not blank, not a comment and not an
expected-output (`#>`) line. Formatting is fixed by the project's formatter, so a count
cannot be shrunk by cramming statements onto one line without failing the lint.
"""

from __future__ import annotations

import re
from pathlib import Path

from fieldguide.project import ROOT

PAGE = ROOT / "docs" / "ecosystem.md"
DATA = ROOT / "docs" / "data" / "line_counts.json"
REGION = "line-counts"
FILES = {"PyTorch": "snippets/ecosystem/tasks_torch.py", "TensorFlow (Keras)": "snippets/ecosystem/tasks_tf.py"}
TASKS = {
    "define": "define a model, its loss and optimiser",
    "summary": "summarise it: layers and parameter counts",
    "train": "train it for 10 epochs",
    "evaluate": "evaluate accuracy on test data",
    "save-load": "save and load it",
    "custom-layer": "write a custom layer with a weight",
}


def section(text: str, name: str, where: str) -> list[str]:
    """The lines between `# --8<-- [start:name]` and `# --8<-- [end:name]`; a clear error if absent."""
    marker = re.escape(name)
    found = re.findall(rf"^# --8<-- \[start:{marker}\]\n(.*?)^# --8<-- \[end:{marker}\]$", text, re.S | re.M)
    if len(found) != 1:
        raise ValueError(f"{where}: expected one section [start:{name}] ... [end:{name}], found {len(found)}")
    return found[0].splitlines()


def count_code_lines(lines: list[str]) -> int:
    return sum(1 for line in lines if line.strip() and not line.strip().startswith("#"))


def counts(root: Path = ROOT) -> dict[str, dict[str, int]]:
    out = {}
    for framework, rel in FILES.items():
        text = (root / rel).read_text(encoding="utf-8")
        out[framework] = {task: count_code_lines(section(text, task, rel)) for task in TASKS}
    return out


def table(data: dict[str, dict[str, int]]) -> str:
    frameworks = list(FILES)
    rows = ["| task | " + " | ".join(frameworks) + " |", "|---|" + "---:|" * len(frameworks)]
    for task, label in TASKS.items():
        rows.append(f"| {label} | " + " | ".join(str(data[f][task]) for f in frameworks) + " |")
    rows.append("| **total** | " + " | ".join(f"**{sum(data[f].values())}**" for f in frameworks) + " |")
    return "\n".join(rows) + "\n"
