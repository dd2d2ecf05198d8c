"""How a build treats the use-case notebooks (docs/use-cases/*.py, rendered by mkdocs-jupyter).

`DOCS_EXECUTE_NOTEBOOKS` says how they are built. `true` (the published build) executes every one
fresh; `cached` (what `make serve` and `make build` use) executes each once and keeps the executed
page in .cache/notebooks/, keyed by the notebook's source and the pinned requirements, so an
unchanged notebook is not run again; `false` (the default, and the test suite's builds) skips
them, and then each notebook page opens with a note saying its outputs are not shown.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

NOT_EXECUTED = (
    '<div class="admonition warning"><p class="admonition-title">Outputs not shown</p>'
    "<p>This copy of the site was built without executing the notebooks, so this page shows the code "
    "but none of its printed results or charts. The published site is built with "
    "<code>DOCS_EXECUTE_NOTEBOOKS=true</code>, which runs every notebook during the build; "
    "<code>make serve</code> and <code>make build</code> run each once and reuse the result "
    "until the notebook or the pinned versions change.</p></div>"
)


MODES = ("true", "cached", "false")


def notebook_mode() -> str:
    mode = os.environ.get("DOCS_EXECUTE_NOTEBOOKS", "false").strip().lower()
    if mode not in MODES:
        raise ValueError(
            f"DOCS_EXECUTE_NOTEBOOKS={mode!r}: expected true (execute every notebook), cached "
            "(execute once per notebook source and pinned requirements) or false (do not execute)"
        )
    return mode


def cache_dir(root: Path) -> Path:
    """Where executed notebooks are kept: one folder per requirements.txt, so a version bump
    re-executes them. mkdocs-jupyter's own cache key covers the notebook's source and its options."""
    pins = hashlib.sha256((root / "requirements.txt").read_bytes()).hexdigest()[:16]
    return root / ".cache" / "notebooks" / pins


def jupyter_options(root: Path) -> dict:
    """mkdocs-jupyter's options for this build (ValueError on a bad DOCS_EXECUTE_NOTEBOOKS)."""
    mode = notebook_mode()
    # The published build never reuses an output.
    return {"execute": mode != "false", "cache": mode == "cached", "cache_dir": str(cache_dir(root))}


# mkdocs-jupyter's notebook template brings a module script that imports mermaid from a CDN
# when a cell holds a diagram, and an empty MathJax <script src="">. No notebook here draws a
# diagram or typesets maths, and a site that promises no third-party requests ships neither.
CDN_SCRIPT_RE = re.compile(r'<script type="module">(?:(?!</script>).)*?import\("https?://.*?</script>', re.S)
EMPTY_SCRIPT_RE = re.compile(r'<script src="">\s*</script>')


def notebook_page(html: str, src: str, executed: bool) -> str:
    """A notebook page without the template's third-party scripts, saying so when outputs are missing."""
    if src.startswith("use-cases/") and src.endswith(".py"):
        html = EMPTY_SCRIPT_RE.sub("", CDN_SCRIPT_RE.sub("", html))
        if not executed:
            return NOT_EXECUTED + html
    return html
