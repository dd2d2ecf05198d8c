"""The strict build as readers get it: offline, versions read at build time, snippets expanded."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from fieldguide.build import site as mkdocs_hooks
from tests_support import ROOT

# Tags and attributes that make a browser fetch something.
RESOURCE_RE = re.compile(
    r"<(?:script|img|iframe|source|audio|video|embed)\b[^>]*?\bsrc=\"(?P<src>[^\"]+)\""
    r"|<link\b(?=[^>]*\brel=\"(?:stylesheet|icon|preload|modulepreload|prefetch|manifest)\")[^>]*?\bhref=\"(?P<href>[^\"]+)\""
)
CSS_URL_RE = re.compile(r"url\((['\"]?)(?P<url>[^)'\"]+)\1\)|@import\s+['\"](?P<imp>[^'\"]+)['\"]")


def external(url: str) -> bool:
    return url.startswith(("http://", "https://", "//")) and not url.startswith(
        ("http://127.0.0.1", "http://localhost")
    )


def test_pages_request_nothing_from_other_hosts(site):
    offenders = []
    for page in site.rglob("*.html"):
        for m in RESOURCE_RE.finditer(page.read_text(encoding="utf-8")):
            url = m["src"] or m["href"]
            if external(url):
                offenders.append(f"{page.relative_to(site)}: {url}")
    for sheet in site.rglob("*.css"):
        for m in CSS_URL_RE.finditer(sheet.read_text(encoding="utf-8")):
            url = m["url"] or m["imp"]
            if external(url):
                offenders.append(f"{sheet.relative_to(site)}: {url}")
    assert not offenders, "\n".join(offenders)


def test_index_shows_the_installed_versions(site):
    text = html.unescape(re.sub(r"<[^>]+>", " ", (site / "index.html").read_text(encoding="utf-8")))
    versions = mkdocs_hooks.installed_versions()
    assert {"python", "torch", "keras", "numpy"} <= set(versions)
    for name, version in versions.items():
        assert re.search(rf"\b{re.escape(name)}\s+{re.escape(version)}\b", text), (name, version)


def test_snippets_are_expanded_and_tabs_linked(site):
    page = (site / "first-model" / "index.html").read_text(encoding="utf-8")
    assert "--8&lt;--" not in page
    assert "--8<--" not in page
    assert "torch.optim.SGD" in html.unescape(re.sub(r"<[^>]+>", "", page))
    config = json.loads(html.unescape(re.search(r'id="__config"[^>]*>(.*?)</script>', page, re.S)[1]))
    assert "content.tabs.link" in config["features"]
    labels = re.findall(r'<label for="__tabbed_\d+_\d+">([^<]*)</label>', page)
    assert labels
    assert set(labels) == {"PyTorch", "TensorFlow"}


def tab_set_problems(page: str) -> list[str]:
    """Each tab set of a built page must hold exactly one PyTorch and one TensorFlow tab: two
    groups written back to back merge into one set of four, and linked tabs then hide half."""
    sets: dict[str, list[str]] = {}
    for group, label in re.findall(r'<label for="__tabbed_(\d+)_\d+">([^<]*)</label>', page):
        sets.setdefault(group, []).append(label)
    return [f"tab set {g}: {' | '.join(v)}" for g, v in sets.items() if sorted(v) != ["PyTorch", "TensorFlow"]]


def test_every_tab_set_has_one_tab_per_framework(site):
    bad = {}
    for page in sorted(site.rglob("index.html")):
        found = tab_set_problems(page.read_text(encoding="utf-8"))
        if found:
            bad[page.relative_to(site).as_posix()] = found
    assert bad == {}


def test_a_merged_tab_set_is_named():
    labels = ["PyTorch", "TensorFlow", "PyTorch", "TensorFlow"]
    page = "".join(f'<label for="__tabbed_3_{i}">{label}</label>' for i, label in enumerate(labels, 1))
    assert tab_set_problems(page) == ["tab set 3: PyTorch | TensorFlow | PyTorch | TensorFlow"]


def test_hook_replaces_only_its_marker():
    assert mkdocs_hooks.page_markdown("no marker here") == "no marker here"
    rendered = mkdocs_hooks.page_markdown(f"before\n{mkdocs_hooks.MARKER}\nafter")
    assert rendered.startswith("before\n| package | version |")
    assert rendered.endswith("after")


def _classified(md: Path) -> tuple[list[str], list]:
    """A page's lines and its blocks, each with the readings the executor gives it."""
    from fieldguide.pages import readings as docs_readings
    from fieldguide.pages.blocks import page_blocks

    text = md.read_text(encoding="utf-8")
    blocks = page_blocks(md)
    docs_readings.classify(md, text, blocks)
    return text.split("\n"), blocks


def _every_page(site, css_class: str, problems) -> tuple[dict[str, list[str]], int]:
    """`problems(page_html, md)` for every built page with a source, and how many elements of
    `css_class` the site shows in all."""
    bad, shown = {}, 0
    for md in sorted((ROOT / "docs").rglob("*.md")):
        page = _built(site, md)
        shown += page.count(f'class="{css_class}"')
        found = problems(page, md)
        if found:
            bad[md.relative_to(ROOT).as_posix()] = found
    return bad, shown


def label_problems(page_html: str, md: Path) -> list[str]:
    """The reading labels a built page shows, against the readings the executor gives the
    blocks outside its tabs, in page order: a label that names another reading, or a block
    with no label, is a problem naming the block's line."""
    from fieldguide.pages import readings as docs_readings

    lines, blocks = _classified(md)
    wanted = [(b.lineno, " ".join(b.readings)) for b in blocks if docs_readings.tab_of(lines, b.lineno) is None]
    shown = re.findall(r'<p class="docs-reading" data-reading="([^"]+)">', page_html)
    out = [f"line {n}: executed in {want!r}, labelled {got!r}" for (n, want), got in zip(wanted, shown) if want != got]
    if len(shown) != len(wanted):
        out.append(f"{len(wanted)} blocks outside the tabs, {len(shown)} labels")
    return out


def _built(site, md) -> str:
    rel = md.relative_to(ROOT / "docs").with_suffix("")
    html_file = site / rel.parent / "index.html" if rel.name == "index" else site / rel / "index.html"
    return html_file.read_text(encoding="utf-8")


def test_every_block_outside_the_tabs_shows_the_reading_that_runs_it(site):
    bad, labelled = _every_page(site, "docs-reading", label_problems)
    assert bad == {}
    assert labelled > 50  # the pages hold dozens of blocks outside their tabs


def test_a_label_that_names_another_reading_is_reported(site):
    md = ROOT / "docs" / "ecosystem.md"
    page = _built(site, md)
    one = page.index('data-reading="pytorch page"')
    planted = page[:one] + 'data-reading="tensorflow page"' + page[one + len('data-reading="pytorch page"') :]
    problems = label_problems(planted, md)
    assert len(problems) == 1
    assert problems[0].endswith("executed in 'pytorch page', labelled 'tensorflow page'")
    dropped = page.replace('<p class="docs-reading"', "<p", 1)
    assert label_problems(dropped, md)[-1].endswith("labels")


def uses_problems(page_html: str, md: Path) -> list[str]:
    """The "Uses ... from ..." notes a built page shows, against the names each block takes
    from earlier sections (fieldguide/build/dependencies.py, per reading), in page order; and every
    note's link must reach a heading of the page."""
    from fieldguide.build import readers as reader_hooks

    lines, blocks = _classified(md)
    wanted = reader_hooks.dependencies(blocks, lines)
    expected = [(n, [x for _, names in wanted[n].values() for x in names]) for n in sorted(wanted)]
    shown = re.findall(r'<p class="docs-uses" data-uses="([^"]*)">(.*?)</p>', page_html)
    out = [
        f"line {n}: uses {' '.join(names)}, the note says {got!r}"
        for (n, names), (got, _) in zip(expected, shown)
        if got.split() != names
    ]
    if len(shown) != len(expected):
        out.append(f"{len(expected)} blocks use earlier sections, {len(shown)} notes")
    ids = set(re.findall(r'\bid="([^"]+)"', page_html))
    for _, note in shown:
        out += [f"a note links to #{a}, which is no heading here" for a in re.findall(r'href="#([^"]*)"', note)
                if a and a not in ids]  # fmt: skip
    return out


def test_every_block_that_uses_an_earlier_section_says_so_with_a_link(site):
    bad, notes = _every_page(site, "docs-uses", uses_problems)
    assert bad == {}
    assert notes > 20


def test_a_missing_or_dead_dependency_note_is_reported(site):
    md = ROOT / "docs" / "deployment.md"
    page = _built(site, md)
    dropped = page.replace('<p class="docs-uses"', "<p", 1)
    assert uses_problems(dropped, md)[-1].endswith("notes")
    note = next(n for n in re.findall(r'<p class="docs-uses".*?</p>', page) if "#savedmodel-and-its" in n)
    dead = page.replace(note, note.replace('href="#savedmodel-and-its-signature"', 'href="#savedmodel"'), 1)
    assert uses_problems(dead, md) == ["a note links to #savedmodel, which is no heading here"]


def test_the_benchmark_page_says_how_to_get_the_harness(site):
    from fieldguide.build import readers as reader_hooks

    text = html.unescape(re.sub(r"<[^>]+>", "", _built(site, ROOT / "docs" / "performance.md")))
    url = reader_hooks.repo_url()
    folder = url.rsplit("/", 1)[-1]
    assert f"git clone {url}.git\ncd {folder}" in text
    assert text.index("git clone") < text.index("make bench        # the full CPU run")
    assert reader_hooks.CLONE_MARKER not in (site / "performance" / "index.html").read_text(encoding="utf-8")


# A script that loads code from another host at run time, or an empty src (the page itself).
DYNAMIC_IMPORT_RE = re.compile(r"""\bimport\(\s*["'](?P<url>https?://[^"']+)""")


def script_problems(page: str) -> list[str]:
    out = []
    for script in re.findall(r"<script\b[^>]*>.*?</script>", page, re.S):
        out += [f"imports {m['url']}" for m in DYNAMIC_IMPORT_RE.finditer(script) if external(m["url"])]
        if re.match(r'<script\b[^>]*\bsrc=""', script):
            out.append('an empty <script src="">')
    return out


def test_no_page_script_loads_code_from_another_host(site):
    bad = {p.relative_to(site).as_posix(): script_problems(p.read_text(encoding="utf-8")) for p in site.rglob("*.html")}
    assert {k: v for k, v in bad.items() if v} == {}
    notebook = (site / "use-cases" / "vision" / "index.html").read_text(encoding="utf-8")
    assert "jp-Notebook" in notebook or "jupyter-wrapper" in notebook  # the notebook template was rendered


def test_a_cdn_import_in_a_script_is_reported():
    page = '<script type="module">await import("https://cdnjs.cloudflare.com/x.mjs")</script><script src=""> </script>'
    assert script_problems(page) == ["imports https://cdnjs.cloudflare.com/x.mjs", 'an empty <script src="">']


def test_the_site_knows_its_address(site):
    from fieldguide.build import readers as reader_hooks

    url = reader_hooks.site_url(reader_hooks.repo_url())
    assert url
    assert url.startswith("https://")
    assert url.endswith("/")
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert locs
    assert all(loc.startswith(url) for loc in locs), locs[:3]
    page = (site / "performance" / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{url}performance/">' in page


def test_a_site_address_comes_from_the_repository_or_the_environment(monkeypatch):
    from fieldguide.build import readers as reader_hooks

    monkeypatch.delenv("DOCS_SITE_URL", raising=False)
    assert reader_hooks.site_url("https://github.com/Docs-Org/field-guide") == "https://docs-org.github.io/field-guide/"
    assert reader_hooks.site_url("https://gitlab.example.com/a/b") is None
    monkeypatch.setenv("DOCS_SITE_URL", "https://guide.example.org")
    assert reader_hooks.site_url("https://github.com/a/b") == "https://guide.example.org/"
