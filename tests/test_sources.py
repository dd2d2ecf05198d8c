"""docs/data/sources.yml: every fact no code can show has a source, read within the last year."""

from __future__ import annotations

import datetime
import re

import pytest

from fieldguide.build import sources as sources_hooks
from fieldguide.build.sources import definitions, problems, unresolved
from tests_support import ROOT

DOCS = ROOT / "docs"
# Words that mark a statement about a project's status, a rename or a survey: a sentence with
# one must cite a source.
STATUS_WORDS = re.compile(r"\b(maintenance|maintained|archived|renamed|survey)\b", re.I)


@pytest.fixture(scope="module")
def sources():
    return sources_hooks.load()


def pages() -> dict[str, str]:
    return {str(p.relative_to(DOCS)): p.read_text(encoding="utf-8") for p in sorted(DOCS.rglob("*.md"))}


def cited_anywhere() -> set[str]:
    """Footnotes on pages, and the inline citations of notebook pages (by URL)."""
    cited = set()
    for text in pages().values():
        cited |= set(sources_hooks.REF_RE.findall(text))
    notebooks = " ".join(p.read_text(encoding="utf-8") for p in (DOCS / "use-cases").glob("*.py"))
    return cited | {key for key, s in sources_hooks.load().items() if f"]({s['url']})" in notebooks}


def test_every_source_is_complete_recent_and_cited(sources):
    assert problems(sources, datetime.date.today(), cited_anywhere()) == []


def test_every_footnote_has_a_definition_or_a_source(sources):
    bad = {page: missing for page, text in pages().items() if (missing := unresolved(text, sources))}
    assert bad == {}


def test_status_statements_cite_a_source():
    """A sentence about maintenance, archival, renames or surveys carries a footnote."""
    bad = []
    for page, text in pages().items():
        prose = re.sub(r"```.*?```|<!-- generated:.*?<!-- /generated:[\w-]+ -->", "", text, flags=re.S)
        for para in re.split(r"\n\s*\n", prose):
            for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z`\[])", para):
                if STATUS_WORDS.search(sentence) and "[^" not in sentence and not sentence.startswith("|"):
                    bad.append(f"{page}: {' '.join(sentence.split())[:120]}")
    assert bad == []


def test_notebook_citations_match_the_sources_file(sources):
    """Notebook pages have no footnotes: they cite inline, with the same URL and check date."""
    by_url = {s["url"]: s for s in sources.values()}
    bad = []
    for nb in sorted((DOCS / "use-cases").glob("*.py")):
        text = " ".join(line.lstrip("# ") for line in nb.read_text(encoding="utf-8").splitlines())
        for url in re.findall(r"\]\((https?://[^)\s]+)\)", text):
            source = by_url.get(url)
            if source is None:
                bad.append(f"{nb.name}: {url} is not in docs/data/sources.yml")
            elif f"checked {source['checked']}" not in text:
                bad.append(f"{nb.name}: {url} should say 'checked {source['checked']}'")
    assert bad == []


# Planted faults: each names the source and what is wrong.


def test_an_old_check_is_reported():
    old = {"x": {"title": "T", "url": "https://e.org", "says": "S.", "checked": datetime.date(2025, 11, 1)}}
    assert problems(old, datetime.date(2026, 12, 2), {"x"}) == [
        "x: last checked 2025-11-01, more than 12 months ago: read the source again"
    ]


def test_a_source_without_a_link_or_unused_is_reported():
    bad = {"x": {"title": "T", "says": "S.", "checked": datetime.date(2026, 12, 1)}}
    assert problems(bad, datetime.date(2026, 12, 2), set()) == ["x: no url", "x: cited by no page"]


def test_a_footnote_without_a_source_is_reported(sources):
    text = "TorchServe is archived.[^no-such-source]\n"
    assert unresolved(text, sources) == ["no-such-source"]


def test_definitions_come_from_the_sources_file(sources):
    out = definitions("It is in limited maintenance.[^torchserve-notice]\n", sources)
    assert out.startswith("[^torchserve-notice]: [TorchServe's README")
    assert out.endswith(f"Checked {sources['torchserve-notice']['checked']}.")
