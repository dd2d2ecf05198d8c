"""What a results file must hold; `validate` names the first thing missing or wrong."""

from __future__ import annotations

import math

from bench.task import samples_for

# Every (framework, group, mode) a run must cover, cookbook configurations aside.
REQUIRED = (
    [("numpy", "G0", "eager"), ("torch", "G0", "eager"), ("tf", "G0", "eager")]
    + [("torch", g, m) for g in ("M1", "C1", "T1", "L1") for m in ("eager", "compile")]
    + [("tf", g, m) for g in ("M1", "C1", "T1", "L1") for m in ("eager", "function", "xla")]
    + [("tf", "API", m) for m in ("fit_jit_auto", "fit_jit_false", "loop")]
)
TOP_KEYS = ("harness_version", "date", "quick", "device", "machine", "versions", "settings", "plan", "rows")
ROW_KEYS = ("id", "config", "framework", "group", "mode", "threads", "model", "task", "batch", "variant")
STAT_KEYS = ("median", "q1", "q3", "iqr", "min", "max", "first_call_s")


def validate(results: dict) -> None:
    """Raise ValueError naming what is wrong with `results`."""
    missing = [k for k in TOP_KEYS if k not in results]
    if missing:
        raise ValueError(f"results lack {missing}")
    rows = results["rows"]
    settings = results["settings"]
    fewest = settings["rounds"] * min(settings["samples"], settings.get("samples_other", settings["samples"]))
    if not results["quick"] and fewest < 5:
        raise ValueError(f"a full run needs at least 5 samples per row, settings give {fewest}")
    covered = {(r["framework"], r["group"], r["mode"]) for r in rows}
    absent = [" ".join(c) for c in REQUIRED if c not in covered]
    if absent:
        raise ValueError(f"no rows for: {', '.join(absent)}")
    by_config = {r["config"] for r in rows}
    empty = [c["name"] for c in results["plan"] if c["name"] not in by_config]
    if empty:
        raise ValueError(f"configurations without rows: {empty}")
    ids = [r["id"] for r in rows]
    if len(ids) != len(set(ids)):
        raise ValueError("row ids are not unique")
    for row in rows:
        where = f"row {row.get('id', '?')}"
        for key in ROW_KEYS + STAT_KEYS:
            if key not in row:
                raise ValueError(f"{where}: no {key!r}")
        want = settings["rounds"] * samples_for(row["group"], settings)
        if len(row["samples_s"]) != want:
            raise ValueError(f"{where}: {len(row['samples_s'])} samples, settings give {want}")
        values = [row[k] for k in STAT_KEYS if k != "iqr"] + row["samples_s"]
        if not all(isinstance(v, (int, float)) and math.isfinite(v) and v > 0 for v in values):
            raise ValueError(f"{where}: times must be positive finite numbers")
        if not (row["min"] <= row["q1"] <= row["median"] <= row["q3"] <= row["max"]):
            raise ValueError(f"{where}: quartiles out of order")
        if not 0 <= row["iqr"] <= row["max"] - row["min"] + 1e-12:
            raise ValueError(f"{where}: IQR {row['iqr']} is outside [0, range]")
        if row["group"] == "G0" and not (row.get("gflops", 0) > 0):
            raise ValueError(f"{where}: G0 rows need a positive gflops")
