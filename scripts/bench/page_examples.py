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
