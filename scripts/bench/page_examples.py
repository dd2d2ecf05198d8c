"""The Python blocks of docs/performance.md that are not harness code: run from the repository root.

The page shows scripts/bench/timing.py's functions in the block before these; here they are imported.
"""

from __future__ import annotations

# ruff: noqa: I001  (the section below must start with its own imports for the page)

from bench.timing import blocked_samples, iterations_for, summarize

# --8<-- [start:tiny]
import numpy as np

rng = np.random.default_rng(0)
a = rng.standard_normal((64, 64), dtype=np.float32)


def no_sync():
    """NumPy returns when the product exists; a GPU framework would synchronise here."""


a @ a  # warm-up: the first call pays for allocation and thread start-up
n = iterations_for(lambda: a @ a, no_sync, target_s=0.002)
samples = blocked_samples(lambda: a @ a, no_sync, n, samples=5)
stats = summarize(samples)
assert stats["min"] <= stats["q1"] <= stats["median"] <= stats["q3"] <= stats["max"]
print(len(samples), n >= 1, 0 <= stats["iqr"] <= stats["max"] - stats["min"])
#> 5 True True
# --8<-- [end:tiny]

# --8<-- [start:results]
import json
from pathlib import Path

from bench.schema import validate

results = json.loads(Path("docs/data/bench.json").read_text(encoding="utf-8"))
validate(results)  # every workload and mode present, times positive, quartiles in order
g0 = [row for row in results["rows"] if row["group"] == "G0"]
assert all(row["gflops"] <= results["machine"]["measured_peak_gflops"] for row in g0 if row["variant"] == "default")
print(sorted({row["group"] for row in results["rows"]}))
#> ['API', 'C1', 'G0', 'L1', 'M1', 'T1']
print(sorted({(row["framework"], row["mode"]) for row in results["rows"] if row["group"] == "M1"}))
#> [('tf', 'eager'), ('tf', 'function'), ('tf', 'xla'), ('torch', 'compile'), ('torch', 'eager')]
# --8<-- [end:results]
