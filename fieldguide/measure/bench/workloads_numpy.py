"""NumPy rows: the reference GEMM the frameworks' BLAS is compared with, and the probe (a fixed
GEMM timed in every round, so the machine's drift over the run is on record)."""

from __future__ import annotations

import numpy as np

from fieldguide.measure.bench.task import Task


def sync() -> None:
    """NumPy returns when the product is computed."""


def task_for(row: dict, mode: str, options: dict) -> Task:
    if row["task"] != "matmul" or mode != "eager":
        raise ValueError(f"numpy runs only matmul eager, not {row['task']} {mode}")
    n = row["batch"]

    def make():
        rng = np.random.default_rng(0)
        a = rng.standard_normal((n, n), dtype=np.float32)
        b = rng.standard_normal((n, n), dtype=np.float32)
        return lambda: a @ b

    return Task(row["model"], "matmul", n, make, flops=2.0 * n**3)
