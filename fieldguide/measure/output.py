"""How every measuring command ends: its JSON, in the one layout the committed data files share.

Measuring writes data and nothing else; render/ writes the pages from it (`make data`).
"""

from __future__ import annotations

import json
from pathlib import Path

from fieldguide.project import ROOT


def json_text(data: dict) -> str:
    """A data file's text: two-space indents and a final newline, so diffs of a rerun stay small."""
    return json.dumps(data, indent=2) + "\n"


def write_json(path: Path, data: dict) -> str:
    """Write `data` to `path` (folders made as needed); the path as messages show it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json_text(data), encoding="utf-8")
    return str(path.resolve().relative_to(ROOT)) if path.resolve().is_relative_to(ROOT) else str(path)
