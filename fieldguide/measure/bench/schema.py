"""What a results file must hold; `validate` names the first thing missing or wrong."""

from __future__ import annotations

import math

from fieldguide.measure.bench import pairs

# Every (framework, mode) a run must cover.
REQUIRED = [("numpy", "eager"), ("torch", "eager"), ("torch", "compile")] + [
    ("tf", m) for m in ("eager", "function", "xla")
]
TOP_KEYS = ("harness_version", "date", "quick", "device", "machine", "versions", "settings", "workers", "rows",
            "groups", "comparisons", "total_s")  # fmt: skip
ROW_KEYS = ("id", "worker", "framework", "mode", "threads", "model", "task", "batch", "variant", "group",
            "steps_per_block", "first_call_s", "geomean_s", "page_faults_per_step")  # fmt: skip
COMPARISON_KEYS = ("id", "group", "kind", "name", "a", "b", "ratio", "lo", "hi", "half_width", "converged",
                   "rounds", "processes", "verdict")  # fmt: skip


def _positive(x) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x) and x > 0


def validate(results: dict) -> None:
    """Raise ValueError naming what is wrong with `results`."""
    missing = [k for k in TOP_KEYS if k not in results]
    if missing:
        raise ValueError(f"results lack {missing}")
    rows = {r["id"]: r for r in results["rows"]}
    if len(rows) != len(results["rows"]):
        raise ValueError("row ids are not unique")
    covered = {(r["framework"], r["mode"]) for r in rows.values()}
    # A GPU run beside tensorflow-cpu has no TensorFlow rows, and says so in its settings.
    required = [c for c in REQUIRED if c[0] != "tf" or results["settings"].get("tf_rows", True)]
    absent = [" ".join(c) for c in required if c not in covered]
    if absent:
        raise ValueError(f"no rows for: {', '.join(absent)}")
    if results["device"] == "cuda":
        gpu, peak = results.get("gpu") or {}, results.get("device_gemm_peak") or {}
        lacking = [k for k in ("name", "driver", "cuda", "cudnn", "memory_gib") if not gpu.get(k)]
        if lacking:
            raise ValueError(f"a GPU run's description lacks {lacking}: {gpu}")
        if not _positive(peak.get("gflops")):
            raise ValueError("a GPU run has no measured GEMM peak on the GPU")
    for r in rows.values():
        where = f"row {r['id']}"
        for key in ROW_KEYS:
            if key not in r:
                raise ValueError(f"{where}: no {key!r}")
        if not (_positive(r["geomean_s"]) and _positive(r["first_call_s"])):
            raise ValueError(f"{where}: times must be positive finite numbers")
        if r["task"] == "matmul" and not _positive(r.get("gflops")):
            raise ValueError(f"{where}: GEMM rows need a positive gflops")
    rounds = results["settings"]["process_rounds"]
    for g in results["groups"]:
        if len(g["processes"]) != rounds:
            raise ValueError(f"group {g['name']}: {len(g['processes'])} processes, settings give {rounds}")
        for proc in g["processes"]:
            if len(proc) < results["settings"]["min_rounds_per_process"]:
                raise ValueError(f"group {g['name']}: a process with {len(proc)} rounds")
            for rnd in proc:
                if set(rnd) != {*g["rows"], g["probe"], "t"}:
                    raise ValueError(f"group {g['name']}: a round without every row and the probe")
                if not all(_positive(v) for k, v in rnd.items() if k != "t"):
                    raise ValueError(f"group {g['name']}: times must be positive finite numbers")
    names = {g["name"] for g in results["groups"]}
    for c in results["comparisons"]:
        where = f"comparison {c.get('id', '?')}"
        for key in COMPARISON_KEYS:
            if key not in c:
                raise ValueError(f"{where}: no {key!r}")
        if c["group"] not in names or c["a"] not in rows or c["b"] not in rows:
            raise ValueError(f"{where}: names a group or row the results do not hold")
        if not (0 < c["lo"] <= c["ratio"] <= c["hi"]):
            raise ValueError(f"{where}: the ratio {c['ratio']} lies outside its interval [{c['lo']}, {c['hi']}]")
        if c["verdict"] != pairs.verdict(c["lo"], c["hi"]):
            raise ValueError(f"{where}: verdict {c['verdict']!r} does not follow from its interval")
    kinds = {c["kind"] for c in results["comparisons"]}
    for kind in ("headline", "aa", "gemm"):
        if kind not in kinds:
            raise ValueError(f"no {kind} comparisons")
