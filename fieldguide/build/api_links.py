"""API names link to the frameworks' own reference: docs/data/api_links.yml, one map for the site.

The build links the first inline-code mention of each mapped name in each section of a page
(`page_html`, called from the MkDocs adapter on the rendered content); code blocks, headings and
text that is already a link are left alone. `unmapped` finds the names a page writes that the map
lacks, for the test that keeps the map complete. `python -m fieldguide api-links --online` fetches
every URL (the weekly workflow runs it; there is no network at test time).
"""

from __future__ import annotations

import html as html_lib
import re
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from fieldguide.project import ROOT

DATA = ROOT / "docs" / "data" / "api_links.yml"
# Inline code that starts with a framework's module path: `torch.compile(...)`, `nn.Linear`.
API_RE = re.compile(r"^(?:torch|tf|keras|nn|F)\.[A-Za-z_][\w.]*")
HOSTS = ("https://docs.pytorch.org/", "https://www.tensorflow.org/", "https://keras.io/")


@dataclass(frozen=True)
class ApiLinks:
    links: dict[str, str]
    aliases: dict[str, str]
    unlinked: dict[str, str]

    def full_name(self, code: str) -> str | None:
        """The API a piece of inline code names, aliases expanded; None if it names none."""
        found = API_RE.match(html_lib.unescape(code).strip())
        if not found:
            return None
        name = found.group(0).rstrip(".")
        for short, long in self.aliases.items():
            if name.startswith(short):
                return long + name[len(short) :]
        return name


@cache
def load(path: Path = DATA) -> ApiLinks:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return ApiLinks(data.get("links") or {}, data.get("aliases") or {}, data.get("unlinked") or {})


# A page's content, cut into what may be linked and what may not: code blocks, existing links
# and headings stay as they are; a heading starts a new section.
_UNTOUCHED = re.compile(r"<pre\b.*?</pre>|<a\b.*?</a>|<h[1-6]\b.*?</h[1-6]>", re.S)
_INLINE_CODE = re.compile(r"<code>([^<]+)</code>")


def page_html(content: str, api: ApiLinks | None = None) -> str:
    """Link the first mention of each mapped API in each section of a page's rendered content."""
    api = api or load()
    out, start, seen = [], 0, set()

    def link(match: re.Match) -> str:
        name = api.full_name(match.group(1))
        url = api.links.get(name) if name else None
        if url is None or name in seen:
            return match.group(0)
        seen.add(name)
        return f'<a class="api-link" href="{url}" title="{name} in its reference">{match.group(0)}</a>'

    for untouched in _UNTOUCHED.finditer(content):
        out.append(_INLINE_CODE.sub(link, content[start : untouched.start()]))
        out.append(untouched.group(0))
        if untouched.group(0).startswith("<h2") or untouched.group(0).startswith("<h3"):
            seen = set()
        start = untouched.end()
    out.append(_INLINE_CODE.sub(link, content[start:]))
    return "".join(out)


def unmapped(markdown: str, api: ApiLinks | None = None) -> list[str]:
    """The API names a page's Markdown writes as inline code that the map neither links nor explains."""
    api = api or load()
    without_fences = re.sub(r"^[ \t]*(```|~~~).*?^[ \t]*\1", "", markdown, flags=re.S | re.M)
    names = {api.full_name(code) for code in re.findall(r"`([^`\n]+)`", without_fences)}
    return sorted(n for n in names - {None} if n not in api.links and n not in api.unlinked)


def problems(api: ApiLinks | None = None) -> list[str]:
    """What is wrong with the map itself: a URL on another host, a name both linked and unlinked."""
    api = api or load()
    hosts = ", ".join(HOSTS)
    out = [f"{name}: {url} is not on {hosts}" for name, url in api.links.items() if not url.startswith(HOSTS)]
    out += [f"{name}: both linked and unlinked" for name in set(api.links) & set(api.unlinked)]
    return out


def fetch_status(url: str, timeout: float = 20.0) -> int | str:
    request = urllib.request.Request(url.split("#")[0], headers={"User-Agent": "fieldguide-api-links"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code
    except (urllib.error.URLError, TimeoutError) as err:
        return str(err)


def main(argv: list[str]) -> int:
    api = load()
    bad = problems(api)
    if "--online" in argv:
        for name, url in sorted(api.links.items()):
            status = fetch_status(url)
            if status != 200:
                bad.append(f"{name}: {url} answered {status}")
    for line in bad:
        print(line)
    print(f"{len(api.links)} API links, {len(bad)} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
