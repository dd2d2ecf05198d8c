"""A real browser on the built site: Debian's chromium driven over its own chromedriver, the site on 127.0.0.1."""

from __future__ import annotations

import functools
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from tests_support import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Nothing in a test run may reach another machine: no sync, no component or field-trial downloads, no QUIC probes.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
    # A desktop reader with a mouse: headless has no pointer, and material makes wide code blocks keyboard-focusable
    # only where `(hover)` matches; without this, axe reports the theme's touch-device behaviour (Blink's enums:
    # hover type 2 = hover, pointer type 4 = fine).
    "--blink-settings=primaryHoverType=2,availableHoverTypes=2,primaryPointerType=4,availablePointerTypes=4",
]
ALLOWED_HOST = "127.0.0.1"
MAX_PAGE_BYTES = 2 * 1024 * 1024
AXE_FAILING_IMPACTS = {"serious", "critical"}


def missing_tools() -> list[str]:
    wanted = {CHROMIUM: "make browser-deps", CHROMEDRIVER: "make browser-deps", AXE: "make browser-deps (npm ci)"}
    return [f"{path} is missing: run {how}" for path, how in wanted.items() if not path.exists()]


def artifacts_dir() -> Path:
    out = Path(os.environ.get("DOCS_ARTIFACTS") or ROOT / "artifacts" / "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    return out


def site_pages(site: Path) -> list[str]:
    """Every page the build wrote, as a path under the site root ("" is the home page)."""
    pages = []
    for html in sorted(site.rglob("*.html")):
        rel = html.relative_to(site)
        if rel.parts[0] in {"assets", "search"} or rel.name == "404.html":
            continue
        pages.append("" if rel == Path("index.html") else rel.as_posix().removesuffix("index.html"))
    return pages


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *_args) -> None:
        pass


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """The built site over real HTTP on 127.0.0.1 and a free port; yields the base URL."""
    server = ThreadingHTTPServer((ALLOWED_HOST, 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{ALLOWED_HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def start_chromium(profile: Path):
    # Selenium Manager must never look for (or download) a browser or a driver: both paths are given.
    os.environ["SE_OFFLINE"] = "true"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    # Every page pays for its own theme assets: the weight is what a first-time reader downloads.
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    return driver


@dataclass
class PageReport:
    page: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    transferred_bytes: int = 0
    requests: int = 0
    axe_violations: list[dict] = field(default_factory=list)
    palettes: dict[str, dict] = field(default_factory=dict)


def _network_events(driver) -> list[dict]:
    return [json.loads(entry["message"])["message"] for entry in driver.get_log("performance")]


def _settle(driver, quiet_s: float = 0.4, limit_s: float = 8.0) -> list[dict]:
    """Performance-log events until the network has been quiet for `quiet_s` (the search worker loads late)."""
    events: list[dict] = []
    deadline = time.monotonic() + limit_s
    last = time.monotonic()
    while time.monotonic() < deadline:
        fresh = _network_events(driver)
        events += fresh
        if fresh:
            last = time.monotonic()
        elif time.monotonic() - last >= quiet_s:
            break
        time.sleep(0.1)
    return events


def network_summary(report: PageReport, events: list[dict]) -> None:
    urls: dict[str, str] = {}
    for event in events:
        method, params = event.get("method", ""), event.get("params", {})
        if method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            urls[params["requestId"]] = url
            parts = urlsplit(url)
            if parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname != ALLOWED_HOST:
                report.foreign_requests.append(url)
        elif method == "Network.responseReceived" and params["response"]["status"] >= 400:
            report.failed_requests.append(f"{params['response']['status']} {params['response']['url']}")
        elif method == "Network.loadingFailed":
            url = urls.get(params["requestId"], params["requestId"])
            report.failed_requests.append(f"{params.get('errorText', 'failed')} {url}")
        elif method == "Network.loadingFinished":
            report.transferred_bytes += int(params.get("encodedDataLength", 0))
            report.requests += 1


PALETTE_JS = """
const body = getComputedStyle(document.body);
const text = getComputedStyle(document.querySelector('.md-content') || document.body);
return {scheme: document.body.getAttribute('data-md-color-scheme'), background: body.backgroundColor, text: text.color};
"""


def palette(driver) -> dict:
    return driver.execute_script(PALETTE_JS)


def switch_palette(driver) -> None:
    """Click the visible palette toggle in the header, as a reader does."""
    from selenium.webdriver.common.by import By

    labels = driver.find_elements(By.CSS_SELECTOR, "form[data-md-component=palette] label")
    toggles = [t for t in labels if t.is_displayed()]
    assert toggles, "no visible palette toggle in the header"
    before = palette(driver)["scheme"]
    toggles[0].click()
    deadline = time.monotonic() + 5
    while palette(driver)["scheme"] == before and time.monotonic() < deadline:
        time.sleep(0.05)


def run_axe(driver) -> list[dict]:
    violations = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ['violations']})
          .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                                  nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))
          .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));
        """
    )
    return violations


def audit_page(driver, base: str, page: str, shots: Path | None, axe_palettes=("default", "slate")) -> PageReport:
    """Load one page with a cold cache and record what a reader's browser saw."""
    report = PageReport(page=page or "/")
    driver.get_log("browser")
    _network_events(driver)
    driver.get(base + page)
    network_summary(report, _settle(driver))
    report.console_errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    name = page.strip("/").replace("/", "_") or "index"
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    for _ in range(2):
        colors = palette(driver)
        report.palettes[colors["scheme"]] = colors
        if shots is not None:
            driver.save_screenshot(str(shots / f"{name}-{colors['scheme']}.png"))
        if colors["scheme"] in axe_palettes:
            report.axe_violations += [{**v, "palette": colors["scheme"]} for v in run_axe(driver)]
        switch_palette(driver)
    return report


def luminance(css_color: str) -> float:
    """Relative luminance (WCAG 2) of an `rgb(...)`/`rgba(...)` computed colour."""
    channels = [float(c) / 255 for c in css_color[css_color.index("(") + 1 : -1].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted([luminance(a), luminance(b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def problems(report: PageReport) -> list[str]:
    """Every finding on one page, each naming the page."""
    found = [f"{report.page}: console error: {m}" for m in report.console_errors]
    found += [f"{report.page}: failed request: {m}" for m in report.failed_requests]
    found += [f"{report.page}: request to another host: {m}" for m in report.foreign_requests]
    if report.transferred_bytes > MAX_PAGE_BYTES:
        found.append(f"{report.page}: weighs {report.transferred_bytes} bytes, over {MAX_PAGE_BYTES}")
    found += [
        f"{report.page}: axe {v['impact']} {v['id']} ({v['palette']}): {v['help']} at {v['nodes']}"
        for v in report.axe_violations
        if v["impact"] in AXE_FAILING_IMPACTS
    ]
    found += palette_problems(report)
    return found


def palette_problems(report: PageReport) -> list[str]:
    found = []
    if set(report.palettes) != {"default", "slate"}:
        return [f"{report.page}: palettes seen {sorted(report.palettes)}, expected light (default) and dark (slate)"]
    light, dark = report.palettes["default"], report.palettes["slate"]
    # Material's light background is white and its slate one near-black; 0.5 splits them with a wide margin.
    if luminance(light["background"]) < 0.5 or luminance(dark["background"]) > 0.5:
        found.append(f"{report.page}: backgrounds do not change with the palette: {light} / {dark}")
    # 4.5:1 is WCAG AA for body text.
    for name, colors in report.palettes.items():
        if contrast(colors["background"], colors["text"]) < 4.5:
            found.append(f"{report.page}: {name} text contrast below 4.5: {colors}")
    return found


def axe_palettes(page: str) -> tuple[str, ...]:
    """Light on every page; dark on the home page, or everywhere with DOCS_AXE_DARK=all.

    A full axe run costs 1-10 s per page on a shared 2-core machine, and only its contrast rule depends on the
    palette, so auditing both palettes on every page would double the browser tests' time.
    """
    everywhere = os.environ.get("DOCS_AXE_DARK", "") == "all"
    return ("default", "slate") if everywhere or page == "" else ("default",)


def weight_table(reports: list[PageReport]) -> str:
    lines = [f"{'page':<32} {'requests':>8} {'bytes':>10} {'axe serious+critical':>20} {'axe other':>9}"]
    for r in reports:
        bad = sum(v["impact"] in AXE_FAILING_IMPACTS for v in r.axe_violations)
        other = len(r.axe_violations) - bad
        lines.append(f"{r.page:<32} {r.requests:>8} {r.transferred_bytes:>10} {bad:>20} {other:>9}")
    return "\n".join(lines)
