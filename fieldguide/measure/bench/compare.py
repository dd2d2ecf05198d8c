"""Compare two results files' ratios: `python -m fieldguide compare A.json B.json [--tolerance 0.05]`.

Prints every headline ratio (best PyTorch / best TensorFlow per workload, each framework's
compiled / eager) of both runs with its 95% interval and their relative difference; exits 1
when a headline ratio present in both differs by more than the tolerance, when a headline ratio
is in one run only, or when an A/A interval of either run does not contain 1.0. Absolute times
are not compared: on a shared machine they do not repeat, their ratios do.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

TOLERANCE = 0.05  # the repeatability bar for committed results


def held(results: dict) -> dict[str, dict]:
    return {c["id"]: c for c in results["comparisons"] if c["kind"] == "headline"}


def differences(a: dict, b: dict) -> list[tuple[str, dict, dict, float]]:
    ha, hb = held(a), held(b)
    return [(k, ha[k], hb[k], hb[k]["ratio"] / ha[k]["ratio"] - 1) for k in ha if k in hb]


def failures(a: dict, b: dict, tolerance: float = TOLERANCE) -> list[str]:
    ha, hb = held(a), held(b)
    out = [f"{k}: only in {'A' if k in ha else 'B'}" for k in sorted(set(ha) ^ set(hb))]
    out += [f"{k}: {d:+.1%}" for k, _, _, d in differences(a, b) if abs(d) > tolerance]
    for name, res in (("A", a), ("B", b)):
        out += [
            f"{c['id']} in {name}: [{c['lo']:.3f}, {c['hi']:.3f}] does not contain 1.0"
            for c in res["comparisons"]
            if c["kind"] == "aa" and not c["lo"] <= 1 <= c["hi"]
        ]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--tolerance", type=float, default=TOLERANCE)
    args = parser.parse_args(argv)
    a, b = (json.loads(p.read_text(encoding="utf-8")) for p in (args.a, args.b))
    print(f"{'ratio':58} {'A [95% interval]':>26} {'B [95% interval]':>26} {'B/A - 1':>8}")
    for k, ca, cb, d in differences(a, b):
        flag = " FAIL" if abs(d) > args.tolerance else ""
        print(f"{k:58} {ca['ratio']:8.3f} [{ca['lo']:.3f}, {ca['hi']:.3f}] "
              f"{cb['ratio']:8.3f} [{cb['lo']:.3f}, {cb['hi']:.3f}] {d:+8.1%}{flag}")  # fmt: skip
    bad = failures(a, b, args.tolerance)
    if bad:
        print(f"{len(bad)} problems (tolerance {args.tolerance:.0%}):\n  " + "\n  ".join(bad), file=sys.stderr)
        return 1
    print(f"every headline ratio within {args.tolerance:.0%}; every A/A interval contains 1.0")
    return 0


if __name__ == "__main__":
    sys.exit(main())
