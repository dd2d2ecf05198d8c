"""The graph pictures on docs/graphs.md are what fieldguide/render/graphs.py draws from the installed frameworks now."""

from __future__ import annotations

import re

from tests_support import ROOT, run_python

ASSETS = ROOT / "docs" / "assets" / "graphs"
PAGE = ROOT / "docs" / "graphs.md"


def test_committed_pictures_match_the_script():
    # A child process: drawing runs the page's snippets, which import both frameworks.
    done = run_python(
        "-m", "fieldguide", "generate", "--check", "graph-pictures", env={"TF_CPP_MIN_LOG_LEVEL": "2"}, timeout=170
    )
    assert done.returncode == 0, done.stderr


def test_every_committed_picture_is_drawn():
    from fieldguide.render import graphs as draw_graphs

    drawn = sorted(name for name, *_ in draw_graphs.PICTURES)
    committed = sorted(p.name for p in ASSETS.glob("*.svg"))
    assert drawn == committed, f"drawn {drawn}, committed {committed}: run python -m fieldguide generate graph-pictures"


def test_the_page_shows_every_picture():
    shown = set(re.findall(r"\]\(assets/graphs/([^)\s]+\.svg)\)", PAGE.read_text(encoding="utf-8")))
    assert shown == {p.name for p in ASSETS.glob("*.svg")}
