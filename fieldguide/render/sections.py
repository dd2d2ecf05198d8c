"""Regions of a page that a script writes from committed data.

A page marks a region with a pair of HTML comments, which Markdown renders as nothing:

    <!-- generated:bench-g0 -->
    | table written by a script |
    <!-- /generated:bench-g0 -->

Scripts call `replace()` to rewrite the region from their JSON; tests call `read()` and
compare it with what the script would write now, so a number typed by hand, or a page
left behind after the data changed, fails the suite.
"""

from __future__ import annotations

import re
from pathlib import Path


def _pattern(name: str) -> re.Pattern[str]:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise ValueError(f"region name {name!r}: use lowercase letters, digits and dashes")
    return re.compile(rf"(<!-- generated:{name} -->\n)(.*?)(<!-- /generated:{name} -->)", re.S)


def read(text: str, name: str) -> str:
    """The body of region `name`; ValueError naming the region if it is missing or doubled."""
    found = _pattern(name).findall(text)
    if len(found) != 1:
        markers = f"<!-- generated:{name} --> ... <!-- /generated:{name} -->"
        raise ValueError(f"expected one {markers} region, found {len(found)}")
    return found[0][1]


def replace(text: str, name: str, body: str) -> str:
    """`text` with region `name` holding `body` (a trailing newline is added when missing)."""
    read(text, name)
    if body and not body.endswith("\n"):
        body += "\n"
    return _pattern(name).sub(lambda m: m.group(1) + body + m.group(3), text)


def write(page: Path, regions: dict[str, str]) -> bool:
    """Rewrite the named regions of `page`; True when the file changed."""
    old = page.read_text(encoding="utf-8")
    new = old
    for name, body in regions.items():
        new = replace(new, name, body)
    if new != old:
        page.write_text(new, encoding="utf-8")
    return new != old
