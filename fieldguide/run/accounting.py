"""Count every Python block of every page: collected, executed, skipped and why.

Workers tag each Sybil item with its page and line; the controlling process
(or the only process, without xdist) gathers the reports, prints one table per
page, writes `DOCS_BLOCKS_REPORT` as JSON when it names a path, and fails the
session when a block was neither executed nor explicitly marked GPU-only.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

import pytest

from fieldguide.pages.blocks import page_blocks, relative
from fieldguide.pages.outputs import DocsBlockError
from fieldguide.project import ROOT
from fieldguide.run.executor import device_name

DOCS = ROOT / "docs"
TAG = "docs_block"


def pages_with_python() -> dict[str, list[int]]:
    """Every page under docs/ and the lines of its Python blocks, found without running anything."""
    found = {}
    for page in sorted(DOCS.rglob("*.md")):
        try:
            lines = [block.lineno for block in page_blocks(page)]
        except DocsBlockError:
            continue  # the page's own collection error reports it
        if lines:
            found[relative(page)] = lines
    return found


class BlockAccounting:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.results: dict[tuple[str, int], dict] = {}
        self.problems: list[str] = []
        self.table: dict[str, dict] = {}

    # -- workers (or the single process) ---------------------------------------------
    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items):
        for item in items:
            block = getattr(getattr(item, "example", None), "parsed", None)
            if block is not None and hasattr(block, "gpu_only"):
                info = {"page": relative(block.page), "line": block.lineno, "gpu_only": block.gpu_only}
                item.user_properties.append((TAG, info))

    # -- controller ------------------------------------------------------------------
    def pytest_runtest_logreport(self, report):
        info = dict(report.user_properties).get(TAG)
        if info is None:
            return
        key = (info["page"], info["line"])
        entry = self.results.setdefault(key, {**info, "status": "not run", "reason": ""})
        if report.skipped:
            entry["status"] = "skipped"
            entry["reason"] = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        elif report.failed:
            entry["status"] = "failed"
        elif report.when == "call" and entry["status"] == "not run":
            entry["status"] = "executed"

    def _whole_docs_run(self) -> bool:
        args = [Path(a.split("::")[0]).resolve() for a in self.config.args]
        return (
            not self.config.option.keyword
            and not self.config.option.markexpr
            and (any(a in (ROOT, DOCS) for a in args) or not self.config.args)
        )

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session):
        if hasattr(self.config, "workerinput") or not self.results:
            return
        device = device_name()
        expected = pages_with_python()
        pages = set(expected) if self._whole_docs_run() else {page for page, _ in self.results}
        for page in sorted(pages):
            row = {"collected": 0, "executed": 0, "failed": 0, "skipped": 0, "not run": 0, "skips": []}
            for line in expected.get(page, []):
                entry = self.results.get((page, line), {"status": "not run", "gpu_only": None, "reason": ""})
                row["collected"] += 1
                row[entry["status"]] += 1
                if entry["status"] == "skipped":
                    row["skips"].append({"line": line, "reason": entry["reason"]})
                    if not (entry["gpu_only"] and device != "cuda"):
                        self.problems.append(f"{page}:{line}: skipped without a gpu-only mark: {entry['reason']}")
                elif entry["status"] == "not run":
                    self.problems.append(f"{page}:{line}: Python block was never executed")
            self.table[page] = row
        if self.problems and session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        target = os.environ.get("DOCS_BLOCKS_REPORT")
        if target:
            report = {"device": device, "pages": self.table, "problems": self.problems}
            Path(target).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")

    def pytest_terminal_summary(self, terminalreporter):
        if not self.table:
            return
        tr = terminalreporter
        tr.section("Python blocks per page")
        width = max(len(page) for page in self.table)
        tr.line(f"{'page':<{width}}  collected  executed  failed  skipped")
        totals = defaultdict(int)
        for page, row in self.table.items():
            tr.line(
                f"{page:<{width}}  {row['collected']:>9}  {row['executed']:>8}  {row['failed']:>6}  {row['skipped']:>7}"
            )
            for skip in row["skips"]:
                tr.line(f"    line {skip['line']}: {skip['reason']}")
            for key in ("collected", "executed", "failed", "skipped"):
                totals[key] += row[key]
        tr.line(
            f"{'total':<{width}}  {totals['collected']:>9}  {totals['executed']:>8}  "
            f"{totals['failed']:>6}  {totals['skipped']:>7}"
        )
        for problem in self.problems:
            tr.line(f"UNACCOUNTED {problem}", red=True, bold=True)
