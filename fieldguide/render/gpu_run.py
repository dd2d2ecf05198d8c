"""What has run on a GPU, from docs/data/gpu-run.json, for the home page and the performance page.

The file is the report `make gpu-run` writes on a GPU machine (fieldguide/build/gpu_runner.py),
committed only from a real run. Without it the pages say that nothing has run on a GPU, and
nothing more.
"""

from __future__ import annotations

import json
from pathlib import Path

from fieldguide.project import ROOT
from fieldguide.render.bench_report import mib

DATA = ROOT / "docs" / "data" / "gpu-run.json"
PAGES = (ROOT / "docs" / "index.md", ROOT / "docs" / "performance.md")
REGION = "gpu-run"
NONE_YET = (
    "**No block of this site has run on a GPU yet.** Every block ran on a CPU, and every "
    "number here was measured on one. `make gpu-run` (the repository's README, section Devices) "
    "is prepared and rehearsed for the first GPU machine: it runs each PyTorch reading there and "
    "writes a report; committed to the repository, that report is what this paragraph is written from.\n"
)


def load(path: Path = DATA) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def render(report: dict | None) -> str:
    if report is None:
        return NONE_YET
    if report["device"].get("requested") != "cuda":
        raise ValueError(f"{DATA.name}: a run on {report['device'].get('requested')!r}, not a GPU run")
    device = report["device"]
    blocks = [(r["page"], b) for r in report["readings"] for b in r["blocks"]]
    counts = report["counts"]
    held = counts.get("ran", 0)
    about = ", ".join(
        f"{label} {device[key]}"
        for key, label in (("driver", "driver"), ("cuda", "CUDA"), ("cudnn", "cuDNN"), ("torch", "torch"))
        if device.get(key)
    )
    out = [
        f"**On a GPU ({device.get('name', 'unnamed device')}, {about}; {report['date']}): the "
        f"{report['reading']} readings, {held} of {len(blocks)} blocks ran and printed what the page shows** "
        f"(`make gpu-run`, {report['seconds']} s; data in `docs/data/gpu-run.json`)."
    ]
    others = [(page, b) for page, b in blocks if b["status"] not in ("ran", "not run")]
    if others:
        out += ["", "| block | on the GPU |", "|---|---|"]
        for _page, b in others:
            what = {
                "skipped": b.get("detail", ""),
                "output differs": f"prints `{' / '.join(b.get('printed', [])) or '(nothing)'}`",
                "failed": f"`{b.get('detail', '').splitlines()[-1] if b.get('detail') else 'failed'}`",
            }[b["status"]]
            cell = what.replace("|", "\\|")
            out.append(f"| `{b['where']}` | {b['status']}: {cell} |")
    details = [b.get("detail", "") for _page, b in blocks if b["status"] == "not run"]
    after_failure = sum(d.startswith("the block at") for d in details)
    if after_failure:
        blocks_word = "block" if after_failure == 1 else "blocks"
        out += ["", f"{after_failure} more {blocks_word} did not run because an earlier block of their reading failed."]
    lacking = [b["needs"] for _page, b in blocks if b["status"] == "not run" and b.get("needs")]
    if lacking:
        names = sorted({n for needs in lacking for n in needs})
        one = len(lacking) == 1
        out += [
            "",
            f"{len(lacking)} {'block' if one else 'blocks'} did not run: "
            f"{'its reading imports' if one else 'their readings import'} {', '.join(f'`{n}`' for n in names)}, "
            f"which neither the GPU machine nor the {report['carry_mib']} MiB carried to it held.",
        ]
    if (late := len(details) - after_failure - len(lacking)) > 0:
        out += ["", f"{late} blocks did not run: the run's time budget ran out first."]
    if report.get("bench", {}).get("rows"):
        out += ["", "| GEMM, fp32, PyTorch on the GPU | GFLOP/s | allocator peak, MiB |", "|---:|---:|---:|"]
        for r in report["bench"]["rows"]:
            out.append(f"| n = {r['n']} | {r['gflops']:.0f} | {mib(r['device_peak_mib'])} |")
        out += ["", f"From the benchmark's quick GPU rows in the same run (`{report['bench']['command']}`)."]
    return "\n".join(out) + "\n"


def regions() -> dict[Path, dict[str, str]]:
    body = render(load())
    return {page: {REGION: body} for page in PAGES}
