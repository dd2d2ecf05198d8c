"""The Python blocks of docs/performance.md that are not harness code: run from the repository root.

The page shows fieldguide/measure/bench/timing.py's functions in the block before these; here they are imported.
"""

from __future__ import annotations

# ruff: noqa: I001  (the section below must start with its own imports for the page)

import math

from fieldguide.measure.bench.pairs import bootstrap, geo_mean, half_width, verdict
from fieldguide.measure.bench.timing import blocked_samples, iterations_for, summarize

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

# --8<-- [start:pairs-demo]
# Three processes of 20 rounds each, where A takes 1.25 times as long as B, with 3%
# noise per round and a process-level offset of up to 1%: the interval finds the
# ratio, away from parity.
rng = np.random.default_rng(1)
offsets = (-0.01, 0.0, 0.01)
logs = [list(math.log(1.25) + off + rng.normal(0, 0.03, 20)) for off in offsets]
lo, hi = bootstrap(logs)
ratio = geo_mean(logs)
print(f"{ratio:.2f}", lo < 1.25 < hi, half_width(lo, hi) < 0.05, verdict(lo, hi))
#> 1.25 True True B faster
print(verdict(0.96, 1.04), verdict(1.01, 1.04), verdict(0.97, 1.06))
#> tie tie undecided
print(verdict(0.80, 0.90), verdict(1.10, 1.20))
#> A faster B faster
# --8<-- [end:pairs-demo]
