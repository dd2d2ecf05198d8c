"""Every committed benchmark run, grouped by machine, and the verdicts they settle together.

docs/data/bench-runs/ holds each full run `make bench` wrote, named after its machine and
the time it finished. A machine is its CPU model, logical CPU count and the vector and matrix flags that
decide which kernels run; its evidence is its last two comparable runs (same harness, device,
thread count and versions). A headline row's verdict on a machine is settled when both runs
give it, and "unsettled" otherwise: one run's interval can sit on either side of a cliff of the
rule (the edge of the tie margin, or 1.0 itself), and a verdict that the next run would flip is
not one to print. Across machines, a row or claim holds when every machine settles it the same
way, and depends on the CPU otherwise.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from fieldguide.measure import provenance
from fieldguide.measure.bench import pairs
from fieldguide.project import ROOT

RUNS = ROOT / "docs" / "data" / "bench-runs"
UNSETTLED = "unsettled"


def load(folder: Path | None = None) -> list[dict]:
    """Every run in the folder (RUNS by default), oldest first, each with its file name under "file"."""
    runs = []
    for path in sorted((folder or RUNS).glob("*.json")):
        res = json.loads(path.read_text(encoding="utf-8"))
        runs.append({**res, "file": path.name})
    return sorted(runs, key=lambda r: r["date"])


def machine_key(res: dict) -> tuple:
    m = res["machine"]
    return (m["cpu_model"], m["logical_cpus"], tuple(sorted(m["flags"].items())))


def machine_name(res: dict) -> str:
    return provenance.machine_name(res["machine"])


def slug(res: dict) -> str:
    """A file-name stem for a run: its machine, then the time the run finished."""
    name = re.sub(r"[^a-z0-9]+", "-", machine_name(res).lower()).strip("-")
    stamp = re.sub(r"[^0-9]+", "-", res["date"]).strip("-")
    return f"{name}-{stamp}"


def comparable(a: dict, b: dict) -> str | None:
    """Why two runs cannot be compared, or None when they can."""
    for what, get in (
        ("harness version", lambda r: r["harness_version"]),
        ("machine", machine_key),
        ("thread count", lambda r: r["settings"]["threads"]),
        ("device", lambda r: r["device"]),
        ("versions", lambda r: r["versions"]),
    ):
        if get(a) != get(b):
            return f"their {what} differs"
    if a["quick"] or b["quick"]:
        return "one of them is a --quick run"
    return None


def machines(runs: list[dict]) -> list[dict]:
    """One entry per machine, the machine of the newest run first: its name, its runs, and
    its evidence (the newest run and the newest run before it that it can be compared with)."""
    by_key: dict[tuple, list[dict]] = {}
    for res in runs:
        if not res["quick"]:
            by_key.setdefault(machine_key(res), []).append(res)
    out = []
    for own in by_key.values():
        newest = own[-1]
        earlier = next((r for r in reversed(own[:-1]) if comparable(r, newest) is None), None)
        out.append({"name": machine_name(newest), "runs": own, "newest": newest, "earlier": earlier})
    return sorted(out, key=lambda m: m["newest"]["date"], reverse=True)


def settle(*verdicts: str) -> str:
    """The verdict every run gives, or "unsettled"; a machine with one run settles nothing."""
    if len(verdicts) < 2 or len(set(verdicts)) > 1:
        return UNSETTLED
    return verdicts[0]


def across(verdicts: list[str]) -> str | None:
    """The verdict every machine settles, or None: it depends on the CPU."""
    return verdicts[0] if verdicts and len(set(verdicts)) == 1 else None


def rule() -> str:
    """The rule in words, from the constants the code applies (the claims and performance
    pages print this, so the two cannot disagree)."""
    return (
        f"A run's verdict on a workload reads the 95% interval of best PyTorch time / best "
        f"TensorFlow time: a tie when the whole interval lies within +-{pairs.TIE_MARGIN:.0%} of "
        f"1, one framework faster when the whole interval lies on its side of 1, and undecided "
        f"when it straddles 1 but reaches past the margin. A machine's verdict is the one its "
        f"last two comparable runs both give, and {UNSETTLED} when they differ; a row holds "
        f"across machines when every machine settles it the same way, and depends on the CPU "
        f"otherwise."
    )
