"""Facts the pages state, read from the build machine, not typed: versions, the last-verified line."""

from __future__ import annotations

import os
import platform
import re
from datetime import UTC, date, datetime
from importlib.metadata import PackageNotFoundError, version

MARKER = "<!-- verified-versions -->"
PACKAGES = ["torch", "tensorflow-cpu", "tensorflow", "keras", "numpy", "scikit-learn", "mkdocs-material"]


def installed_versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def versions_table() -> str:
    rows = "\n".join(f"| {name} | {ver} |" for name, ver in installed_versions().items())
    return f"| package | version |\n|---|---|\n{rows}\n"


def page_markdown(markdown: str) -> str:
    return markdown.replace(MARKER, versions_table()) if MARKER in markdown else markdown


# Every page says when and with what it was last checked: the build ran the blocks' pinned stack.
LAST_VERIFIED_CLASS = "docs-last-verified"
# Lines whose whole content is a `#>` comment are the printed output the tests compare; readers copy code only.
OUTPUT_LINE_RE = re.compile(
    r'<span id="(?P<id>__span-[\d-]+)">(?P<anchor><a [^>]*></a>)?(?P<ws><span class="w">[ \t]*</span>|[ \t]*)'
    r'(?=<span class="c1">#&gt;)'
)
SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'


def build_date() -> date:
    """Today in UTC, or SOURCE_DATE_EPOCH's day so that two builds of one commit are identical."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return datetime.now(UTC).date()
    try:
        return datetime.fromtimestamp(int(epoch), UTC).date()
    except ValueError:
        raise ValueError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, got {epoch!r}") from None


def last_verified_text() -> str:
    found = installed_versions()
    tensorflow = found.get("tensorflow-cpu") or found.get("tensorflow")
    missing = [name for name, ver in [("torch", found.get("torch")), ("tensorflow", tensorflow)] if ver is None]
    if missing:
        raise RuntimeError(f"cannot state the verified versions: {', '.join(missing)} not installed in this build")
    parts = [f"torch {found['torch']}", f"TensorFlow {tensorflow}"]
    if "keras" in found:
        parts.append(f"Keras {found['keras']}")
    return f"Last verified: {build_date().isoformat()} with {', '.join(parts)} (built by <code>make build</code>)"


def mark_output_lines(output: str) -> str:
    return OUTPUT_LINE_RE.sub(
        lambda m: f'<span id="{m["id"]}" class="docs-output">{m["anchor"] or ""}{m["ws"]}', output
    )


def page_html(output: str, src: str) -> str:
    """The rendered page with its last-verified line, focusable tables and marked output lines."""
    end = output.rfind("</article>")
    if end < 0:
        raise RuntimeError(f"{src}: no </article> in the rendered page to put the last-verified line in")
    line = f'<p class="{LAST_VERIFIED_CLASS}"><small>{last_verified_text()}</small></p>\n'
    output = output[:end] + line + output[end:]
    # Wide tables scroll inside the wrapper material adds; a focusable table lets the keyboard scroll it.
    output = output.replace("<table>", '<table tabindex="0">')
    # Notebook cells scroll sideways too, and no theme script makes them focusable.
    output = output.replace('<div class="highlight-ipynb', '<div tabindex="0" class="highlight-ipynb')
    output = output.replace(SEARCH_DIALOG, SEARCH_DIALOG.replace(">", ' aria-label="Search">'), 1)
    return mark_output_lines(output)
