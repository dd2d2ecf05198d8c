"""The performance harness behind docs/performance.md: `python scripts/bench/run.py [--quick]`."""
