"""Compare two results files row by row: `python scripts/bench/compare.py A.json B.json [--tolerance 0.05]`.

Prints each row's median in both runs and the relative difference; exits 1 when any G0 or M1 row
present in both differs by more than the tolerance (the repeatability bar for committed results),
or when the two runs do not hold the same G0 and M1 rows.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent.parent
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))

from bench.task import HELD_GROUPS as GATED_GROUPS

TOLERANCE = 0.05  # the repeatability bar for committed results


def differences(a: dict, b: dict) -> list[tuple[str, float, float, float]]:
    rows_b = {r["id"]: r for r in b["rows"]}
    out = []
    for row in a["rows"]:
        other = rows_b.get(row["id"])
        if other is not None:
            out.append((row["id"], row["median"], other["median"], other["median"] / row["median"] - 1))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--tolerance", type=float, default=TOLERANCE)
    args = parser.parse_args(argv)
    a, b = (json.loads(p.read_text(encoding="utf-8")) for p in (args.a, args.b))
    group = {r["id"]: r["group"] for r in a["rows"] + b["rows"]}
    gated_a = {r["id"] for r in a["rows"] if r["group"] in GATED_GROUPS}
    gated_b = {r["id"] for r in b["rows"] if r["group"] in GATED_GROUPS}
    failures = [f"{rid}: only in {'A' if rid in gated_a else 'B'}" for rid in sorted(gated_a ^ gated_b)]
    print(f"{'row':70} {'A, ms':>10} {'B, ms':>10} {'B/A - 1':>8}")
    for rid, ma, mb, diff in differences(a, b):
        gated = group[rid] in GATED_GROUPS
        flag = " FAIL" if gated and abs(diff) > args.tolerance else ""
        print(f"{rid:70} {ma * 1e3:10.3f} {mb * 1e3:10.3f} {diff:+8.1%}{flag}")
        if flag:
            failures.append(f"{rid}: {diff:+.1%}")
    if failures:
        print(f"{len(failures)} G0/M1 rows beyond {args.tolerance:.0%}:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    print(f"every G0 and M1 row within {args.tolerance:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
