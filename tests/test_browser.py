"""The built site in Debian's chromium: every page the build wrote, as a reader's browser meets it.

One browser and one HTTP server serve the whole module, so the file must stay in one pytest-xdist worker:
`make test` runs with `--dist loadfile`, which keeps a file's tests together.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import time
from dataclasses import asdict

import pytest

from browser_support import (
    MAX_PAGE_BYTES,
    artifacts_dir,
    audit_page,
    axe_palettes,
    missing_tools,
    problems,
    serve,
    site_pages,
    start_chromium,
    weight_table,
)
from fieldguide.build import site as mkdocs_hooks

SEARCH_TERMS = ["tf.function", "torch.compile"]


@pytest.fixture(scope="module")
def pages(site) -> list[str]:
    found = site_pages(site)
    assert "" in found, "the build wrote no home page"
    return found


@pytest.fixture(scope="module")
def base(site):
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    missing = missing_tools()
    if missing:
        pytest.fail("\n".join(missing))
    browser = start_chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield browser
    browser.quit()


@pytest.fixture(scope="module")
def reports(driver, base, pages):
    shots = artifacts_dir()
    found = [audit_page(driver, base, page, shots, axe_palettes(page)) for page in pages]
    (shots / "browser-report.json").write_text(
        json.dumps({"max_page_bytes": MAX_PAGE_BYTES, "pages": [asdict(r) for r in found]}, indent=2) + "\n",
        encoding="utf-8",
    )
    return found


def test_every_nav_page_is_crawled(site, pages):
    home = (site / "index.html").read_text(encoding="utf-8")
    nav = {
        href.removeprefix("./").split("#")[0]
        for href in re.findall(r'<a href="([^"]+)" class="md-nav__link', home)
        if not href.startswith(("http:", "https:"))
    }
    assert nav, "no nav links on the home page"
    assert {"" if href == "." else href for href in nav} <= set(pages)


def test_pages_pass_in_the_browser(reports, capsys):
    with capsys.disabled():
        print("\n" + weight_table(reports))
    found = [problem for report in reports for problem in problems(report)]
    assert not found, "\n".join(found)
    assert all(r.requests > 0 and r.transferred_bytes > 0 for r in reports), "the performance log saw no traffic"


def test_a_screenshot_per_page_and_palette(reports):
    shots = artifacts_dir()
    for report in reports:
        name = report.page.strip("/").replace("/", "_") or "index"
        for scheme in ("default", "slate"):
            shot = shots / f"{name}-{scheme}.png"
            assert shot.stat().st_size > 10_000, f"{shot} is missing or blank"


def _tab_choices(driver) -> list[str]:
    """The checked label of every tab set that offers TensorFlow."""
    return driver.execute_script(
        """
        return [...document.querySelectorAll('.tabbed-set')].flatMap(set => {
          const labels = [...set.querySelectorAll(':scope > .tabbed-labels > label')];
          if (!labels.some(l => l.textContent.trim() === 'TensorFlow')) return [];
          const checked = set.querySelector(':scope > input:checked');
          return [labels.find(l => l.htmlFor === checked.id).textContent.trim()];
        });
        """
    )


def _wait_for(condition, what: str, limit_s: float = 5.0):
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {limit_s} s waiting for {what}")


def test_linked_tabs_switch_together_and_persist(driver, base, site, pages):
    from selenium.webdriver.common.by import By

    tabbed = [p for p in pages if (site / p / "index.html").read_text().count(">TensorFlow</label>") >= 2]
    assert len(tabbed) >= 2, f"need two pages with linked PyTorch/TensorFlow tabs, found {tabbed}"
    first, second = tabbed[:2]
    driver.get(base + first)
    driver.execute_script("localStorage.clear(); sessionStorage.clear();")
    driver.get(base + first)
    before = _tab_choices(driver)
    assert set(before) == {"PyTorch"}, before
    label = next(
        e for e in driver.find_elements(By.CSS_SELECTOR, ".tabbed-labels > label") if e.text.strip() == "TensorFlow"
    )
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", label)
    label.click()
    _wait_for(lambda: set(_tab_choices(driver)) == {"TensorFlow"}, f"every tab set on {first} to show TensorFlow")
    # Choosing TensorFlow shows every TensorFlow block of the page, not only the set clicked.
    hidden = driver.execute_script(
        """
        return [...document.querySelectorAll('.tabbed-set')].flatMap(set => {
          const labels = [...set.querySelectorAll(':scope > .tabbed-labels > label')];
          const i = labels.findIndex(l => l.textContent.trim() === 'TensorFlow');
          if (i < 0) return [];
          const block = set.querySelectorAll(':scope > .tabbed-content > .tabbed-block')[i];
          const code = block && block.querySelector('pre');
          return code && code.offsetParent !== null && code.getClientRects().length ? [] : [labels[i].htmlFor];
        });
        """
    )
    assert hidden == [], f"TensorFlow blocks still hidden on {first}: {hidden}"
    driver.get(base + second)
    assert set(_tab_choices(driver)) == {"TensorFlow"}, f"the TensorFlow choice did not carry from {first} to {second}"
    driver.execute_script("localStorage.clear();")


def _search(driver, base, term: str, results_js: str) -> list:
    """Type `term` into the home page's search box; what `results_js` reads from the results."""
    from selenium.webdriver.common.by import By

    driver.get(base)
    # At desktop width material shows the search box in the header; the magnifier button is for narrow screens.
    box = driver.find_element(By.CSS_SELECTOR, "input.md-search__input")
    box.click()
    box.send_keys(term)

    def hits():
        # One script call: material re-renders the list while results stream in, so element handles go stale.
        return driver.execute_script(results_js)

    # The index loads in a web worker after the page; 10 s covers a cold worker on a busy 2-core machine.
    return _wait_for(hits, f"search results for {term!r}", limit_s=10)


@pytest.mark.parametrize("term", SEARCH_TERMS)
def test_search_finds(driver, base, term):
    js = "return [...document.querySelectorAll('.md-search-result__item')].map(e => e.textContent)"
    found = _search(driver, base, term, js)
    assert any(term in text for text in found), f"no result mentions {term!r}: {found[:3]}"


# An API name a reader types, and the section that shows it in code.
API_SEARCHES = {
    "torch.compile": "graphs/#compilers-xla-and-inductor",
    "GradScaler": "training/#float16-and-loss-scaling",
    "jit_compile": "performance/#keras-fit-against-a-hand-written-loop",
    "requires_grad": "training/#freezing-a-layer-and-training-the-head",
    "prefetch": "training/#batches-workers-and-prefetching",
}


@pytest.mark.parametrize(("term", "section"), API_SEARCHES.items())
def test_searching_an_api_name_lands_on_the_section_that_shows_it(driver, base, term, section):
    js = "return [...document.querySelectorAll('.md-search-result__link')].map(a => a.getAttribute('href'))"
    found = _search(driver, base, term, js)
    # An absolute link with the highlight query (`?h=term`): keep the page and the section.
    shown = [re.sub(r"^https?://[^/]+/|\?h=[^#]*", "", h) for h in found]
    assert section in shown[:6], (term, shown[:8])


COPY_SPY = """
window.__copied = [];
document.addEventListener('copy', e => {
  const t = e.target;
  window.__copied.push(t && 'value' in t ? t.value : String(document.getSelection()));
}, true);
"""


def test_copy_button_leaves_output_lines_behind(driver, base, site, pages):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    # The class attribute, not the name: the hook's style sheet names the class on every page.
    page = next((p for p in pages if 'class="docs-output"' in (site / p / "index.html").read_text()), None)
    assert page is not None, "no page has a code block with `#>` output lines"
    driver.get(base + page)
    # Headless chromium has no system clipboard to read back; clipboard.js copies with a `copy` event on a
    # hidden textarea, so the spy records exactly the text that would reach the clipboard.
    driver.execute_script(COPY_SPY)
    block = driver.execute_script(
        "return [...document.querySelectorAll('.docs-output')].map(e => e.closest('pre'))"
        ".find(pre => pre.offsetParent !== null)"
    )
    assert block is not None, f"{page}: no visible code block with output lines"
    shown = block.find_element(By.TAG_NAME, "code").get_attribute("textContent")
    expected = "\n".join(line for line in shown.splitlines() if not line.lstrip().startswith("#>")).rstrip()
    assert expected != shown.rstrip(), "the chosen block has no `#>` lines to leave behind"
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", block)
    button = block.find_element(By.CSS_SELECTOR, "button[data-md-type='copy']")
    ActionChains(driver).move_to_element(block).perform()
    button.click()
    copied = _wait_for(lambda: driver.execute_script("return window.__copied"), "the copy button to copy")
    assert copied[-1].rstrip() == expected
    assert "#>" not in copied[-1]


def test_every_page_says_when_it_was_last_verified(site, pages):
    versions = mkdocs_hooks.installed_versions()
    tensorflow = versions.get("tensorflow-cpu") or versions["tensorflow"]
    expected = (
        f"Last verified: {mkdocs_hooks.build_date().isoformat()} with torch {versions['torch']}, "
        f"TensorFlow {tensorflow}, Keras {versions['keras']} (built by make build)"
    )
    for page in pages:
        text = (site / page / "index.html").read_text(encoding="utf-8")
        lines = re.findall(r'<p class="docs-last-verified">(.*?)</p>', text, re.S)
        assert len(lines) == 1, f"{page or '/'}: {len(lines)} last-verified lines"
        assert html.unescape(re.sub(r"<[^>]+>", "", lines[0])) == expected, page


def test_last_verified_date_follows_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert mkdocs_hooks.last_verified_text().startswith("Last verified: 2023-11-14 with torch ")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH must be whole seconds"):
        mkdocs_hooks.build_date()


PLANTED = (
    '<script>console.error("planted fault")</script>'
    '<img src="http://localhost:9/planted.png">'
    '<script src="/planted-heavy.js"></script>'
)


def test_planted_faults_are_reported_with_the_page_name(driver, site, pages, tmp_path):
    broken_site = tmp_path / "site"
    shutil.copytree(site, broken_site)
    victim, clean = next(p for p in pages if p), ""
    page_file = broken_site / victim / "index.html"
    page_file.write_text(page_file.read_text().replace("</body>", PLANTED + "</body>"), encoding="utf-8")
    # Random bytes do not compress, so the transferred size is at least the file's size.
    (broken_site / "planted-heavy.js").write_bytes(b"//" + os.urandom(MAX_PAGE_BYTES).hex().encode()[:MAX_PAGE_BYTES])
    with serve(broken_site) as url:
        found = problems(audit_page(driver, url, victim, None, ("default",)))
        assert problems(audit_page(driver, url, clean, None, ("default",))) == []
    text = "\n".join(found)
    kinds = ["console error", "request to another host: http://localhost:9/planted.png", "failed request", "weighs"]
    for kind in kinds:
        assert f"{victim}: {kind}" in text, f"{kind!r} not reported for {victim}:\n{text}"
    assert re.search(rf"^{re.escape(victim)}: axe critical image-alt", text, re.M), text
