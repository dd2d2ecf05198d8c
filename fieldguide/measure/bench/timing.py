"""Blocked timing, robust summaries and resident-memory readings, shared by every worker.

Only the standard library: the same code times NumPy, PyTorch and TensorFlow.
"""

from __future__ import annotations

# --8<-- [start:blocked]
import statistics
import time


def iterations_for(fn, sync, target_s: float) -> int:
    """How many calls make one sample last about `target_s`.

    At that length the timer's resolution and the call's overhead stay negligible.
    """
    start = time.perf_counter()
    fn()
    sync()
    one = max(time.perf_counter() - start, 1e-7)
    return max(1, round(target_s / one))


def blocked_samples(fn, sync, iterations: int, samples: int) -> list[float]:
    """Seconds per call: each sample times `iterations` calls back to back, divided."""
    out = []
    for _ in range(samples):
        start = time.perf_counter()
        for _ in range(iterations):
            fn()
        sync()  # queued device work must finish before the clock is read
        out.append((time.perf_counter() - start) / iterations)
    return out


def summarize(samples: list[float]) -> dict:
    """Median and interquartile range: one slow sample (a context switch) moves
    neither."""
    ordered = sorted(samples)
    q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    return {
        "median": statistics.median(ordered),
        "q1": q1,
        "q3": q3,
        "iqr": q3 - q1,
        "min": ordered[0],
        "max": ordered[-1],
    }


# one sample 25 times slower (a context switch) moves neither the median nor the
# quartiles much
assert summarize([1.0, 2.0, 3.0, 4.0, 100.0]) == {
    "median": 3.0,
    "q1": 2.0,
    "q3": 4.0,
    "iqr": 2.0,
    "min": 1.0,
    "max": 100.0,
}
# --8<-- [end:blocked]

from pathlib import Path


def _status_kib(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0: write 5 to clear_refs); False where that is refused."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def rss_mib() -> float | None:
    kib = _status_kib("VmRSS")
    return None if kib is None else kib / 1024


def peak_rss_mib() -> float | None:
    kib = _status_kib("VmHWM")
    if kib is None:  # not Linux: ru_maxrss is the same high-water mark, in KiB on Linux, bytes on macOS
        import resource
        import sys

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
    return kib / 1024
