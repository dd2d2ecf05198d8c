"""Every claim the site settles, from one file: docs/data/claims.yml.

Usage: python -m fieldguide generate claims [--check]   (this file has no command of its own)

Writes the claims page's tables, the home page's verdict summary and each page's "Claims
settled here" table, so a claim has one verdict and one reason everywhere. A claim marked
`computed: NAME` carries no typed verdict or reason: COMPUTED[NAME] derives both from the
committed data file it reads (benchmark results, notebook metrics, line counts, the route
table), so a verdict cannot drift from its evidence. `stale()` names every claim row a page
shows differently from the data, for the messages of fieldguide/render/regions.py --check.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable
from pathlib import Path

import yaml

from fieldguide.measure.bench import evidence
from fieldguide.project import ROOT
from fieldguide.render import bench_report as report
from fieldguide.render import sections as page_sections

DOCS = ROOT / "docs"
DATA = DOCS / "data" / "claims.yml"
VERDICTS = ("true", "outdated", "false", "depends", "unverifiable")
LINK_RE = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<target>[^)\s]+)\)")
FOOTNOTE_RE = re.compile(r"\[\^[\w-]+\]")
TEST_RE = re.compile(r"`(?P<test>tests/[\w/]+\.py::\w+)`")
# A reason may name versions and years; any other figure in it must come from data (COMPUTED).
ALLOWED_NUMBERS = re.compile(
    r"`[^`]*`|\b(?:PyTorch|TensorFlow|Keras|Python|Zen|CartPole-v)\s?\d+(?:\.\d+)*(?:\.x)?|\b(?:19|20)\d\d\b"
)


def load(path: Path = DATA) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def claims(data: dict) -> list[dict]:
    """Every claim, with its section title and (for computed claims) its verdict and reason."""
    out = []
    for section in data["sections"]:
        for claim in section["claims"]:
            claim = {**claim, "section": section["title"]}
            if "computed" in claim and claim["computed"] in COMPUTED and "verdict" not in claim:
                claim["verdict"], claim["why"] = COMPUTED[claim["computed"]]()
            out.append(claim)
    return out


def problems(data: dict) -> list[str]:
    """One message per problem, each naming the claim."""
    out, seen = [], set()
    for section in data["sections"]:
        for c in section["claims"]:
            cid = c.get("id", "?")
            if cid in seen:
                out.append(f"{cid}: more than one entry")
            seen.add(cid)
            if "computed" in c:
                if c["computed"] not in COMPUTED:
                    out.append(f"{cid}: computed: {c['computed']!r} is not one of {', '.join(COMPUTED)}")
                for key in ("verdict", "why"):
                    if key in c:
                        out.append(
                            f"{cid}: the {key} is computed from data ({c['computed']}); "
                            f"remove the typed {key} from docs/data/claims.yml"
                        )
                continue
            if c.get("verdict") not in VERDICTS:
                out.append(f"{cid}: verdict {c.get('verdict')!r} is not one of {', '.join(VERDICTS)}")
            why = FOOTNOTE_RE.sub("", c.get("why", ""))
            if not why.endswith(".") or ". " in why:
                out.append(f"{cid}: the reason should be one sentence ending with a full stop")
            typed = re.findall(r"\d+(?:[.,]\d+)*%?", ALLOWED_NUMBERS.sub("", why))
            if typed:
                out.append(
                    f"{cid}: hand-typed number {', '.join(typed)} in the reason: "
                    "a measured figure must be computed from data (fieldguide/render/claims.py COMPUTED)"
                )
            if not any(LINK_RE.search(e) for e in c.get("evidence", [])):
                out.append(f"{cid}: no evidence link")
    return out


# Measured verdicts. Each returns (verdict, one-sentence reason) from committed data alone.


def _machines() -> list[dict]:
    """Every committed benchmark machine with its last two runs (fieldguide/measure/bench/evidence.py)."""
    return evidence.machines(evidence.load())


def _across(on: Callable[[dict], tuple[str, str]]) -> tuple[str, str, str]:
    """One verdict from every machine's (`on` gives a machine's verdict and reason): the same
    on each holds; otherwise "depends", saying which machine gave which. Returns the verdict,
    how it was reached, and the machines' reasons joined."""
    per = [(m["name"], *on(m)) for m in _machines()]
    reasons = "; ".join(why for _, _, why in per)
    same = evidence.across([v for _, v, _ in per])
    if same:
        return same, f"every one of the {len(per)} machines measured gives {same}", reasons
    gave = "; ".join(f"{v} on {name}" for name, v, _ in per)
    return "depends", f"the verdict depends on the CPU ({gave})", reasons


def verdict_p1() -> tuple[str, str]:
    # The verdict word follows from the claim, not from our data: its figures name no model,
    # machine or method, so no run could confirm or refute them. The figures beside it are ours.
    ms = _machines()
    train = [r for m in ms for k, r in report.workload_ratios(m["newest"]).items() if k[1] == "train"]
    claimed = 7.67 / 11.19  # the article's two figures, PyTorch over TensorFlow
    return "unverifiable", (
        f"The figures name no model, machine or method, so nobody can run them again, and the "
        f"training workloads measured here on {len(ms)} machines put best PyTorch / best "
        f"TensorFlow time between {min(train):.2f} and {max(train):.2f}, against the article's "
        f"{claimed:.2f}."
    )


def _p2_on(m: dict) -> tuple[str, str]:
    s = report.speed_counts(m)
    train, infer = s["train"], s["infer"]
    if train["tf"] > train["n"] / 2 and infer["torch"] > infer["n"] / 2:
        verdict = "true"
    elif train["tf"] == 0 or infer["torch"] == 0:
        verdict = "false"
    else:
        verdict = "depends"
    tf_wins = train["which"].get("tf", []) + infer["which"].get("tf", [])
    where = " and ".join(tf_wins) or "no workload"
    return verdict, (
        f"on {m['name']}, {verdict}, TensorFlow's fastest mode being faster on {where} "
        f"(training steps: {report.tally(train)}; inference calls: {report.tally(infer)})"
    )


def verdict_p2() -> tuple[str, str]:
    verdict, how, reasons = _across(_p2_on)
    return verdict, (
        f"Reading each workload's settled verdict (the one a machine's last two runs both give, "
        f"a tie only when a whole 95% interval lies within {report.pairs.TIE_MARGIN:.0%} of parity), "
        f"{how}: {reasons}."
    )


def _p3_on(m: dict) -> tuple[str, str]:
    s = report.speed_counts(m)
    res = m["newest"]
    ties = s["train"]["tie"] + s["infer"]["tie"]
    n = s["train"]["n"] + s["infer"]["n"]
    verdict = "true" if ties == n else "false" if ties == 0 else "depends"
    largest = max(r["batch"] for r in res["rows"] if r["task"] == "matmul" and r["model"] != "probe")
    gemm = {
        (r["framework"], r["variant"]): r["gflops"]
        for r in res["rows"]
        if r["task"] == "matmul" and r["model"] != "probe" and r["batch"] == largest
    }
    fp32 = gemm[("tf", "default")] / gemm[("torch", "default")]
    bf16 = (
        f" and {gemm[('tf', 'bf16')] / gemm[('torch', 'bf16')]:.0%} in bfloat16"
        if ("tf", "bf16") in gemm and ("torch", "bf16") in gemm
        else " (no bfloat16 rows: the CPU has no bf16 units)"
    )
    ratios = s["ratios"].values()
    return verdict, (
        f"on {m['name']}, {verdict}, as {ties} of {n} workloads are ties, best PyTorch / best TensorFlow time "
        f"spans {min(ratios):.2f} to {max(ratios):.2f} in its newest run, and on the largest matrix multiply "
        f"TensorFlow reaches {fp32:.0%} of PyTorch's GFLOP/s in float32{bf16}"
    )


def verdict_p3() -> tuple[str, str]:
    verdict, how, reasons = _across(_p3_on)
    return verdict, (
        f"Counting a tie only when a machine's last two runs both put a whole 95% interval "
        f"within {report.pairs.TIE_MARGIN:.0%} of parity, {how}: {reasons}."
    )


# The target each notebook asserts of both frameworks (docs/use-cases/*.py);
# tests/test_claims.py checks that each is still in its notebook's assertions.
USE_CASE_TARGETS = {
    "vision": ("test accuracy", "torch_test_accuracy", "tf_test_accuracy", 0.97),
    "text": ("test accuracy", "torch_test_accuracy", "tf_test_accuracy", 0.85),
    "reinforcement-learning": ("mean return", "torch_mean_return_last_40", "tf_mean_return_last_40", 195.0),
}


def verdict_u1() -> tuple[str, str]:
    metrics = json.loads((DOCS / "use-cases" / "metrics.json").read_text(encoding="utf-8"))
    met, parts = [], []
    for domain, (what, pt, tf, target) in USE_CASE_TARGETS.items():
        m = metrics[domain]["metrics"]
        met.append(m[pt] >= target and m[tf] >= target)
        parts.append(f"{domain.replace('-', ' ')} {what} {m[pt]:g} and {m[tf]:g} against {target:g}")
        if domain == "reinforcement-learning":
            import gymnasium

            # The target is CartPole-v0's threshold; the notebook runs v1, whose own bar is higher.
            v1 = gymnasium.spec("CartPole-v1").reward_threshold
            parts[-1] += f", CartPole-v0's threshold, below the {v1:g} that CartPole-v1 registers"
    # The claim gives vision and RL to TensorFlow and text to PyTorch; when both frameworks
    # meet every one of these targets, neither is confined to its domain.
    verdict = "false" if all(met) else "depends"
    return verdict, (
        f"One task per domain runs in both frameworks, and both meet the targets of {sum(met)} "
        f"of the {len(met)} notebooks ({'; '.join(parts)})."
    )


def verdict_e2() -> tuple[str, str]:
    counts = json.loads((DOCS / "data" / "line_counts.json").read_text(encoding="utf-8"))
    pt, tf = counts["PyTorch"], counts["TensorFlow (Keras)"]
    shorter = [t for t in pt if tf[t] < pt[t]]
    longer = [t for t in pt if tf[t] > pt[t]]
    verdict = "true" if len(longer) == len(pt) else "false" if not longer else "depends"
    return verdict, (
        f"Ease is an opinion, and counted over the same {len(pt)} tasks Keras takes "
        f"{sum(tf.values())} lines against PyTorch's {sum(pt.values())}, shorter in "
        f"{', '.join(shorter) or 'none'} and longer in {', '.join(longer) or 'none'}."
    )


# PyTorch routes whose artefact a C or C++ runtime loads with no Python interpreter; each is
# shown and sourced on docs/deployment.md.
RUNS_WITHOUT_PYTHON = ("AOTInductor", "ONNX Runtime", "ExecuTorch", "TorchScript")


def verdict_d1() -> tuple[str, str]:
    routes = json.loads((DOCS / "data" / "deployment.json").read_text(encoding="utf-8"))["routes"]
    torch_routes = [r["route"] for r in routes if r["framework"] == "PyTorch"]
    native = [r for r in torch_routes if r.startswith(RUNS_WITHOUT_PYTHON)]
    verdict = "outdated" if native else "true"
    return verdict, (
        f"{len(torch_routes)} PyTorch routes export and reload here with checked outputs, "
        f"{len(native)} of them ({', '.join(native)}) load in a C or C++ runtime without Python, "
        f"and neither framework needs Flask or Django, though this site's own service is a "
        f"FastAPI app and runs in Python."
    )


COMPUTED: dict[str, Callable[[], tuple[str, str]]] = {
    "p1": verdict_p1,
    "p2": verdict_p2,
    "p3": verdict_p3,
    "u1": verdict_u1,
    "e2": verdict_e2,
    "d1": verdict_d1,
}


# The generated regions.


def relink(markdown: str, page: str) -> str:
    """Links written relative to docs/ (as in claims.yml), rewritten relative to `page`."""

    def one(m: re.Match) -> str:
        target = m["target"]
        if target.startswith(("http://", "https://", "#")):
            return m.group(0)
        path, _, anchor = target.partition("#")
        if path == page:
            new = f"#{anchor}" if anchor else posixpath.basename(path)
        else:
            new = posixpath.relpath(path, posixpath.dirname(page) or ".") + (f"#{anchor}" if anchor else "")
        return f"[{m['text']}]({new})"

    return LINK_RE.sub(one, markdown)


def claims_page(data: dict) -> dict[str, str]:
    verdicts = "\n".join(f"- **{v}**: {text};" for v, text in data["verdicts"].items())
    tables = []
    by_section: dict[str, list[dict]] = {}
    for c in claims(data):
        by_section.setdefault(c["section"], []).append(c)
    for title, rows in by_section.items():
        tables += [f"## {title}", "", "| id | claim in the articles | verdict | why | evidence |"]
        tables.append("|----|-----------------------|---------|-----|----------|")
        for c in rows:
            evidence = ", ".join(c["evidence"])
            tables.append(
                f'| <a id="{c["id"].lower()}"></a>{c["id"]} | {c["claim"]} | **{c["verdict"]}** | '
                f"{c['why']} | {evidence} |"
            )
        tables.append("")
    return {"claims-verdicts": verdicts.removesuffix(";") + ".", "claims-tables": "\n".join(tables).rstrip()}


def summary(data: dict) -> str:
    lines = ["| verdict | claims |", "|---|---|"]
    all_claims = claims(data)
    for verdict in VERDICTS:
        ids = [f"[{c['id']}](claims.md#{c['id'].lower()})" for c in all_claims if c["verdict"] == verdict]
        if ids:
            lines.append(f"| **{verdict}** | {', '.join(ids)} |")
    return "\n".join(lines)


def pages_of(claim: dict) -> list[str]:
    """The Markdown pages a claim's evidence links into: each lists the claim in its own table."""
    out = []
    for e in claim["evidence"]:
        for m in LINK_RE.finditer(e):
            path = m["target"].partition("#")[0]
            if path.endswith(".md") and path != "claims.md" and path not in out:
                out.append(path)
    return out


def _on(target: str, page: str) -> bool:
    """A section's index page also counts the pages of its section (the notebooks) as its own."""
    path = target.partition("#")[0]
    if path == page:
        return True
    return page.endswith("/index.md") and posixpath.dirname(path) == posixpath.dirname(page)


def page_table(data: dict, page: str) -> str:
    rows = ["| id | what the articles say | verdict | why | evidence on this page |", "|---|---|---|---|---|"]
    for c in claims(data):
        if page not in pages_of(c):
            continue
        here = [e for e in c["evidence"] if any(_on(m["target"], page) for m in LINK_RE.finditer(e))]
        link = relink(f"[{c['id']}](claims.md#{c['id'].lower()})", page)
        rows.append(
            f"| {link} | {c['claim']} | **{c['verdict']}** | {relink(c['why'], page)} | "
            f"{relink(', '.join(here), page)} |"
        )
    return "\n".join(rows)


def choosing_speed() -> str:
    """The decision guide's finding on speed, from every machine's settled verdicts, as P2."""
    ms = _machines()
    agreed, differ = report.agreement(ms)
    lines, any_tf = [], False
    for m in ms:
        s = report.speed_counts(m)
        count = {k: s["train"][k] + s["infer"][k] for k in ("torch", "tf", "tie", "undecided", "unsettled")}
        any_tf = any_tf or count["tf"] > 0
        lines.append(
            f"  - {m['name']}: PyTorch faster on {count['torch']}, TensorFlow on {count['tf']}, tied on "
            f"{count['tie']}, undecided on {count['undecided']}, {evidence.UNSETTLED} on {count['unsettled']}."
        )
    lead = (
        "**Which framework is faster changes with the workload and the CPU**"
        if any_tf
        else "**On every CPU measured, TensorFlow's fastest mode was faster on no workload**"
    )
    return "\n".join(
        [
            f"- {lead}: {len(agreed)} of the {len(agreed) + len(differ)} workloads got the same settled",
            f"  verdict on all {len(ms)} machines measured ([per machine](performance.md#results),",
            "  [P2](claims.md#p2)), a verdict being settled when a machine's last two runs both give",
            "  it. A reader's CPU may reverse a small ratio: measure your own model with `make bench`",
            "  before deciding on speed. Per machine, over training and inference together:",
            *lines,
            *(f"\n{report.runs_provenance(m)}" for m in ms),
        ]
    )


def regions(data: dict) -> dict[Path, dict[str, str]]:
    """Every generated region this file owns, by page."""
    out: dict[Path, dict[str, str]] = {DOCS / "claims.md": claims_page(data), DOCS / "index.md": {}}
    out[DOCS / "claims.md"]["claims-rule"] = evidence.rule()
    out[DOCS / "choosing.md"] = {"choosing-speed": choosing_speed()}
    out[DOCS / "index.md"]["claims-summary"] = summary(data)
    for page in sorted({p for c in claims(data) for p in pages_of(c)}):
        out.setdefault(DOCS / page, {})["claims-here"] = page_table(data, page)
    return out


ROW_ID_RE = re.compile(r"^\|\s*(?:<a id=\"\w+\"></a>|\[)?([A-Z]\d+)\b")


def stale(data: dict, read: Callable[[Path], str | None] | None = None) -> list[str]:
    """Which claim rows differ: fieldguide/render/regions.py's --check calls this, with the same reader
    it compared the files with, to say which claim (not only which file) is out of date."""
    out = []
    for page, wanted in regions(data).items():
        text = (read(page) if read else page.read_text(encoding="utf-8")) or ""
        where = page.relative_to(ROOT)
        for name, body in wanted.items():
            try:
                shown = page_sections.read(text, name).splitlines()
            except ValueError as err:
                out.append(f"{where}: {err}")
                continue
            expected = body.splitlines()
            for got, want in zip(shown, expected, strict=False):
                if got != want:
                    m = ROW_ID_RE.match(want) or ROW_ID_RE.match(got)
                    what = m.group(1) if m else f"region {name}"
                    out.append(f"{what}: {where} shows {got[:160]!r}; the data give {want[:160]!r}")
            if len(shown) != len(expected):
                out.append(f"region {name}: {where} has {len(shown)} lines, the data give {len(expected)}")
    return out
