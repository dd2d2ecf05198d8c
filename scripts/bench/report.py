"""Tables and charts for docs/performance.md, from the results JSON and nothing else.

Usage: python scripts/generate.py bench [--check]    (the committed results, like every generator)
       python scripts/bench/report.py --data FILE --page FILE --assets DIR   (another results file)

Renders the page's `<!-- generated:bench-* -->` regions and the SVG charts. The repeatability region
compares the results with the run before them (docs/data/bench-previous.json, which `make bench`
keeps), row by row.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent.parent
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))

import page_sections

ROOT = SCRIPTS.parent
DATA = ROOT / "docs" / "data" / "bench.json"
PREVIOUS = ROOT / "docs" / "data" / "bench-previous.json"
PAGE = ROOT / "docs" / "performance.md"
ASSETS = ROOT / "docs" / "assets" / "performance"

TORCH_MODES = ("eager", "compile")
TF_MODES = ("eager", "function", "xla")
MODE_COLUMNS = [("torch", m) for m in TORCH_MODES] + [("tf", m) for m in TF_MODES]
MODE_LABEL = {
    ("torch", "eager"): "PyTorch eager",
    ("torch", "compile"): "torch.compile",
    ("tf", "eager"): "TF eager",
    ("tf", "function"): "tf.function",
    ("tf", "xla"): "tf.function XLA",
    ("numpy", "eager"): "NumPy",
    ("tf", "fit_jit_auto"): "Keras fit, jit_compile auto",
    ("tf", "fit_jit_false"): "Keras fit, jit_compile False",
    ("tf", "loop"): "hand-written loop, tf.function step",
}
FRAMEWORK = {"numpy": "NumPy", "torch": "PyTorch", "tf": "TensorFlow"}
GROUP_TITLES = {"M1": "M1 MLPs", "C1": "C1 CNN", "T1": "T1 transformer encoder", "L1": "L1 linear regression"}


def ms(seconds: float) -> str:
    value = seconds * 1e3
    return f"{value:.3g}" if value < 1000 else f"{value:.0f}"


def pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.0f}%"


def default_rows(results: dict) -> list[dict]:
    """Rows of the main configurations: no cookbook change, the run's thread count and environment."""
    return [r for r in results["rows"] if r["variant"] == "default" and r["config"].count(":") == 2]


def row_key(r: dict) -> tuple:
    return (r["model"], r["task"], r["batch"])


def machine_region(res: dict) -> str:
    m, v, s = res["machine"], res["versions"], res["settings"]
    present = ", ".join(f for f, on in m["flags"].items() if on) or "none"
    absent = ", ".join(f for f, on in m["flags"].items() if not on) or "none"
    peak = m["computed_peak_gflops"]
    lines = [
        "| | |",
        "|---|---|",
        f"| CPU | {m['cpu_model']}, {m['logical_cpus']} logical CPUs used |",
        f"| flags present | {present} |",
        f"| flags absent | {absent} |",
        f"| clock | {m['clock_mhz']:.0f} MHz, from {m['clock_source']} |" if m["clock_mhz"] else "| clock | unknown |",
        f"| FLOPs per cycle per core (fp32) | {m['fma_units_assumed']} FMA units x "
        f"{m['fp32_lanes']} lanes ({m['vector_unit']})"
        f" x 2 = {m['flops_per_cycle']} |",
        f"| computed peak | {peak:.1f} GFLOP/s |" if peak else "| computed peak | unknown |",
        f"| measured peak (best fp32 GEMM) | {m['measured_peak_gflops']:.1f} GFLOP/s |",
        f"| versions | Python {v['python']}, PyTorch {v['torch']}, TensorFlow {v['tensorflow']}, "
        f"Keras {v['keras']}, NumPy {v['numpy']} |",
        f"| threads | {s['threads']} intra-op, {s['interop_threads']} inter-op, in every worker |",
        f"| samples per row | {s['rounds']} rounds (processes) x {s['samples']} samples for G0 and M1, "
        f"x {s.get('samples_other', s['samples'])} for the others; taken in {s.get('passes', 1)} sweeps over "
        f"the process's rows, ~{s['target_sample_s'] * 1e3:.0f} ms each |",
        f"| device | {res['device']}; TF32 {s['tf32']} |",
        f"| torch.compile backend | {s['torch_compile_backend']} |",
        f"| run | {res['date']}, harness {res['harness_version']}, {res['total_s'] / 60:.1f} min"
        + (", quick mode (not for comparison)" if res["quick"] else "")
        + " |",
    ]
    return "\n".join(lines)


def g0_region(res: dict) -> str:
    m = res["machine"]
    rows = sorted(
        (r for r in res["rows"] if r["group"] == "G0"),
        key=lambda r: (r["batch"], r["variant"], ["numpy", "torch", "tf"].index(r["framework"])),
    )
    out = [
        "| n | dtype | library | GFLOP/s (median) | IQR, GFLOP/s | of measured peak | of computed peak |",
        "|---:|---|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        flops = r["flops"] / 1e9
        iqr = flops / r["q1"] - flops / r["q3"]
        computed = r["gflops"] / m["computed_peak_gflops"] if m["computed_peak_gflops"] else None
        dtype = "bf16" if r["variant"] == "bf16" else "fp32"
        out.append(
            f"| {r['batch']} | {dtype} | {FRAMEWORK[r['framework']]} | {r['gflops']:.1f} | {iqr:.1f} | "
            f"{pct(r['gflops'] / m['measured_peak_gflops'])} | {pct(computed)} |"
        )
    if not m["bf16_hardware"]:
        out.append("")
        out.append("No bf16 GEMM rows: this CPU has neither `avx512_bf16` nor `amx_bf16`.")
    return "\n".join(out)


def group_region(res: dict, group: str) -> str:
    rows = [r for r in default_rows(res) if r["group"] == group]
    cells = {(row_key(r), r["framework"], r["mode"]): r for r in rows}
    keys = sorted({row_key(r) for r in rows}, key=lambda k: (k[0], k[1] != "train", k[2]))
    head = " | ".join(MODE_LABEL[c] for c in MODE_COLUMNS)
    out = [
        f"| model | step | batch | {head} | best PyTorch / best TF |",
        "|---|---|---:|" + "---:|" * len(MODE_COLUMNS) + "---:|",
    ]
    for k in keys:
        cols = []
        for fw, mode in MODE_COLUMNS:
            r = cells.get((k, fw, mode))
            cols.append("" if r is None else f"{ms(r['median'])} ({ms(r['iqr'])})")
        ratio = best_ratio(cells, k)
        out.append(f"| {k[0]} | {k[1]} | {k[2]} | {' | '.join(cols)} | {ratio:.2f} |")
    return "\n".join(out)


def best(cells: dict, key: tuple, framework: str) -> dict:
    return min((r for (k, fw, _), r in cells.items() if k == key and fw == framework), key=lambda r: r["median"])


def best_ratio(cells: dict, key: tuple) -> float:
    return best(cells, key, "torch")["median"] / best(cells, key, "tf")["median"]


def first_call_region(res: dict) -> str:
    rows = [r for r in default_rows(res) if r["task"] == "train" and r["group"] in GROUP_TITLES]
    rows.sort(
        key=lambda r: (
            list(GROUP_TITLES).index(r["group"]),
            r["model"],
            MODE_COLUMNS.index((r["framework"], r["mode"])),
        )
    )
    out = [
        "| model | mode | first call, s | steady step, ms | peak RSS growth, MiB |",
        "|---|---|---:|---:|---:|",
    ]
    for r in rows:
        rss = "n/a" if r["rss_growth_mib"] is None else f"{r['rss_growth_mib']:.0f}"
        out.append(
            f"| {r['model']} | {MODE_LABEL[(r['framework'], r['mode'])]} | {r['first_call_s']:.2f} | "
            f"{ms(r['median'])} | {rss} |"
        )
    return "\n".join(out)


def api_region(res: dict) -> str:
    rows = [r for r in res["rows"] if r["group"] == "API"]
    rows.sort(key=lambda r: ("fit_jit_auto", "fit_jit_false", "loop").index(r["mode"]))
    batch = rows[0]["batch"] if rows else 0
    out = [
        f"| how mlp_small is trained (batch {batch}) | ms per step (median) | IQR, ms | first call, s |",
        "|---|---:|---:|---:|",
    ]
    out += [
        f"| {MODE_LABEL[('tf', r['mode'])]} | {ms(r['median'])} | {ms(r['iqr'])} | {r['first_call_s']:.2f} |"
        for r in rows
    ]
    return "\n".join(out)


def cookbook_pairs(res: dict) -> list[tuple[str, dict, dict]]:
    """(tip, baseline row, changed row) for every cookbook tip the run measured."""
    by_id = {r["id"]: r for r in res["rows"]}
    pairs = []

    def add(tip: str, base: str, changed: str) -> None:
        if base in by_id and changed in by_id:
            pairs.append((tip, by_id[base], by_id[changed]))

    t, b_inf = res["settings"]["threads"], 1
    big = 256 if not res["quick"] else 4
    for fw, mode in (("torch", "eager"), ("tf", "function")):
        for task in ("train", "infer"):
            add(f"{FRAMEWORK[fw]}: {t} threads instead of 1", f"{fw}:M1:{mode}:threads1/mlp_wide/{task}/b{big}/default",
                f"{fw}:M1:{mode}/mlp_wide/{task}/b{big}/default")  # fmt: skip
    for task, batch in (("train", big), ("infer", big)):
        add("PyTorch: bf16 autocast", f"torch:M1:eager/mlp_small/{task}/b{batch}/default",
            f"torch:M1:eager/mlp_small/{task}/b{batch}/bf16_autocast")  # fmt: skip
    for model, task, batch in (("mlp_wide", "train", big), ("cnn", "train", 64 if not res["quick"] else 4),
                               ("transformer", "train", 16 if not res["quick"] else 4)):  # fmt: skip
        group = {"mlp_wide": "M1", "cnn": "C1", "transformer": "T1"}[model]
        add("PyTorch: torch.compile", f"torch:{group}:eager/{model}/{task}/b{batch}/default",
            f"torch:{group}:compile/{model}/{task}/b{batch}/default")  # fmt: skip
        add("TensorFlow: XLA (jit_compile=True)", f"tf:{group}:function/{model}/{task}/b{batch}/default",
            f"tf:{group}:xla/{model}/{task}/b{batch}/default")  # fmt: skip
    for batch in (b_inf, big):
        add("PyTorch: inference_mode instead of no_grad", f"torch:M1:eager/mlp_small/infer/b{batch}/default",
            f"torch:M1:eager/mlp_small/infer/b{batch}/inference_mode")  # fmt: skip
    add("Keras: jit_compile auto instead of False", f"tf:API:fit_jit_false/mlp_small/train/b{big}/default",
        f"tf:API:fit_jit_auto/mlp_small/train/b{big}/default")  # fmt: skip
    for task in ("train", "infer"):
        add("TensorFlow: oneDNN on instead of off", f"tf:M1:function:onednn0/mlp_wide/{task}/b{big}/default",
            f"tf:M1:function:onednn1/mlp_wide/{task}/b{big}/default")  # fmt: skip
    return pairs


def cookbook_region(res: dict) -> str:
    out = [
        "| tip | row | before, ms | after, ms | speed-up (before / after) |",
        "|---|---|---:|---:|---:|",
    ]
    for tip, base, changed in cookbook_pairs(res):
        what = f"{changed['model']} {changed['task']} b{changed['batch']}"
        out.append(
            f"| {tip} | {what} | {ms(base['median'])} | {ms(changed['median'])} | "
            f"{base['median'] / changed['median']:.2f} |"
        )
    return "\n".join(out)


def noise(res: dict, previous: dict | None) -> float:
    """The run-to-run difference a ratio must beat to count as a win: the median difference
    between two consecutive runs' G0 and M1 rows, never less than the harness's tolerance."""
    from bench import compare

    if previous is None or comparable(previous, res):
        return compare.TOLERANCE
    group = {r["id"]: r["group"] for r in res["rows"]}
    sizes = [abs(d[3]) for d in compare.differences(previous, res) if group[d[0]] in compare.GATED_GROUPS]
    return max(compare.TOLERANCE, statistics.median(sizes)) if sizes else compare.TOLERANCE


def workload_ratios(res: dict) -> dict[tuple, float]:
    """Best PyTorch time / best TensorFlow time per workload row (model, step, batch)."""
    rows = [r for r in default_rows(res) if r["group"] in GROUP_TITLES]
    cells = {(row_key(r), r["framework"], r["mode"]): r for r in rows}
    return {k: best_ratio(cells, k) for k in sorted({row_key(r) for r in rows})}


def outcome(ratio: float, tie: float) -> str:
    """ "torch", "tf" or "tie": a ratio inside the run's own noise is a tie, never a win."""
    if ratio < 1 / (1 + tie):
        return "torch"
    return "tf" if ratio > 1 + tie else "tie"


def speed_counts(res: dict, previous: dict | None) -> dict:
    """Per step (train, infer): how many workloads each framework wins, and the ties."""
    tie = noise(res, previous)
    ratios = workload_ratios(res)
    counts = {}
    for step in ("train", "infer"):
        won = [outcome(r, tie) for k, r in ratios.items() if k[1] == step]
        counts[step] = {who: won.count(who) for who in ("torch", "tf", "tie")} | {"n": len(won)}
    return {"noise": tie, "ratios": ratios, **counts}


def claims_region(res: dict, previous: dict | None) -> str:
    s = speed_counts(res, previous)

    def wins(c):
        return (
            f"PyTorch's best mode is faster in {c['torch']} of {c['n']}, TensorFlow's in {c['tf']}, tied in {c['tie']}"
        )

    ratios = s["ratios"].values()
    return "\n".join(
        [
            f"- Training steps: {wins(s['train'])}.",
            f"- Inference calls: {wins(s['infer'])}.",
            f"- Best PyTorch time / best TensorFlow time ranges from {min(ratios):.2f} to {max(ratios):.2f} "
            f"across the {len(ratios)} workload rows. A ratio within {s['noise']:.1%} of 1 (the median "
            "difference between the two committed runs, or the harness's tolerance if that is larger) "
            "counts as a tie.",
        ]
    )


def comparable(a: dict, b: dict) -> str | None:
    """Why two results files cannot be compared row by row, or None when they can."""
    for what, get in (
        ("harness version", lambda r: r["harness_version"]),
        ("CPU model", lambda r: r["machine"]["cpu_model"]),
        ("thread count", lambda r: r["settings"]["threads"]),
        ("device", lambda r: r["device"]),
        ("versions", lambda r: r["versions"]),
    ):
        if get(a) != get(b):
            return f"their {what} differs"
    if a["quick"] or b["quick"]:
        return "one of them is a --quick run"
    return None


def repeat_region(res: dict, previous: dict | None) -> str:
    from bench import compare

    tolerance = compare.TOLERANCE
    if previous is None:
        return "No earlier run is committed to compare with: run `make bench` twice."
    why = comparable(previous, res)
    if why:
        return f"The committed earlier run ({previous['date']}) cannot be compared with this one: {why}."
    group = {r["id"]: r["group"] for r in res["rows"]}
    gated = [d for d in compare.differences(previous, res) if group[d[0]] in compare.GATED_GROUPS]
    beyond = [d for d in gated if abs(d[3]) > tolerance]
    sizes = sorted(abs(d[3]) for d in gated)
    lines = [
        f"Earlier run: {previous['date']}; this run: {res['date']}; the same harness, machine and versions.",
        "",
        "| | |",
        "|---|---|",
        f"| G0 and M1 rows in both runs | {len(gated)} |",
        f"| within {tolerance:.0%} of each other | {len(gated) - len(beyond)} |",
        f"| median difference | {statistics.median(sizes):.1%} |" if sizes else "| median difference | n/a |",
        f"| largest difference | {sizes[-1]:.1%} |" if sizes else "| largest difference | n/a |",
        "",
        "| row | earlier, ms | this run, ms | difference |",
        "|---|---:|---:|---:|",
    ]
    g0 = [d for d in gated if group[d[0]] == "G0"]
    shown = g0 + [d for d in sorted(beyond, key=lambda d: -abs(d[3])) if d not in g0]
    for rid, a, b, diff in shown:
        lines.append(f"| `{rid.removesuffix('/default')}` | {ms(a)} | {ms(b)} | {diff:+.1%} |")
    if beyond:
        lines += ["", f"The table shows every G0 row, then every row beyond {tolerance:.0%}, largest first."]
    else:
        lines += ["", f"The table shows every G0 row; no M1 row differs by more than {tolerance:.0%}."]
    return "\n".join(lines)


def regions(res: dict, previous: dict | None = None) -> dict[str, str]:
    out = {
        "bench-repeat": repeat_region(res, previous),
        "bench-machine": machine_region(res),
        "bench-g0": g0_region(res),
        "bench-first-call": first_call_region(res),
        "bench-api": api_region(res),
        "bench-cookbook": cookbook_region(res),
        "bench-claims": claims_region(res, previous),
    }
    for group in GROUP_TITLES:
        out[f"bench-{group.lower()}"] = group_region(res, group)
    return out


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def charts(res: dict) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "bench", "svg.fonttype": "none", "font.size": 9})
    out = {}
    m = res["machine"]
    g0 = [r for r in res["rows"] if r["group"] == "G0"]
    sizes = sorted({r["batch"] for r in g0})
    libs = [("numpy", "default"), ("torch", "default"), ("tf", "default"), ("torch", "bf16"), ("tf", "bf16")]
    libs = [lib for lib in libs if any((r["framework"], r["variant"]) == lib for r in g0)]
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    width = 0.8 / len(libs)
    for i, (fw, variant) in enumerate(libs):
        ys = [
            next(r["gflops"] for r in g0 if (r["framework"], r["variant"], r["batch"]) == (fw, variant, n))
            for n in sizes
        ]
        label = FRAMEWORK[fw] + (" bf16" if variant == "bf16" else "")
        ax.bar([j + i * width for j in range(len(sizes))], ys, width, label=label)
    if m["computed_peak_gflops"]:
        ax.axhline(m["computed_peak_gflops"], color="black", linestyle="--", linewidth=1, label="computed peak")
    ax.axhline(m["measured_peak_gflops"], color="grey", linestyle=":", linewidth=1, label="measured peak")
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(sizes))], [f"n = {n}" for n in sizes])
    ax.set_ylabel("GFLOP/s (median)")
    ax.set_title("G0: square fp32 matrix multiply")
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    out["g0.svg"] = _svg(fig)
    plt.close(fig)

    rows = [r for r in default_rows(res) if r["group"] in GROUP_TITLES]
    keys = sorted({(r["group"], *row_key(r)) for r in rows}, key=lambda k: (list(GROUP_TITLES).index(k[0]), k[1:]))
    fig, ax = plt.subplots(figsize=(6.4, 0.5 * len(keys) + 1.2))
    height = 0.8 / len(MODE_COLUMNS)
    for i, (fw, mode) in enumerate(MODE_COLUMNS):
        ys, xs, lo, hi = [], [], [], []
        for j, k in enumerate(keys):
            r = next(
                (r for r in rows if (r["group"], *row_key(r)) == k and (r["framework"], r["mode"]) == (fw, mode)), None
            )
            if r is not None:
                ys.append(j + i * height)
                xs.append(r["median"] * 1e3)
                lo.append((r["median"] - r["q1"]) * 1e3)
                hi.append((r["q3"] - r["median"]) * 1e3)
        ax.barh(ys, xs, height, xerr=[lo, hi], label=MODE_LABEL[(fw, mode)], error_kw={"linewidth": 0.6})
    ax.set_yticks([j + 0.4 - height / 2 for j in range(len(keys))], [f"{k[1]} {k[2]} b{k[3]}" for k in keys])
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("ms per step, median (bars: interquartile range); log scale")
    ax.legend(fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
    fig.tight_layout()
    out["workloads.svg"] = _svg(fig)
    plt.close(fig)

    pairs = cookbook_pairs(res)
    fig, ax = plt.subplots(figsize=(6.4, 0.3 * len(pairs) + 1.2))
    labels = [f"{tip}: {c['model']} {c['task']} b{c['batch']}" for tip, _, c in pairs]
    speedups = [b["median"] / c["median"] for _, b, c in pairs]
    ax.barh(range(len(pairs)), speedups, color=["tab:green" if s >= 1 else "tab:red" for s in speedups])
    ax.axvline(1.0, color="black", linewidth=1)
    ax.set_yticks(range(len(pairs)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("speed-up, before / after (right of 1: the tip helps)")
    fig.tight_layout()
    out["cookbook.svg"] = _svg(fig)
    plt.close(fig)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--previous", type=Path, default=PREVIOUS, help="the run before --data, to compare with")
    parser.add_argument("--page", type=Path, default=PAGE)
    parser.add_argument("--assets", type=Path, default=ASSETS)
    args = parser.parse_args(argv)
    results = json.loads(args.data.read_text(encoding="utf-8"))
    previous = json.loads(args.previous.read_text(encoding="utf-8")) if args.previous.exists() else None
    page_sections.write(args.page, regions(results, previous))
    args.assets.mkdir(parents=True, exist_ok=True)
    for name, svg in charts(results).items():
        (args.assets / name).write_text(svg, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
