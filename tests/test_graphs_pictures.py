"""The graph pictures on docs/graphs.md are what scripts/draw_graphs.py draws from the installed frameworks now."""

from __future__ import annotations

import re

from tests_support import ROOT, run_python

ASSETS = ROOT / "docs" / "assets" / "graphs"
PAGE = ROOT / "docs" / "graphs.md"


def test_committed_pictures_match_the_script(tmp_path):
    done = run_python("scripts/draw_graphs.py", "--out", str(tmp_path), env={"TF_CPP_MIN_LOG_LEVEL": "2"}, timeout=170)
    assert done.returncode == 0, done.stderr
    drawn = sorted(p.name for p in tmp_path.glob("*.svg"))
    committed = sorted(p.name for p in ASSETS.glob("*.svg"))
    assert drawn == committed, f"drawn {drawn}, committed {committed}: run python scripts/draw_graphs.py"
    stale = [name for name in drawn if (tmp_path / name).read_bytes() != (ASSETS / name).read_bytes()]
    assert not stale, f"{stale} differ from what the script draws now: run python scripts/draw_graphs.py"


def test_the_page_shows_every_picture():
    shown = set(re.findall(r"\]\(assets/graphs/([^)\s]+\.svg)\)", PAGE.read_text(encoding="utf-8")))
    assert shown == {p.name for p in ASSETS.glob("*.svg")}
