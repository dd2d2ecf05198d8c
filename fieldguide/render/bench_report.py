"""Tables and charts for docs/performance.md, from the results JSON and nothing else.

Usage: python -m fieldguide generate bench [--check]    (the committed results, like every generator)
       python fieldguide/render/bench_report.py --runs DIR --page FILE --assets DIR   (another folder of runs)

Renders the page's `<!-- generated:bench-* -->` regions and the SVG charts from every committed
run (docs/data/bench-runs/, grouped by machine in fieldguide/measure/bench/evidence.py). Every ratio,
interval and verdict is read from the runs' comparisons (fieldguide/measure/bench/pairs.py made them); the
answer and the verdict counts come from each machine's last two runs together, the detailed
tables and charts from the newest run, and each region names the machine, date and versions
that measured it.
"""

from __future__ import annotations

import argparse
import io
import math
import sys
from pathlib import Path

from fieldguide.measure import provenance
from fieldguide.measure.bench import evidence, pairs
from fieldguide.project import ROOT
from fieldguide.render import sections as page_sections

RUNS = evidence.RUNS
PAGE = ROOT / "docs" / "performance.md"
ASSETS = ROOT / "docs" / "assets" / "performance"

REPEAT_TOLERANCE = 0.05  # two runs' headline ratios must agree this well
MODE_COLUMNS = [("torch", "eager"), ("torch", "compile"), ("tf", "eager"), ("tf", "function"), ("tf", "xla")]
MODE_LABEL = {
    "torch:eager": "PyTorch eager",
    "torch:compile": "torch.compile",
    "tf:eager": "TF eager",
    "tf:function": "tf.function",
    "tf:xla": "tf.function XLA",
    "numpy:eager": "NumPy",
}
FRAMEWORK = {"numpy": "NumPy", "torch": "PyTorch", "tf": "TensorFlow"}
GROUP_TITLES = {"M1": "M1 MLPs", "C1": "C1 CNN", "T1": "T1 transformer encoder", "L1": "L1 linear regression"}
GROUP_OF = {"mlp_small": "M1", "mlp_wide": "M1", "cnn": "C1", "transformer": "T1", "linreg": "L1"}
# What A and B of each comparison are, for its verdict's wording (the ratio is t_A / t_B).
SIDES = {
    "best": ("PyTorch faster", "TensorFlow faster"),
    "torch_compiled_vs_eager": ("compiled faster", "eager faster"),
    "tf_compiled_vs_eager": ("compiled faster", "eager faster"),
    "torch_vs_tf_default": ("PyTorch faster", "TensorFlow faster"),
    "torch_vs_tf_bf16": ("PyTorch faster", "TensorFlow faster"),
    "torch_vs_numpy": ("PyTorch faster", "NumPy faster"),
    "tf_vs_numpy": ("TensorFlow faster", "NumPy faster"),
    "torch_bf16_vs_fp32": ("bf16 faster", "fp32 faster"),
    "aa_torch": ("second process faster", "first process faster"),
    "aa_tf": ("second process faster", "first process faster"),
}
TIPS = {
    "torch_threads": "PyTorch: {threads} threads instead of 1",
    "tf_threads": "TensorFlow: {threads} threads instead of 1",
    "torch_compiled_vs_eager": "PyTorch: torch.compile",
    "tf_xla": "TensorFlow: XLA instead of plain tf.function",
    "torch_inference_mode": "PyTorch: inference_mode instead of no_grad",
    "torch_bf16_autocast": "PyTorch: bf16 autocast",
    "keras_jit_auto": "Keras fit: jit_compile auto instead of False",
    "keras_loop": "Keras: a loop over a tf.function step instead of fit",
    "tf_onednn": "TensorFlow: oneDNN on (the default) instead of off",
}


def ms(seconds: float) -> str:
    value = seconds * 1e3
    return f"{value:.3g}" if value < 1000 else f"{value:.0f}"


def pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.0f}%"


def interval(c: dict) -> str:
    return f"{c['ratio']:.3f} [{c['lo']:.3f}, {c['hi']:.3f}]"


def verdict_of(c: dict) -> str:
    """The verdict read from the interval now (never the stored word: an edited interval must
    change it), in the comparison's own terms."""
    v = pairs.verdict(c["lo"], c["hi"])
    a, b = SIDES.get(c["name"], ("A faster", "B faster"))
    return {"A faster": a, "B faster": b}.get(v, v)


def by_name(res: dict, name: str) -> list[dict]:
    return [c for c in res["comparisons"] if c["name"] == name]


def workload_order(c: dict) -> tuple:
    models = ["mlp_small", "mlp_wide", "cnn", "transformer", "linreg"]
    return (models.index(c["model"]) if c["model"] in models else 9, c["task"] != "train", c["batch"])


def headline(res: dict) -> list[dict]:
    return sorted(by_name(res, "best"), key=workload_order)


def label(c: dict) -> str:
    return f"{c['model']} {c['task']} b{c['batch']}"


def mode_of(row_id: str) -> str:
    return MODE_LABEL.get(row_id.split("/", 1)[0], row_id.split("/", 1)[0])


def rows_by_id(res: dict) -> dict[str, dict]:
    return {r["id"]: r for r in res["rows"]}


# Verdict counts, shared with fieldguide/render/claims.py (P1 to P3 and the decision guide).


def workload_ratios(res: dict) -> dict[tuple, float]:
    """Best PyTorch time / best TensorFlow time per workload (model, step, batch)."""
    return {(c["model"], c["task"], c["batch"]): c["ratio"] for c in headline(res)}


def settled(m: dict) -> dict[tuple, dict]:
    """Per workload of a machine (an entry of evidence.machines): the verdict its last two runs
    settle, and both runs' comparisons (the earlier run first; None where it lacks the row)."""
    earlier = {(c["model"], c["task"], c["batch"]): c for c in headline(m["earlier"])} if m["earlier"] else {}
    out = {}
    for c in headline(m["newest"]):
        key = (c["model"], c["task"], c["batch"])
        old = earlier.get(key)
        verdicts = [verdict_of(c)] + ([verdict_of(old)] if old else [])
        out[key] = {"verdict": evidence.settle(*verdicts), "runs": [old, c], "label": label(c)}
    return out


VERDICT_KEYS = {"PyTorch faster": "torch", "TensorFlow faster": "tf", "tie": "tie", "undecided": "undecided",
                evidence.UNSETTLED: "unsettled"}  # fmt: skip


def speed_counts(m: dict) -> dict:
    """Per step (train, infer) of one machine: how many workloads each settled verdict has,
    and which workloads they are."""
    rows = settled(m)
    counts: dict = {"margin": pairs.TIE_MARGIN, "ratios": workload_ratios(m["newest"]), "machine": m["name"]}
    for step in ("train", "infer"):
        mine = {k: v for k, v in rows.items() if k[1] == step}
        counts[step] = {key: 0 for key in VERDICT_KEYS.values()} | {"n": len(mine), "which": {}}
        for v in mine.values():
            key = VERDICT_KEYS[v["verdict"]]
            counts[step][key] += 1
            counts[step]["which"].setdefault(key, []).append(v["label"])
    return counts


def tally(c: dict) -> str:
    """One step's counts in words."""
    return (
        f"PyTorch faster on {c['torch']} of {c['n']}, TensorFlow on {c['tf']}, tied on {c['tie']}, "
        f"undecided on {c['undecided']} and {evidence.UNSETTLED} on {c['unsettled']}"
    )


def bench_provenance(res: dict) -> str:
    v = res["versions"]
    names = {"torch": "PyTorch", "tensorflow": "TensorFlow", "keras": "Keras", "numpy": "NumPy"}
    data = f"docs/data/bench-runs/{res['file']}" if "file" in res else "a results file"
    return provenance.line(evidence.machine_name(res), res["date"], provenance.versions(v, names), data)


def with_provenance(body: str, res: dict) -> str:
    return body + "\n\n" + bench_provenance(res)


# The regions.


def answer_region(ms: list[dict]) -> str:
    """Every machine's settled verdict per workload, side by side, and whether they agree."""
    out = [
        "| workload | " + " | ".join(m["name"] for m in ms) + " | every machine |",
        "|---|" + "---|" * (len(ms) + 1),
    ]
    rows = [settled(m) for m in ms]
    for key in sorted(set().union(*rows), key=lambda k: workload_order({"model": k[0], "task": k[1], "batch": k[2]})):
        cells, found = [], []
        for r in rows:
            if key not in r:
                cells.append("not measured")
                continue
            v = r[key]
            ratios = ", ".join(f"{c['ratio']:.2f}" for c in v["runs"] if c)
            if v["verdict"] == evidence.UNSETTLED:
                words = " then ".join(verdict_of(c) for c in v["runs"] if c)
                cells.append(f"{evidence.UNSETTLED}: {words} ({ratios})")
            else:
                cells.append(f"{v['verdict']} ({ratios})")
            found.append(v["verdict"])
        same = evidence.across(found) if len(found) == len(ms) else None
        every = f"**{same}**" if same and same != evidence.UNSETTLED else "depends on the CPU"
        out.append(f"| {key[0]} {key[1]} b{key[2]} | " + " | ".join(cells) + f" | {every} |")
    out += ["", "Each cell: the verdict the machine's last two runs both give, and best PyTorch time / best "
            "TensorFlow time in each run (the earlier first). " + evidence.rule(), ""]  # fmt: skip
    out += ["- " + runs_provenance(m) for m in ms]
    return "\n".join(out)


def runs_provenance(m: dict) -> str:
    """One machine's evidence in one line: its newest run's provenance and the run it pairs with."""
    line = bench_provenance(m["newest"])
    if m["earlier"] is None:
        return line + " No second comparable run: nothing on this machine is settled yet."
    return line + f" Paired with the run of {m['earlier']['date']} (`docs/data/bench-runs/{m['earlier']['file']}`)."


def agreement(ms: list[dict]) -> tuple[list[str], list[str]]:
    """The workloads every machine settles the same way, and the rest."""
    rows = [settled(m) for m in ms]
    keys = sorted(set().union(*rows), key=lambda k: workload_order({"model": k[0], "task": k[1], "batch": k[2]}))
    agreed, differ = [], []
    for key in keys:
        found = [r[key]["verdict"] for r in rows if key in r]
        same = len(found) == len(rows) and evidence.across(found) not in (None, evidence.UNSETTLED)
        (agreed if same else differ).append(f"{key[0]} {key[1]} b{key[2]}")
    return agreed, differ


def conclusion_region(ms: list[dict]) -> str:
    lines = []
    for m in ms:
        s = speed_counts(m)
        lines.append(f"- On {m['name']}: training steps {tally(s['train'])}; inference calls {tally(s['infer'])}.")
    agreed, differ = agreement(ms)
    lines.append(
        f"- Every one of the {len(ms)} machines settles {len(agreed)} of the {len(agreed) + len(differ)} workloads "
        f"the same way" + (f" ({', '.join(agreed)})" if agreed else "") + "; the rest depend on the CPU or are "
        f"{evidence.UNSETTLED} on some machine. A reader's CPU may reverse a small ratio: measure your own model "
        "with `make bench` before deciding on speed."
    )
    for m in ms:
        aa = [c for r in (m["newest"], m["earlier"]) if r for c in by_name(r, "aa_torch") + by_name(r, "aa_tf")]
        held = sum(c["lo"] <= 1 <= c["hi"] for c in aa)
        lines.append(
            f"- Controls on {m['name']}: {held} of {len(aa)} A/A intervals (one configuration in two processes) "
            "contain 1.0" + ("." if held == len(aa) else ", so read its ratios with care.")
        )
    return "\n".join([*lines, "", *(f"- {runs_provenance(m)}" for m in ms)])


def machine_region(res: dict) -> str:
    m, v, s = res["machine"], res["versions"], res["settings"]
    present = ", ".join(f for f, on in m["flags"].items() if on) or "none"
    absent = ", ".join(f for f, on in m["flags"].items() if not on) or "none"
    fma = m["fma_peak"]
    peak = m["computed_peak_gflops"]
    env = ", ".join(f"`{k}={val}`" for k, val in s["wait_env"].items())
    malloc = ", ".join(f"`{k}={val}`" for k, val in s["malloc_env"].items())
    lines = [
        "| | |",
        "|---|---|",
        f"| CPU | {m['cpu_model']}, {m['logical_cpus']} logical CPUs used |",
        f"| flags present | {present} |",
        f"| flags absent | {absent} |",
        f"| FMA peak, measured | {fma['all_threads_gflops']:.1f} GFLOP/s on {fma['threads']} threads, "
        f"{fma['one_thread_gflops']:.1f} on 1 ({fma['isa']}, {fma['lanes']} fp32 lanes, "
        f"{fma['accumulators']} accumulators; best of {len(fma['runs'])} measurements over the run)"
        + (
            f"; {fma['threads']} threads reach no more than 1.3 x one thread: the logical CPUs share one core's "
            "FMA units (hyper-threads), or another job held a core while it ran |"
            if fma["threads"] > 1 and fma["all_threads_gflops"] < 1.3 * fma["one_thread_gflops"]
            else " |"
        ),
        f"| computed peak (assumed {m['fma_units_assumed']} FMA units x {m['fp32_lanes']} lanes x 2 at "
        + (f"{m['clock_mhz']:.0f} MHz" if m["clock_mhz"] else "an unknown clock")
        + f", {m['clock_source']}) | "
        + (f"{peak:.1f} GFLOP/s |" if peak else "unknown |"),
        *(
            [
                f"| GPU | {g['name']}, {g['memory_gib']} GiB, compute capability {g.get('capability', '?')}; "
                f"driver {g['driver']}, CUDA {g['cuda']}, cuDNN {g['cudnn']}; TF32 {s['tf32']} |",
                f"| GEMM peak, measured on the GPU | {res['device_gemm_peak']['gflops']:.0f} GFLOP/s "
                f"({res['device_gemm_peak']['source']}: `{res['device_gemm_peak']['row']}`) |",
            ]
            if (g := res.get("gpu"))
            else []
        ),
        f"| versions | Python {v['python']}, PyTorch {v['torch']}, TensorFlow {v['tensorflow']}, "
        f"Keras {v['keras']}, NumPy {v['numpy']} |",
        f"| threads | {s['threads']} intra-op, {s['interop_threads']} inter-op, in every worker but the "
        "1-thread tips |",
        f"| wait policy, every worker of both frameworks | {env} |",
        f"| malloc, every worker of both frameworks | {malloc} |",
        f"| idle workers | {s['idle_workers']} |",
        f"| blocks | ~{s['block_s'] * 1e3:.0f} ms each, one at a time, the step count calibrated once per row "
        "with every other worker stopped (an A/A twin takes its configuration's) |",
        f"| rounds | at least {s['min_rounds_per_process']} per group and process, until the interval's "
        f"half-width is at most {s['target_half_width']:.0%} or the group's share of the run is spent |",
        f"| processes | every worker started {s['process_rounds']} times in the run |",
        f"| bootstrap | {s['bootstrap']['reps']} resamples ({s['bootstrap']['resampled']}), NumPy generator "
        f"seed {s['bootstrap']['seed']}; tie margin +-{s['tie_margin']:.0%} |",
        f"| device | {res['device']}; TF32 {s['tf32']} |",
        f"| torch.compile backend | {s['torch_compile_backend']} |",
        f"| run | {res['date']}, harness {res['harness_version']}, {res['total_s'] / 60:.1f} min "
        f"(start-ups {sum(p['startup_s'] for p in res['phases']):.0f} s, measuring "
        f"{sum(p['measure_s'] for p in res['phases']):.0f} s)"
        + (", quick mode (not for comparison)" if res["quick"] else "")
        + " |",
    ]
    return "\n".join(lines)


def probe_gflops(res: dict) -> list[tuple[float, int, float]]:
    """(seconds into the run, process round, probe GFLOP/s) for every round of every group."""
    rows = rows_by_id(res)
    out = []
    for g in res["groups"]:
        flops = rows[g["probe"]]["flops"]
        for p, proc in enumerate(g["processes"]):
            out += [(rnd["t"], p, flops / rnd[g["probe"]] / 1e9) for rnd in proc]
    return sorted(out)


def controls_region(res: dict) -> str:
    out = [
        "| A/A control | rows | ratio, 95% interval | contains 1.0 | rounds (processes) |",
        "|---|---|---:|---|---:|",
    ]
    for c in by_name(res, "aa_torch") + by_name(res, "aa_tf"):
        fw = "PyTorch" if c["name"] == "aa_torch" else "TensorFlow"
        out.append(
            f"| {fw} against {fw}, {mode_of(c['b'])} | {label(c)} | {interval(c)} | "
            f"{'yes' if c['lo'] <= 1 <= c['hi'] else '**no**'} | {c['rounds']} ({c['processes']}) |"
        )
    probe = probe_gflops(res)
    if probe:
        rates = sorted(x[2] for x in probe)
        n = next(r["batch"] for r in res["rows"] if r["model"] == "probe")
        out += [
            "",
            f"The probe, a NumPy fp32 GEMM with n = {n} timed in every round: median {rates[len(rates) // 2]:.1f} "
            f"GFLOP/s, its slowest round {rates[0]:.1f} and fastest {rates[-1]:.1f} "
            f"({rates[-1] / rates[0] - 1:.0%} apart) over {len(rates)} rounds.",
        ]
    faulting = [r for r in res["rows"] if r["page_faults_per_step"]["median"] >= 1]
    worst = max(res["rows"], key=lambda r: r["page_faults_per_step"]["max"])
    out += [
        "",
        f"Minor page faults per step, counted in every timed block: {len(faulting)} of {len(res['rows'])} rows "
        "fault once a step or more in a typical block"
        + (" (" + ", ".join(f"`{r['id']}`" for r in faulting) + ")" if faulting else "")
        + f"; the most in any one block is {worst['page_faults_per_step']['max']:,.0f} a step (`{worst['id']}`).",
    ]
    short = [c for c in res["comparisons"] if not c["converged"]]
    out += [
        "",
        f"{len(res['comparisons']) - len(short)} of {len(res['comparisons'])} ratios reached a half-width of "
        f"{res['settings']['target_half_width']:.0%} or less."
        + (
            " These did not, and their intervals are wider: "
            + ", ".join(f"`{c['id']}` ({c['half_width']:.1%})" for c in short)
            + "."
            if short
            else ""
        ),
    ]
    return "\n".join(out)


def g0_region(res: dict) -> str:
    m = res["machine"]
    rows = rows_by_id(res)
    fma = m["fma_peak"]["all_threads_gflops"]
    gemm = sorted(
        (r for r in res["rows"] if r["task"] == "matmul" and r["model"] != "probe"),
        key=lambda r: (r["batch"], r["variant"], ["numpy", "torch", "tf"].index(r["framework"])),
    )
    groups = {g["name"]: g for g in res["groups"]}
    # On a GPU run the frameworks' rows are fractions of the GPU's fastest measured GEMM; NumPy's
    # (on the CPU) stay fractions of the CPU's FMA peak.
    gpu_peak = (res.get("device_gemm_peak") or {}).get("gflops")
    peak_name = "of the measured peak (GPU rows: the GPU's fastest GEMM)" if gpu_peak else "of the measured FMA peak"
    out = [
        f"| n | dtype | library | GFLOP/s | {peak_name} | of the computed peak | x the probe's GFLOP/s |"
        + (" GPU allocator peak, MiB |" if gpu_peak else ""),
        "|---:|---|---|---:|---:|---:|---:|" + ("---:|" if gpu_peak else ""),
    ]
    for r in gemm:
        g = groups[f"{r['model']}/matmul/b{r['batch']}"]
        probe_flops = rows[g["probe"]]["flops"]
        logs = [math.log((r["flops"] / rnd[r["id"]]) / (probe_flops / rnd[g["probe"]])) for p in g["processes"]
                for rnd in p]  # fmt: skip
        rel = math.exp(sum(logs) / len(logs))
        computed = r["gflops"] / m["computed_peak_gflops"] if m["computed_peak_gflops"] else None
        dtype = "bf16" if r["variant"] == "bf16" else "fp32"
        # bf16 runs on avx512_bf16 or AMX units, which an fp32 FMA peak does not bound
        of_fma, of_computed = ("n/a", "n/a") if dtype == "bf16" else (pct(r["gflops"] / fma), pct(computed))
        if gpu_peak and r["framework"] != "numpy":
            of_fma, of_computed = pct(r["gflops"] / gpu_peak), "n/a"
        out.append(
            f"| {r['batch']} | {dtype} | {FRAMEWORK[r['framework']]} | {r['gflops']:.1f} | {of_fma} | "
            f"{of_computed} | {rel:.2f} |" + (f" {mib(r.get('device_peak_mib'))} |" if gpu_peak else "")
        )
    out += ["", "| ratio of times | n | ratio, 95% interval | verdict |", "|---|---:|---:|---|"]
    names = {
        "torch_vs_tf_default": "PyTorch / TensorFlow, fp32",
        "torch_vs_tf_bf16": "PyTorch / TensorFlow, bf16",
        "torch_vs_numpy": "PyTorch / NumPy, fp32",
        "tf_vs_numpy": "TensorFlow / NumPy, fp32",
        "torch_bf16_vs_fp32": "PyTorch bf16 / PyTorch fp32",
    }
    for c in sorted((c for c in res["comparisons"] if c["kind"] == "gemm"), key=lambda c: (c["batch"], c["name"])):
        out.append(f"| {names[c['name']]} | {c['batch']} | {interval(c)} | {verdict_of(c)} |")
    if not res["settings"]["bf16_gemm"]:
        out += ["", "No bf16 GEMM rows: the CPU of this run has neither `avx512_bf16` nor `amx_bf16`."]
    else:
        out += ["", "The bf16 rows run on `avx512_bf16` or AMX units, which the fp32 FMA kernel does not "
                "measure: they are not given as a fraction of an fp32 peak."]  # fmt: skip
    return "\n".join(out)


def group_region(res: dict, group: str) -> str:
    cells = {}
    for r in res["rows"]:
        if r["variant"] == "default" and r["worker"].count(":") == 1:
            cells[(r["model"], r["task"], r["batch"], r["framework"], r["mode"])] = r
    comps = {(c["model"], c["task"], c["batch"], c["name"]): c for c in res["comparisons"]}
    keys = [c for c in headline(res) if GROUP_OF.get(c["model"]) == group]
    head = " | ".join(MODE_LABEL[f"{fw}:{m}"] for fw, m in MODE_COLUMNS)
    out = [
        f"| model | step | batch | {head} | best PyTorch / best TF | torch.compile / eager | TF compiled / eager |",
        "|---|---|---:|" + "---:|" * (len(MODE_COLUMNS) + 3),
    ]
    for c in keys:
        k = (c["model"], c["task"], c["batch"])
        cols = [ms(cells[(*k, fw, m)]["geomean_s"]) if (*k, fw, m) in cells else "" for fw, m in MODE_COLUMNS]
        ratios = []
        for name in ("best", "torch_compiled_vs_eager", "tf_compiled_vs_eager"):
            x = comps.get((*k, name))
            ratios.append("" if x is None else interval(x))
        out.append(f"| {k[0]} | {k[1]} | {k[2]} | {' | '.join(cols)} | {' | '.join(ratios)} |")
    return "\n".join(out)


def first_call_region(res: dict) -> str:
    rows = [r for r in res["rows"] if r["variant"] == "default" and r["worker"].count(":") == 1
            and r["task"] == "train" and r["model"] in GROUP_OF]  # fmt: skip
    models = list(GROUP_OF)
    modes = [f"{fw}:{m}" for fw, m in MODE_COLUMNS]
    rows.sort(key=lambda r: (models.index(r["model"]), modes.index(r["worker"])))
    gpu = res["device"] == "cuda"  # a GPU run adds each row's allocator peak on the device
    out = [
        "| model | mode | first call, s | later processes' first calls, s | steady step, ms | peak RSS growth, MiB |"
        + (" GPU allocator peak, MiB |" if gpu else ""),
        "|---|---|---:|---:|---:|---:|" + ("---:|" if gpu else ""),
    ]
    for r in rows:
        rss = "n/a" if r["rss_growth_mib"] is None else f"{r['rss_growth_mib']:.0f}"
        later = ", ".join(f"{x:.2f}" for x in r["first_call_later_s"]) or "n/a"
        out.append(
            f"| {r['model']} | {MODE_LABEL[r['worker']]} | {r['first_call_s']:.2f} | {later} | "
            f"{ms(r['geomean_s'])} | {rss} |" + (f" {mib(r.get('device_peak_mib'))} |" if gpu else "")
        )
    return "\n".join(out)


def mib(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def api_region(res: dict) -> str:
    keras = [r for r in res["rows"] if r["variant"] in ("fit_jit_auto", "fit_jit_false", "loop")]
    keras.sort(key=lambda r: ("fit_jit_auto", "fit_jit_false", "loop").index(r["variant"]))
    names = {
        "fit_jit_auto": "Keras fit, jit_compile auto",
        "fit_jit_false": "Keras fit, jit_compile False",
        "loop": "hand-written loop, tf.function step",
    }
    batch = keras[0]["batch"] if keras else 0
    out = [f"| how mlp_small is trained (batch {batch}) | ms per step | first call, s |", "|---|---:|---:|"]
    out += [f"| {names[r['variant']]} | {ms(r['geomean_s'])} | {r['first_call_s']:.2f} |" for r in keras]
    return "\n".join(out)


def tips(res: dict) -> list[tuple[str, dict]]:
    out = []
    for name, text in TIPS.items():
        for c in sorted(by_name(res, name), key=workload_order):
            if name == "torch_compiled_vs_eager" and c["task"] != "train":
                continue
            out.append((text.format(threads=res["settings"]["threads"]), c))
    return out


def cookbook_region(res: dict) -> str:
    out = ["| tip | row | speed-up (before / after), 95% interval | verdict |", "|---|---|---:|---|"]
    for tip, c in tips(res):
        v = pairs.verdict(c["lo"], c["hi"])
        word = {"A faster": "helps", "B faster": "hurts"}.get(v, v)
        out.append(f"| {tip} | {label(c)} | {1 / c['ratio']:.2f} [{1 / c['hi']:.2f}, {1 / c['lo']:.2f}] | {word} |")
    return "\n".join(out)


def claims_region(ms: list[dict]) -> str:
    lines = []
    for m in ms:
        s = speed_counts(m)
        lines.append(f"- {m['name']}, training steps: {tally(s['train'])}.")
        lines.append(f"- {m['name']}, inference calls: {tally(s['infer'])}.")
    return "\n".join([*lines, f"- {evidence.rule()}"])


comparable = evidence.comparable


def held_ratios(res: dict) -> dict[str, dict]:
    """The ratios held to the repeatability bar: every headline ratio."""
    return {c["id"]: c for c in res["comparisons"] if c["kind"] == "headline"}


def repeat_region(res: dict, previous: dict | None) -> str:
    if previous is None:
        return "No earlier run of this machine is committed to compare with: run `make bench` twice.\n\n" + (
            bench_provenance(res)
        )
    why = comparable(previous, res)
    if why:
        return f"The committed earlier run ({previous['date']}) cannot be compared with this one: {why}."
    now, before = held_ratios(res), held_ratios(previous)
    both = [k for k in now if k in before]
    diffs = {k: now[k]["ratio"] / before[k]["ratio"] - 1 for k in both}
    beyond = [k for k in both if abs(diffs[k]) > REPEAT_TOLERANCE]
    sizes = sorted(abs(d) for d in diffs.values())
    aa_now = by_name(res, "aa_torch") + by_name(res, "aa_tf")
    aa_before = by_name(previous, "aa_torch") + by_name(previous, "aa_tf")
    aa_held = sum(c["lo"] <= 1 <= c["hi"] for c in aa_now + aa_before)
    lines = [
        f"Earlier run: {previous['date']}; this run: {res['date']}; the same harness, machine and versions.",
        "",
        bench_provenance(res),
        "",
        "| | |",
        "|---|---|",
        f"| headline ratios in both runs | {len(both)} |",
        f"| within {REPEAT_TOLERANCE:.0%} of each other | {len(both) - len(beyond)} |",
        f"| median difference | {sizes[len(sizes) // 2]:.1%} |" if sizes else "| median difference | n/a |",
        f"| largest difference | {sizes[-1]:.1%} |" if sizes else "| largest difference | n/a |",
        f"| A/A intervals containing 1.0, both runs | {aa_held} of {len(aa_now + aa_before)} |",
        f"| only in one run | {len(set(now) ^ set(before))} |",
        "",
        "| ratio | earlier run, 95% interval | this run, 95% interval | difference |",
        "|---|---:|---:|---:|",
    ]
    for k in sorted(both, key=lambda k: (workload_order(now[k]), now[k]["name"])):
        lines.append(f"| `{k}` | {interval(before[k])} | {interval(now[k])} | {diffs[k]:+.1%} |")
    for c in aa_now:
        old = next((x for x in aa_before if x["id"] == c["id"]), None)
        lines.append(f"| `{c['id']}` (A/A) | {interval(old) if old else 'n/a'} | {interval(c)} | |")
    return "\n".join(lines)


def closing_region(res: dict, previous: dict | None) -> str:
    """Both runs in a few lines: their held ratios' agreement, their A/A controls, the CPU's flags."""
    lines = []
    runs = [("this run", res)] + ([("the earlier run", previous)] if previous else [])
    for name, r in runs:
        aa = by_name(r, "aa_torch") + by_name(r, "aa_tf")
        lines.append(
            f"- {name.capitalize()} ({r['date']}, {r['total_s'] / 60:.1f} min): "
            + "; ".join(f"{label(c)} {interval(c)}" for c in headline(r))
            + ". A/A: "
            + "; ".join(f"{c['name']} {interval(c)}" for c in aa)
            + "."
        )
    if previous and not comparable(previous, res):
        now, before = held_ratios(res), held_ratios(previous)
        both = [k for k in now if k in before]
        diffs = [abs(now[k]["ratio"] / before[k]["ratio"] - 1) for k in both]
        worst = max(diffs, default=0.0)
        lines.append(
            f"- Of the {len(both)} headline ratios (best PyTorch / best TensorFlow, and each framework's compiled "
            f"/ eager) in both runs, {sum(d <= REPEAT_TOLERANCE for d in diffs)} "
            f"agree within {REPEAT_TOLERANCE:.0%}; the largest difference is {worst:.1%}."
        )
    flags = res["machine"].get("cpu_flags", [])
    lines.append(f"- CPU flags (`/proc/cpuinfo`, {res['machine']['cpu_model']}): " + (" ".join(flags) or "none") + ".")
    return "\n".join([*lines, "", bench_provenance(res)])


def regions(runs: list[dict]) -> dict[str, str]:
    """Every region of the page, from every committed run: the newest machine's newest run for
    the details, each machine's last two runs for the verdicts."""
    ms = evidence.machines(runs)
    if not ms:
        raise ValueError("no full benchmark run is committed: run `make bench` twice")
    res, previous = ms[0]["newest"], ms[0]["earlier"]
    out = {
        "bench-answer": answer_region(ms),
        "bench-conclusion": conclusion_region(ms),
        "bench-repeat": repeat_region(res, previous),
        "bench-machine": with_provenance(machine_region(res), res),
        "bench-controls": with_provenance(controls_region(res), res),
        "bench-g0": with_provenance(g0_region(res), res),
        "bench-first-call": with_provenance(first_call_region(res), res),
        "bench-api": with_provenance(api_region(res), res),
        "bench-cookbook": with_provenance(cookbook_region(res), res),
        "bench-claims": claims_region(ms) + "\n\n" + "\n\n".join(runs_provenance(m) for m in ms),
        "bench-closing": closing_region(res, previous),
    }
    for group in GROUP_TITLES:
        out[f"bench-{group.lower()}"] = with_provenance(group_region(res, group), res)
    return out


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def _ratio_chart(plt, items: list[tuple[str, float, float, float, str]], xlabel: str, title: str, res: dict, width=6.4):
    """Points with 95% intervals on a log axis, the +-5% tie band shaded."""
    fig, ax = plt.subplots(figsize=(width, 0.32 * len(items) + 1.3))
    colors = {"PyTorch faster": "tab:red", "TensorFlow faster": "tab:orange", "tie": "tab:grey",
              "undecided": "tab:purple", "helps": "tab:green", "hurts": "tab:red"}  # fmt: skip
    ax.axvspan(1 - pairs.TIE_MARGIN, 1 + pairs.TIE_MARGIN, color="0.9", label="+-5%: a tie")
    ax.axvline(1.0, color="black", linewidth=0.8)
    for i, (_, ratio, lo, hi, verdict) in enumerate(items):
        ax.errorbar([ratio], [i], xerr=[[ratio - lo], [hi - ratio]], fmt="o", markersize=4, capsize=2,
                    color=colors.get(verdict, "tab:blue"))  # fmt: skip
    ax.set_yticks(range(len(items)), [f"{name}: {verdict}" for name, *_, verdict in items], fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    from matplotlib.ticker import NullFormatter

    lows, highs = [x[2] for x in items] or [1.0], [x[3] for x in items] or [1.0]
    ticks = [t for t in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)
             if min(lows) / 1.5 <= t <= max(highs) * 1.5 or t == 1]  # fmt: skip
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(xlabel.replace("; ", ";\n"))  # two lines: one was cut off at the right edge
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    stamp = _stamp(fig, res)
    _refuse_cut_text(fig, [ax.xaxis.label, ax.title, stamp, *ax.get_yticklabels(), *ax.get_xticklabels()])
    return fig


def _stamp(fig, res: dict):
    """The run's provenance under the chart: a chart is copied without the page around it."""
    v = res["versions"]
    text = (f"{evidence.machine_name(res)}, {res['date']}; PyTorch {v['torch']}, TensorFlow {v['tensorflow']}, "
            f"Keras {v['keras']}")  # fmt: skip
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig.text(0.01, 0.01, f"Measured on {text}", fontsize=6, ha="left", va="bottom", color="0.3")


def _refuse_cut_text(fig, texts) -> None:
    """An SVG crops at the figure's edge: a label that reaches past it would be shown cut."""
    fig.canvas.draw()
    box = fig.bbox
    for text in texts:
        ext = text.get_window_extent()
        if text.get_text() and (ext.x0 < box.x0 - 0.5 or ext.x1 > box.x1 + 0.5 or ext.y0 < box.y0 - 0.5):
            raise ValueError(f"chart text cut off at the figure's edge: {text.get_text()!r}")


def charts(res: dict) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "bench", "svg.fonttype": "none", "font.size": 9})
    out = {}
    items = [(label(c), c["ratio"], c["lo"], c["hi"], verdict_of(c)) for c in headline(res)]
    fig = _ratio_chart(plt, items, "best PyTorch time / best TensorFlow time; left of 1: PyTorch faster; log scale",
                       "Which framework is faster, per workload, with 95% intervals", res)  # fmt: skip
    out["headline.svg"] = _svg(fig)
    plt.close(fig)

    items = []
    for tip, c in tips(res):
        v = pairs.verdict(c["lo"], c["hi"])
        word = {"A faster": "helps", "B faster": "hurts"}.get(v, v)
        items.append((f"{tip}, {label(c)}", 1 / c["ratio"], 1 / c["hi"], 1 / c["lo"], word))
    fig = _ratio_chart(plt, items, "speed-up, before / after (right of 1: the tip helps); log scale",
                       "Tuning tips, with 95% intervals", res, width=8.0)  # fmt: skip
    out["cookbook.svg"] = _svg(fig)
    plt.close(fig)

    probe = probe_gflops(res)
    fig, ax = plt.subplots(figsize=(6.4, 2.8))
    for p in sorted({x[1] for x in probe}):
        pts = [x for x in probe if x[1] == p]
        ax.plot([x[0] for x in pts], [x[2] for x in pts], ".", markersize=3, label=f"process round {p + 1}")
    ax.set_xlabel("seconds into the run")
    ax.set_ylabel("probe GFLOP/s")
    ax.set_title("The probe (one fixed NumPy GEMM) in every round: the machine's drift", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    _refuse_cut_text(fig, [_stamp(fig, res)])
    out["probe.svg"] = _svg(fig)
    plt.close(fig)

    m = res["machine"]
    gemm = [r for r in res["rows"] if r["task"] == "matmul" and r["model"] != "probe"]
    sizes = sorted({r["batch"] for r in gemm})
    libs = [("numpy", "default"), ("torch", "default"), ("tf", "default"), ("torch", "bf16"), ("tf", "bf16")]
    libs = [lib for lib in libs if any((r["framework"], r["variant"]) == lib for r in gemm)]
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    width = 0.8 / max(len(libs), 1)
    for i, (fw, variant) in enumerate(libs):
        ys = [next(r["gflops"] for r in gemm if (r["framework"], r["variant"], r["batch"]) == (fw, variant, n))
              for n in sizes]  # fmt: skip
        ax.bar([j + i * width for j in range(len(sizes))], ys, width,
               label=FRAMEWORK[fw] + (" bf16" if variant == "bf16" else " fp32"))  # fmt: skip
    ax.axhline(m["fma_peak"]["all_threads_gflops"], color="black", linestyle="--", linewidth=1,
               label="measured fp32 FMA peak")  # fmt: skip
    if m["computed_peak_gflops"]:
        ax.axhline(m["computed_peak_gflops"], color="grey", linestyle=":", linewidth=1, label="computed fp32 peak")
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(sizes))], [f"n = {n}" for n in sizes])
    ax.set_ylabel("GFLOP/s (geometric mean)")
    ax.set_title("G0: square matrix multiply")
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    _refuse_cut_text(fig, [_stamp(fig, res)])
    out["g0.svg"] = _svg(fig)
    plt.close(fig)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=Path, default=RUNS, help="a folder of results files, every machine's runs")
    parser.add_argument("--page", type=Path, default=PAGE)
    parser.add_argument("--assets", type=Path, default=ASSETS)
    args = parser.parse_args(argv)
    runs = evidence.load(args.runs)
    page_sections.write(args.page, regions(runs))
    args.assets.mkdir(parents=True, exist_ok=True)
    for name, svg in charts(evidence.machines(runs)[0]["newest"]).items():
        (args.assets / name).write_text(svg, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
