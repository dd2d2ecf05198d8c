"""Each page's share of a test run, from pytest's `--durations=0` report: `python -m fieldguide shares LOG`.

A page's share is the time of its own blocks, of the tests that check it and of the run-alone tests of
its snippets (setup, call and teardown summed). Under xdist these are wall times inside one worker.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

LINE = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s+(setup|call|teardown)\s+(\S.*)$")
# Tests that check one page, beyond that page's own blocks and snippets.
PAGE_TESTS = {
    "ecosystem": ("tests/test_ecosystem.py",),
    "interop": ("tests/test_interop.py",),
    "porting": ("tests/test_porting.py",),
    "deployment": ("tests/test_deployment.py",),
    "performance": ("tests/test_bench.py",),
    "graphs": ("tests/test_graphs.py",),
    "use-cases": ("tests/test_use_cases.py",),
    "training": ("tests/test_training.py",),
    "browser + workflows": ("tests/test_browser.py", "tests/test_workflows.py"),
}
# One test file checks two pages: the decision guide's tests name it (guide, scenario), the rest are the claims page's.
SPLIT_FILES = {"tests/test_claims.py": (re.compile(r"guide|scenario"), "choosing", "claims")}


def page_of(test_id: str) -> str:
    block = re.match(r"docs/([\w-]+)\.md", test_id)
    if block:
        return block.group(1)
    snippet = re.search(r"snippets/(\w+)/", test_id)
    if snippet:
        return snippet.group(1).replace("_", "-")
    file, _, name = test_id.partition("::")
    if file in SPLIT_FILES:
        pattern, matched, other = SPLIT_FILES[file]
        return matched if pattern.search(name) else other
    for page, files in PAGE_TESTS.items():
        if test_id.startswith(files):
            return page
    return "other"


def shares(log: str) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for line in log.splitlines():
        m = LINE.match(line)
        if m:
            totals[page_of(m.group(3))] += float(m.group(1))
    return dict(totals)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path)
    args = parser.parse_args(argv)
    totals = shares(args.log.read_text(errors="replace"))
    if not totals:
        print(f"{args.log}: no --durations=0 lines found", file=sys.stderr)
        return 1
    for page, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"{page:22} {seconds:7.1f} s")
    print(f"{'sum':22} {sum(totals.values()):7.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
