"""G0 in NumPy: the reference GEMM every framework's BLAS is compared with."""

from __future__ import annotations

import numpy as np

from bench.task import Task


def sync() -> None:
    """NumPy returns when the product is computed."""


def tasks(group: str, mode: str, options: dict) -> list[Task]:
    if group != "G0" or mode != "eager":
        raise ValueError(f"numpy runs only G0 eager, not {group} {mode}")
    out = []
    for n in options["gemm_sizes"]:

        def make(n=n):
            rng = np.random.default_rng(0)
            a = rng.standard_normal((n, n), dtype=np.float32)
            b = rng.standard_normal((n, n), dtype=np.float32)
            return lambda: a @ b

        out.append(Task(f"gemm_{n}", "matmul", n, make, flops=2.0 * n**3))
    return out
