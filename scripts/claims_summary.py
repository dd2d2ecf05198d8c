"""Parse the claims page and write its verdict summary into the home page.

Usage: python scripts/claims_summary.py [--check]

docs/claims.md holds one table row per claim: `| id | claim | verdict | why | evidence |`.
The home page's `claims-summary` region lists the ids under each verdict; `--check`
exits 1 when the region is not what the claims page says now.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import page_sections

ROOT = Path(__file__).resolve().parent.parent
CLAIMS, HOME = ROOT / "docs" / "claims.md", ROOT / "docs" / "index.md"
VERDICTS = ("true", "outdated", "false", "depends")
ROW_RE = re.compile(r"^\|\s*<a id=\"(?P<anchor>[a-z0-9]+)\"></a>(?P<id>[A-Z]\d+)\s*\|(?P<rest>.*)\|\s*$")
LINK_RE = re.compile(r"\[[^\]]+\]\((?P<target>[^)\s]+)\)")
TEST_RE = re.compile(r"`(?P<test>tests/[\w/]+\.py::\w+)`")


@dataclass(frozen=True)
class Claim:
    id: str
    anchor: str
    claim: str
    verdict: str
    why: str
    evidence: str
    line: int

    @property
    def links(self) -> list[str]:
        return [m["target"] for m in LINK_RE.finditer(self.evidence)]

    @property
    def tests(self) -> list[str]:
        return [m["test"] for m in TEST_RE.finditer(self.evidence)]


def parse(text: str) -> list[Claim]:
    """Every claim row; ValueError naming the line for a row that is malformed."""
    claims = []
    for number, line in enumerate(text.splitlines(), 1):
        match = ROW_RE.match(line)
        if not match:
            continue
        cells = [cell.strip() for cell in match["rest"].split(" | ")]
        if len(cells) != 4:
            raise ValueError(
                f"docs/claims.md:{number}: {match['id']} needs 5 cells (id, claim, verdict, why, evidence)"
            )
        claim, verdict, why, evidence = cells
        verdict = verdict.strip("*").lower()
        if match["anchor"] != match["id"].lower():
            raise ValueError(f"docs/claims.md:{number}: anchor {match['anchor']!r} should be {match['id'].lower()!r}")
        claims.append(Claim(match["id"], match["anchor"], claim, verdict, why, evidence, number))
    return claims


def summary(claims: list[Claim]) -> str:
    lines = ["| verdict | claims |", "|---|---|"]
    for verdict in VERDICTS:
        ids = [f"[{c.id}](claims.md#{c.anchor})" for c in claims if c.verdict == verdict]
        if ids:
            lines.append(f"| **{verdict}** | {', '.join(ids)} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    claims = parse(CLAIMS.read_text(encoding="utf-8"))
    home = HOME.read_text(encoding="utf-8")
    wanted = page_sections.replace(home, "claims-summary", summary(claims))
    if "--check" in argv:
        if wanted != home:
            print("docs/index.md: claims summary is stale; run python scripts/claims_summary.py", file=sys.stderr)
            return 1
        return 0
    HOME.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
