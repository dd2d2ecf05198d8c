"""The claims (docs/data/claims.yml) and the decision guide: every verdict follows from the data and
links to evidence in the built site."""

from __future__ import annotations

import ast
import copy
import functools
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from fieldguide.measure.bench import evidence
from fieldguide.render import claims as claims_data
from fieldguide.render import regions as generate
from tests_support import ROOT


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
def data() -> dict:
    return claims_data.load()


@pytest.fixture(scope="module")
def claims(data) -> list[dict]:
    return claims_data.claims(data)


def test_every_claim_has_one_verdict_and_evidence(data):
    assert claims_data.problems(data) == []


def test_every_page_shows_what_the_data_give(data):
    """The claims page, the home summary, the guide and each page's table, from claims.yml and
    the measured data; a message names each claim that a page shows differently."""
    assert generate.stale(["claims"]) == []
    assert claims_data.stale(data) == []


def test_every_evidence_link_resolves_in_the_built_site(claims, site):
    built = parse_html(site / "claims" / "index.html")
    bad = []
    for c in claims:
        anchor = c["id"].lower()
        assert anchor in built.rows, f"{c['id']}: no row with id={anchor} in the built claims page"
        bad += [f"{c['id']}: {msg}" for msg in unresolved(site, "/claims/", built.rows[anchor])]
    assert bad == []


def test_every_cited_test_exists(claims):
    missing = []
    for c in claims:
        for ref in claims_data.TEST_RE.findall(" ".join(c["evidence"])):
            file, name = ref.split("::")
            path = ROOT / file
            names = (
                {n.name for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.FunctionDef)}
                if path.exists()
                else set()
            )
            if name not in names:
                missing.append(f"{c['id']}: {ref}")
    assert missing == []


def test_home_page_summary_links_resolve(site, claims):
    to_claims = [h for h in parse_html(site / "index.html").hrefs if h.startswith("claims/#")]
    assert len(to_claims) == len(claims)
    assert unresolved(site, "/", to_claims) == []


def test_b3_tf1_session_and_placeholder_live_only_in_compat_v1():
    """B3's reason: gone from TensorFlow 2's main namespace, kept under tf.compat.v1."""
    import tensorflow as tf

    assert not hasattr(tf, "Session")
    assert not hasattr(tf, "placeholder")
    assert callable(tf.compat.v1.Session)
    assert callable(tf.compat.v1.placeholder)


def test_use_case_targets_are_the_notebooks_own():
    for domain, (*_, target) in claims_data.USE_CASE_TARGETS.items():
        text = (ROOT / "docs" / "use-cases" / f"{domain}.py").read_text(encoding="utf-8")
        assert re.search(rf"(>= |= ){re.escape(repr(target))}\b", text), f"{domain}: target {target} not asserted"


# Planted faults: each message names the claim and what is wrong.


def test_a_flipped_measurement_fails_naming_the_claim(data, tmp_path, monkeypatch):
    """Every committed run planted with the article's claim: every training workload's best
    PyTorch / best TensorFlow interval moved tenfold up (TensorFlow faster), every inference
    workload's tenfold down (PyTorch faster). The verdicts are read from the intervals."""
    for res in evidence.load():
        for c in res["comparisons"]:
            if c["name"] == "best":
                scale = 10 if c["task"] == "train" else 0.1
                c["ratio"], c["lo"], c["hi"] = (scale * c[k] for k in ("ratio", "lo", "hi"))
        (tmp_path / res["file"]).write_text(json.dumps(res))
    monkeypatch.setattr(evidence, "RUNS", tmp_path)
    messages = claims_data.stale(data)
    assert any(m.startswith("P2: docs/claims.md shows") for m in messages), messages
    assert claims_data.verdict_p2()[0] == "true"


def test_machines_that_disagree_make_p2_depend_on_the_cpu_naming_each(tmp_path, monkeypatch):
    """The newest machine's runs planted with TensorFlow faster on every training workload and
    PyTorch on every inference call (P2 true there); the other machines keep their data."""
    runs = evidence.load()
    newest = evidence.machines(runs)[0]
    for res in runs:
        if evidence.machine_key(res) == evidence.machine_key(newest["newest"]):
            for c in (c for c in res["comparisons"] if c["name"] == "best"):
                c["ratio"], c["lo"], c["hi"] = (1.5, 1.4, 1.6) if c["task"] == "train" else (0.5, 0.4, 0.6)
        (tmp_path / res["file"]).write_text(json.dumps(res))
    monkeypatch.setattr(evidence, "RUNS", tmp_path)
    others = {m["name"]: claims_data._p2_on(m)[0] for m in evidence.machines(evidence.load())[1:]}
    verdict, why = claims_data.verdict_p2()
    if set(others.values()) == {"true"}:
        assert verdict == "true"
    else:
        assert verdict == "depends"
        assert f"true on {newest['name']}" in why
        for name, v in others.items():
            assert f"{v} on {name}" in why


def test_a_hand_typed_number_in_a_reason_is_reported(data):
    planted = copy.deepcopy(data)
    planted["sections"][0]["claims"][0]["why"] = "PyTorch was 3.2 times faster here."
    cid = planted["sections"][0]["claims"][0]["id"]
    assert claims_data.problems(planted) == [
        f"{cid}: hand-typed number 3.2 in the reason: a measured figure must be computed from data "
        "(fieldguide/render/claims.py COMPUTED)"
    ]


def test_a_typed_verdict_on_a_computed_claim_is_reported(data):
    planted = copy.deepcopy(data)
    p2 = next(c for s in planted["sections"] for c in s["claims"] if c["id"] == "P2")
    p2["verdict"] = "depends"
    assert claims_data.problems(planted) == [
        "P2: the verdict is computed from data (p2); remove the typed verdict from docs/data/claims.yml"
    ]


def test_a_verdict_outside_the_vocabulary_is_reported(data):
    planted = copy.deepcopy(data)
    planted["sections"][0]["claims"][0]["verdict"] = "misleading"
    assert claims_data.problems(planted) == [
        "G1: verdict 'misleading' is not one of true, outdated, false, depends, unverifiable"
    ]


def test_a_claim_without_evidence_is_reported(data):
    planted = copy.deepcopy(data)
    planted["sections"][0]["claims"][0]["evidence"] = ["none yet"]
    assert claims_data.problems(planted) == ["G1: no evidence link"]


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
