"""Footnotes for facts no code can show, from one file: docs/data/sources.yml.

MkDocs hook. A page cites a source as `[^torchserve-notice]`; this hook appends the footnote's
definition (link, what the source says, the date it was checked), so a source's wording and
date live in one place however many pages cite it. tests/test_sources.py checks the file.
"""

from __future__ import annotations

import datetime
import logging
import re
from pathlib import Path

import yaml

from fieldguide.project import ROOT

SOURCES = ROOT / "docs" / "data" / "sources.yml"
REF_RE = re.compile(r"\[\^([\w-]+)\](?!:)")
DEF_RE = re.compile(r"^\[\^([\w-]+)\]:", re.M)
FIELDS = ("title", "url", "says", "checked")
log = logging.getLogger("mkdocs.plugins.sources")


def load(path: Path = SOURCES) -> dict[str, dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def problems(sources: dict[str, dict], today: datetime.date, cited: set[str]) -> list[str]:
    """One message per source that is incomplete, unchecked for a year, or cited by no page."""
    out = []
    for key, source in sources.items():
        missing = [f for f in FIELDS if not source.get(f)]
        if missing:
            out.append(f"{key}: no {', '.join(missing)}")
            continue
        checked = source["checked"]
        if not isinstance(checked, datetime.date):
            out.append(f"{key}: checked {checked!r} is not a date (YYYY-MM-DD)")
        elif (today - checked).days > 365:
            out.append(f"{key}: last checked {checked}, more than 12 months ago: read the source again")
        if not str(source["url"]).startswith("https://") and not str(source["url"]).startswith("http://"):
            out.append(f"{key}: url {source['url']!r} is not a web address")
    out += [f"{key}: cited by no page" for key in sorted(set(sources) - cited)]
    return out


def unresolved(markdown: str, sources: dict[str, dict]) -> list[str]:
    """Footnote references that neither the page nor the sources file defines."""
    defined = set(DEF_RE.findall(markdown))
    return sorted({ref for ref in REF_RE.findall(markdown) if ref not in defined and ref not in sources})


def definitions(markdown: str, sources: dict[str, dict]) -> str:
    """The footnote definitions a page needs from the sources file, in order of first use."""
    defined = set(DEF_RE.findall(markdown))
    wanted = [r for r in dict.fromkeys(REF_RE.findall(markdown)) if r in sources and r not in defined]
    out = []
    for key in wanted:
        s = sources[key]
        says = " ".join(s["says"].split())
        out.append(f"[^{key}]: [{s['title']}]({s['url']}): {says} Checked {s['checked']}.")
    return "\n\n".join(out)


def page_markdown(markdown: str, src: str) -> str:
    if not src.endswith(".md"):
        # Notebook pages are rendered by mkdocs-jupyter, which has no footnotes: they cite inline.
        return markdown
    sources = load()
    missing = unresolved(markdown, sources)
    if missing:
        # A warning, which `mkdocs build --strict` turns into a failed build.
        log.warning(
            "%s: footnote %s has no definition on the page and no entry in docs/data/sources.yml",
            src,
            ", ".join(f"[^{m}]" for m in missing),
        )
    extra = definitions(markdown, sources)
    return f"{markdown.rstrip()}\n\n{extra}\n" if extra else markdown
