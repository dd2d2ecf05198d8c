"""How much this machine's speed wanders on its own: `python -m fieldguide measure noise [--windows 10] [--seconds 3]`.

Times one fixed NumPy GEMM (n = 1024, fp32) back to back, in windows of a few seconds, and prints
each window's median GFLOP/s and the spread between windows. Nothing changes between windows but
the machine, so the spread is the floor under any run-to-run comparison of the harness: if two
windows of the same loop differ by 10%, two benchmark runs cannot be expected to agree to 5%.
Set the thread count before NumPy loads (OPENBLAS_NUM_THREADS), as the harness does.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def windows(n: int, count: int, seconds: float) -> list[float]:
    import numpy as np

    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    for _ in range(3):
        a @ b
    out = []
    for _ in range(count):
        rates, end = [], time.perf_counter() + seconds
        while time.perf_counter() < end:
            start = time.perf_counter()
            a @ b
            rates.append(2.0 * n**3 / (time.perf_counter() - start) / 1e9)
        out.append(statistics.median(rates))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--n", type=int, default=1024)
    args = parser.parse_args(argv)
    if "numpy" in sys.modules:
        parser.error("numpy is already loaded: the thread count would not take effect")
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    medians = windows(args.n, args.windows, args.seconds)
    print(f"GEMM n={args.n}, {args.threads} threads, {args.windows} windows of {args.seconds:g} s")
    print("window medians, GFLOP/s: " + " ".join(f"{m:.1f}" for m in medians))
    spread = max(medians) / min(medians) - 1
    print(f"slowest to fastest window: {spread:.1%}; median of windows {statistics.median(medians):.1f} GFLOP/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
