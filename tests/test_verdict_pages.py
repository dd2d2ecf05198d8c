"""The claims page and the decision guide: every verdict and recommendation links to evidence in the built site."""

from __future__ import annotations

import ast
import functools
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import claims_summary
import pytest
from claims_summary import VERDICTS, Claim, parse

from tests_support import ROOT

SHARED_CLAIMS = ROOT.parent / "shared" / "claims.md"
# The ids of ../shared/claims.md when this checkout was made; the file itself is read when present.
KNOWN_IDS = {
    *(f"G{i}" for i in range(1, 6)),
    "E1",
    "E2",
    "D1",
    "D2",
    "D3",
    *(f"P{i}" for i in range(1, 5)),
    "C1",
    "U1",
    *(f"B{i}" for i in range(1, 7)),
}


def expected_ids() -> set[str]:
    if not SHARED_CLAIMS.exists():
        return KNOWN_IDS
    return KNOWN_IDS | set(re.findall(r"^\| ([A-Z]\d+) \|", SHARED_CLAIMS.read_text(encoding="utf-8"), re.M))


def problems(claims: list[Claim], wanted: set[str]) -> list[str]:
    """What is wrong with the claim rows, one message per problem."""
    found = [c.id for c in claims]
    out = [f"{i}: no row on docs/claims.md" for i in sorted(wanted - set(found))]
    out += [f"{i}: more than one row" for i in sorted({i for i in found if found.count(i) > 1})]
    for c in claims:
        where = f"docs/claims.md:{c.line} {c.id}"
        if c.verdict not in VERDICTS:
            out.append(f"{where}: verdict {c.verdict!r} is not one of {', '.join(VERDICTS)}")
        if not c.why.endswith(".") or c.why.count(". ") > 0:
            out.append(f"{where}: the reason should be one sentence ending with a full stop")
        if not c.links:
            out.append(f"{where}: no evidence link")
    return out


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.rows: dict[str, list[str]] = {}
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and "href" in attrs:
            self.hrefs.append(attrs["href"])
        if tag == "tr":
            self._row = []
        elif self._row is not None and tag == "a":
            if "id" in attrs:
                self.rows[attrs["id"]] = self._row
            if "href" in attrs:
                self._row.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "tr":
            self._row = None


def parse_html(path: Path) -> _Ids:
    stat = path.stat()
    return _parsed(path, stat.st_mtime_ns, stat.st_size)


# The guide and the claims page link dozens of times into the same few large pages; parsing each
# once per change (mtime and size are part of the key) took a link check from 4 s to well under 1 s.
@functools.lru_cache(maxsize=64)
def _parsed(path: Path, mtime_ns: int, size: int) -> _Ids:
    parser = _Ids()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def unresolved(site: Path, page_url: str, hrefs: list[str]) -> list[str]:
    """The hrefs of a built page (at `page_url`, like "claims/") that name no file or no anchor."""
    bad = []
    for href in hrefs:
        if href.startswith(("http://", "https://", "mailto:")):
            continue
        target = urlsplit(urljoin(page_url, href))
        file = site / target.path.lstrip("/")
        if target.path.endswith("/") or not target.path:
            file = file / "index.html"
        if not file.is_file():
            bad.append(f"{href}: no page {file.relative_to(site)}")
        elif target.fragment and target.fragment not in parse_html(file).ids:
            bad.append(f"{href}: no anchor #{target.fragment} in {file.relative_to(site)}")
    return bad


@pytest.fixture(scope="module")
def claims() -> list[Claim]:
    return parse((ROOT / "docs" / "claims.md").read_text(encoding="utf-8"))


def test_every_claim_has_one_verdict_and_evidence(claims):
    assert problems(claims, expected_ids()) == []


def test_every_evidence_link_resolves_in_the_built_site(claims, site):
    built = parse_html(site / "claims" / "index.html")
    bad = []
    for c in claims:
        assert c.anchor in built.rows, f"{c.id}: no row with id={c.anchor} in the built claims page"
        bad += [f"{c.id}: {msg}" for msg in unresolved(site, "/claims/", built.rows[c.anchor])]
    assert bad == []


def test_every_cited_test_exists(claims):
    missing = []
    for c in claims:
        for ref in c.tests:
            file, name = ref.split("::")
            path = ROOT / file
            names = (
                {n.name for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.FunctionDef)}
                if path.exists()
                else set()
            )
            if name not in names:
                missing.append(f"{c.id}: {ref}")
    assert missing == []


def test_home_page_summary_matches_the_claims_page():
    assert claims_summary.main(["--check"]) == 0


def test_home_page_summary_links_resolve(site, claims):
    to_claims = [h for h in parse_html(site / "index.html").hrefs if h.startswith("claims/#")]
    assert len(to_claims) == len(claims)
    assert unresolved(site, "/", to_claims) == []


# Planted faults: each check names the claim and what is wrong.


def test_a_claim_without_a_row_is_reported(claims):
    assert problems([c for c in claims if c.id != "G3"], expected_ids()) == ["G3: no row on docs/claims.md"]


def test_a_verdict_outside_the_four_is_reported():
    text = '| <a id="g1"></a>G1 | static graphs | maybe | It is unclear. | [x](graphs.md) |\n'
    assert problems(parse(text), {"G1"}) == [
        "docs/claims.md:1 G1: verdict 'maybe' is not one of true, outdated, false, depends"
    ]


def test_a_claim_without_evidence_is_reported():
    text = '| <a id="g1"></a>G1 | static graphs | false | Both run eagerly. | none yet |\n'
    assert problems(parse(text), {"G1"}) == ["docs/claims.md:1 G1: no evidence link"]


def test_a_link_to_a_missing_anchor_is_reported(site):
    assert unresolved(site, "/claims/", ["../graphs/#no-such-section", "../nowhere/"]) == [
        "../graphs/#no-such-section: no anchor #no-such-section in graphs/index.html",
        "../nowhere/: no page nowhere/index.html",
    ]


# The decision guide: every scenario has a recommendation, and every link in it resolves.

SCENARIOS = [
    "Research prototype",
    "Production service on CPU",
    "Mobile or edge",
    "Large-scale distributed training",
    "Teaching",
    "An existing Keras codebase",
    "An existing PyTorch codebase",
    "Needing both",
]


def scenario_problems(text: str) -> list[str]:
    """Scenarios missing from docs/choosing.md, or without a recommendation or a link to evidence."""
    sections = dict(re.findall(r"^## ([^\n]+)\n(.*?)(?=^## |\Z)", text, re.M | re.S))
    out = [f"{name}: no section" for name in SCENARIOS if name not in sections]
    for name, body in sections.items():
        if "**Recommendation:**" not in body:
            out.append(f"{name}: no recommendation")
        if not re.search(r"\]\((?!https?:)[^)]+\)", body):
            out.append(f"{name}: no link to evidence on this site")
    return out


def test_every_scenario_has_a_recommendation_and_evidence():
    assert scenario_problems((ROOT / "docs" / "choosing.md").read_text(encoding="utf-8")) == []


def test_every_link_in_the_guide_resolves_in_the_built_site(site):
    hrefs = [h for h in parse_html(site / "choosing" / "index.html").hrefs if not h.startswith(("#", "http"))]
    assert len(hrefs) > len(SCENARIOS)
    # Theme links (assets, other pages in the nav) resolve too; they are checked alongside.
    assert unresolved(site, "/choosing/", hrefs) == []


def test_a_scenario_without_evidence_is_reported():
    text = "## Teaching\n\n**Recommendation:** either, because we like both.\n"
    assert "Teaching: no link to evidence on this site" in scenario_problems(text)
    assert "Mobile or edge: no section" in scenario_problems(text)
