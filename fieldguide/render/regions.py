"""Everything the site generates from committed data or code, through one entry point.

Usage:
    python -m fieldguide generate [NAME ...]          # rewrite what is out of date (all by default)
    python -m fieldguide generate --check [NAME ...]  # write nothing; exit 1 naming each stale file
    python -m fieldguide generate --list              # the registry: names and what each writes
    python -m fieldguide generate --examples          # first rewrite every page's #> lines from a run

Each generator returns what should be on disk: a whole file's text, or for a page the bodies
of its `<!-- generated:NAME -->` regions (fieldguide/render/sections.py). This script alone reads,
compares and writes, so every generator has the same `--check` and the same newline rules,
and every freshness test in the suite calls `stale()` here.

Measuring is not generating: `make bench` and `fieldguide/measure/deployment.py` run the
measurements and write docs/data/*.json; the registry renders the pages from those files.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fieldguide.measure.output import json_text
from fieldguide.project import ROOT
from fieldguide.render import sections as page_sections

# A path's wanted content: the whole text, or region name -> body for a page.
Wanted = dict[Path, "str | dict[str, str]"]


@dataclass(frozen=True)
class Generator:
    name: str
    source: str  # what it is generated from, for --list and the README
    outputs: Callable[[], Wanted]
    slow: bool = False  # imports and runs the frameworks: left out of the default check
    # Finer messages when its output is stale, from the same reader the comparison used.
    explain: Callable[[Callable[[Path], str | None]], list[str]] | None = None
    # The regions (a regular expression on their names) that show measured data: each must
    # carry a provenance line naming the machine, date and versions (fieldguide/measure/provenance.py).
    measured: str = ""


def _claims() -> Wanted:
    from fieldguide.render import claims

    data = claims.load()
    bad = claims.problems(data)
    if bad:
        raise GenerationError("\n".join(f"docs/data/claims.yml: {b}" for b in bad))
    return claims.regions(data)


def _claims_explained(read: Callable[[Path], str | None]) -> list[str]:
    from fieldguide.render import claims

    return claims.stale(claims.load(), read)


def _line_counts() -> Wanted:
    from fieldguide.measure import line_counts

    data = line_counts.counts()
    return {
        line_counts.DATA: json_text(data),
        line_counts.PAGE: {line_counts.REGION: line_counts.table(data)},
    }


def _gpu_requirements() -> Wanted:
    from fieldguide.render import gpu_requirements

    return {**gpu_requirements.gpu_files(), **gpu_requirements.interop_region()}


def _bench() -> Wanted:
    from fieldguide.measure.bench import evidence
    from fieldguide.render import bench_report as report

    runs = evidence.load()
    out: Wanted = {report.PAGE: report.regions(runs)}
    for name, svg in report.charts(evidence.machines(runs)[0]["newest"]).items():
        out[report.ASSETS / name] = svg
    return out


def _deployment() -> Wanted:
    from fieldguide.measure import deployment as deployment_table

    return {deployment_table.PAGE: deployment_table.render(json.loads(deployment_table.DATA.read_text("utf-8")))}


def _api_table() -> Wanted:
    from fieldguide.render import api_table

    return {api_table.PAGE: api_table.regions()}


def _use_case_metrics() -> Wanted:
    from fieldguide.measure import notebooks
    from fieldguide.render import use_case_metrics

    data = json.loads(notebooks.METRICS_JSON.read_text(encoding="utf-8"))
    return {notebooks.INDEX: {notebooks.REGION: use_case_metrics.metrics_table(data)}}


def _drift() -> Wanted:
    from fieldguide.measure import drift

    data = json.loads(drift.DATA.read_text(encoding="utf-8"))
    return {drift.HOME: {"drift": drift.render(data)}}


def _pipelines() -> Wanted:
    from fieldguide.measure import pipelines

    return {pipelines.PAGE: {pipelines.REGION: pipelines.render(json.loads(pipelines.DATA.read_text("utf-8")))}}


def _triton_order() -> Wanted:
    from fieldguide.measure import triton_order

    data = json.loads(triton_order.DATA.read_text(encoding="utf-8"))
    return {triton_order.PAGE: {triton_order.REGION: triton_order.render(data)}}


def _gpu_run() -> Wanted:
    from fieldguide.render import gpu_run

    return gpu_run.regions()


def _graph_pictures() -> Wanted:
    from fieldguide.render import graphs as draw_graphs

    drawn = draw_graphs.node_lists().items()
    return {draw_graphs.DEFAULT_OUT / f: draw_graphs.svg(nodes, title) for f, (nodes, title) in drawn}


REGISTRY = {
    g.name: g
    for g in (
        Generator(
            "claims",
            "docs/data/claims.yml and the measured data files",
            _claims,
            explain=_claims_explained,
            measured="choosing-speed",
        ),
        Generator("line-counts", "the sections of snippets/ecosystem/tasks_*.py", _line_counts),
        Generator(
            "gpu-requirements",
            "requirements.txt and docs/data/gpu_resolve.json (fieldguide/measure/gpu_resolve.py)",
            _gpu_requirements,
        ),
        Generator("bench", "docs/data/bench-runs/ (make bench measures a run)", _bench, measured=".*"),
        Generator(
            "deployment", "docs/data/deployment.json (fieldguide/measure/deployment.py)", _deployment, measured=".*"
        ),
        Generator("api-table", "the rows of snippets/interop/equivalence.py", _api_table),
        Generator("pipelines", "docs/data/pipelines.json (fieldguide/measure/pipelines.py)", _pipelines, measured=".*"),
        Generator(
            "use-case-metrics",
            "docs/use-cases/metrics.json (fieldguide/measure/notebooks.py)",
            _use_case_metrics,
            measured=".*",
        ),
        Generator("drift", "docs/data/drift.json (make drift measures it)", _drift, measured=".*"),
        Generator(
            "triton-order",
            "docs/data/triton_order.json (fieldguide/measure/triton_order.py)",
            _triton_order,
            measured=".*",
        ),
        Generator("gpu-run", "docs/data/gpu-run.json (make gpu-run on a GPU machine), or its absence", _gpu_run),
        Generator("graph-pictures", "the graphs the frameworks trace now", _graph_pictures, slow=True),
    )
}


class GenerationError(Exception):
    """The inputs themselves are wrong (a claims file with a problem): nothing is written."""


def _render(path: Path, wanted: str | dict[str, str], current: str | None) -> str:
    if isinstance(wanted, str):
        return wanted
    if current is None:
        raise GenerationError(f"{path.relative_to(ROOT)}: the page is missing")
    text = current
    for region, body in wanted.items():
        try:
            text = page_sections.replace(text, region, body)
        except ValueError as err:
            raise GenerationError(f"{path.relative_to(ROOT)}: {err}") from None
    return text


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


def plan(names: list[str], read: Callable[[Path], str | None] = _read) -> dict[Path, tuple[str, list[str]]]:
    """path -> (its new text, the generators whose output changes it), for every path they own."""
    out: dict[Path, tuple[str, list[str]]] = {}
    for name in names:
        for path, wanted in REGISTRY[name].outputs().items():
            current = out[path][0] if path in out else read(path)  # regions of one page add up
            new = _render(path, wanted, current)
            changed = out[path][1] if path in out else []
            out[path] = (new, [*changed, name] if new != current else changed)
    return out


def stale(names: list[str] | None = None, read: Callable[[Path], str | None] = _read) -> list[str]:
    """One message per file that differs from what its generators write now, then the finer
    messages of those generators that explain themselves (claims: which claim row)."""
    out, culprits = [], []
    for path, (_, by) in plan(names or default_names(), read).items():
        if by:
            where, which = path.relative_to(ROOT), ", ".join(by)
            out.append(f"{where} is out of date ({which}): run python -m fieldguide generate {' '.join(by)}")
            culprits += [n for n in by if n not in culprits]
    for name in culprits:
        if REGISTRY[name].explain:
            out += REGISTRY[name].explain(read)
    return out


def unsourced(names: list[str] | None = None, read: Callable[[Path], str | None] = _read) -> list[str]:
    """One message per region of measured data, written or shown, that names no machine."""
    from fieldguide.measure import provenance

    out = []
    for name in names or default_names():
        g = REGISTRY[name]
        if not g.measured:
            continue
        for path, wanted in g.outputs().items():
            if not isinstance(wanted, dict):
                continue
            regions = {r: body for r, body in wanted.items() if re.fullmatch(g.measured, r)}
            where = path.relative_to(ROOT)
            for region in provenance.missing(regions):
                out.append(f"{where}: region {region} ({name}) names no machine: its generator writes none")
            text = read(path) or ""
            shown = {}
            for region in regions:
                try:
                    shown[region] = page_sections.read(text, region)
                except ValueError:
                    continue  # a missing region is stale()'s message
            for region in provenance.missing(shown):
                if region not in provenance.missing(regions):
                    out.append(f"{where}: region {region} ({name}) says nowhere which machine measured it")
    return out


def default_names() -> list[str]:
    return [n for n, g in REGISTRY.items() if not g.slow]


def update_examples() -> int:
    """Every page's #> lines rewritten from what its blocks print now (the suite's executor)."""
    env = {**os.environ, "DOCS_UPDATE_EXAMPLES": "1"}
    args = [sys.executable, "-m", "pytest", "-n", os.environ.get("JOBS", "2"), "--dist", "loadfile", "docs"]
    args += shlex.split(os.environ.get("PYTEST_ARGS", ""))  # make update PYTEST_ARGS="-k index"
    return subprocess.run(args, cwd=ROOT, env=env).returncode


def main(argv: list[str]) -> int:
    flags = {a for a in argv if a.startswith("--")}
    names = [a for a in argv if not a.startswith("--")]
    unknown = [n for n in names if n not in REGISTRY] + sorted(flags - {"--check", "--list", "--examples"})
    if unknown:
        print(f"unknown: {', '.join(unknown)}; generators: {', '.join(REGISTRY)}", file=sys.stderr)
        return 2
    if "--list" in flags:
        for g in REGISTRY.values():
            print(f"{g.name:18} from {g.source}{' (slow: only when named)' if g.slow else ''}")
        return 0
    if "--examples" in flags and (code := update_examples()) != 0:
        return code
    names = names or default_names()
    try:
        if "--check" in flags:
            messages = stale(names) + unsourced(names)
            if messages:
                print("\n".join(messages), file=sys.stderr)
                return 1
            return 0
        for path, (new, by) in plan(names).items():
            if by:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(new, encoding="utf-8")
                print(f"{path.relative_to(ROOT)}: rewritten ({', '.join(by)})")
    except GenerationError as err:
        print(err, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
