"""The performance harness behind docs/performance.md: `python -m fieldguide measure bench [--quick]`."""
