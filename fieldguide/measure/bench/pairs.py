"""Paired ratios, their bootstrap intervals and the verdicts read from them.

Two rows measured in the same round (blocks seconds apart, order shuffled) share the machine's
noise of that moment; the log of their time ratio cancels it. A run holds several worker
processes per row ("process rounds"), and a process can land in a slow or fast stretch of its
own, so the interval resamples processes first, then rounds within each chosen process.
"""

from __future__ import annotations

# --8<-- [start:pairs]
import math

import numpy as np

SEED = 17  # the bootstrap's seed: the same data always give the same interval
REPS = 4000
TIE_MARGIN = 0.05  # a tie: the whole interval within +-5% of parity
TARGET_HALF_WIDTH = 0.02  # rounds are added to a row until its interval is this tight


def log_ratios(rounds: list[dict], a: str, b: str) -> list[float]:
    """log(t_a / t_b) for every round that timed both rows."""
    return [math.log(r[a] / r[b]) for r in rounds if a in r and b in r]


def geo_mean(logs: list[list[float]]) -> float:
    """The geometric-mean ratio over every round of every process."""
    flat = [x for p in logs for x in p]
    return math.exp(sum(flat) / len(flat))


def bootstrap(logs: list[list[float]], reps=REPS, seed=SEED) -> tuple[float, float]:
    """95% percentile interval of the geometric-mean ratio: resample processes,
    then rounds within each. With a single process only its rounds are resampled."""
    groups = [np.asarray(p, dtype=float) for p in logs if len(p)]
    if not groups:
        raise ValueError("no rounds to resample")
    rng = np.random.default_rng(seed)
    k = len(groups)
    one = np.zeros((reps, 1), dtype=int)
    chosen = rng.integers(0, k, size=(reps, k)) if k > 1 else one
    sizes = np.array([len(g) for g in groups], dtype=float)
    # For every (replicate, slot) a fresh resample of that slot's process: a process
    # drawn twice in one replicate gets two independent resamples of its rounds.
    sums = np.zeros((reps, k))
    for p, g in enumerate(groups):
        draws = g[rng.integers(0, len(g), size=(reps, k, len(g)))].sum(axis=2)
        sums += np.where(chosen == p, draws, 0.0)
    stat = sums.sum(axis=1) / sizes[chosen].sum(axis=1)
    lo, hi = np.percentile(stat, [2.5, 97.5])
    return math.exp(lo), math.exp(hi)


def half_width(lo: float, hi: float) -> float:
    """Half the interval's width as a fraction, on the log scale: sqrt(hi / lo) - 1."""
    return math.sqrt(hi / lo) - 1


def verdict(lo: float, hi: float, margin: float = TIE_MARGIN) -> str:
    """For a ratio t_A / t_B: "tie" when the whole interval lies within +-margin
    of 1, else "A faster" (all below 1), "B faster" (all above 1), or "undecided"
    (it straddles 1 and reaches past the margin)."""
    if 1 - margin <= lo and hi <= 1 + margin:
        return "tie"
    if hi < 1:
        return "A faster"
    if lo > 1:
        return "B faster"
    return "undecided"


# the margin's own ends count as inside it
assert verdict(0.95, 1.05) == "tie"
assert verdict(0.9499, 1.0) == "undecided"
# --8<-- [end:pairs]


def summarize(logs_by_process: list[list[float]], reps: int = REPS, seed: int = SEED) -> dict:
    """Ratio, interval, half-width and counts: what a comparison in the results file holds."""
    lo, hi = bootstrap(logs_by_process, reps, seed)
    hw = half_width(lo, hi)
    return {
        "ratio": geo_mean(logs_by_process),
        "lo": lo,
        "hi": hi,
        "half_width": hw,
        "converged": hw <= TARGET_HALF_WIDTH,
        "rounds": sum(len(p) for p in logs_by_process),
        "processes": sum(1 for p in logs_by_process if p),
    }
