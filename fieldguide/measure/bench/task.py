"""One timed row: what a worker builds, times and reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Task:
    model: str  # e.g. "mlp_wide", "gemm_1024"
    task: str  # "train", "infer" or "matmul"
    batch: int
    make: Callable[[], Callable[[], object]]  # builds model and data, returns the call to time
    variant: str = "default"  # a cookbook change against the default, e.g. "inference_mode"
    flops: float | None = None  # per call, for GFLOP/s rows
    steps_per_call: int = 1  # a call that runs several steps (Keras fit) reports time per step

    def key(self) -> str:
        return f"{self.model}/{self.task}/b{self.batch}"


# The workloads a full run compares, (model, step, batch): fewer than the harness can build, so
# that a run of paired rounds fits in 10 minutes on 2 cores.
WORKLOADS = [
    ("mlp_small", "train", 256),
    ("mlp_small", "infer", 1),
    ("mlp_wide", "train", 256),
    ("mlp_wide", "infer", 256),
    ("cnn", "train", 64),
    ("cnn", "infer", 64),
    ("transformer", "train", 16),
    ("transformer", "infer", 1),
    ("linreg", "train", 100),
]
# --quick builds only these: it checks that every kind of row and comparison runs, in under a minute.
QUICK_WORKLOADS = [w for w in WORKLOADS if w[0] in ("mlp_small", "mlp_wide", "linreg")]
GROUP_OF = {"mlp_small": "M1", "mlp_wide": "M1", "cnn": "C1", "transformer": "T1", "linreg": "L1"}
GEMM_SIZES, QUICK_GEMM_SIZES = (1024, 2048), (64, 128)
# On a GPU, products large enough to keep it busy, beside the CPU sizes (also in --quick: the
# structure a GPU run reports is what --quick checks, and a GPU runs these in milliseconds).
GPU_GEMM_SIZES = (4096, 8192)
PROBE_N, QUICK_PROBE_N = 512, 64
TRAIN_BATCH = {"mlp_small": 256, "mlp_wide": 256, "cnn": 64, "transformer": 16, "linreg": 100}
INFER_BATCHES = {"mlp_small": (1, 256), "mlp_wide": (1, 256), "cnn": (1, 64), "transformer": (1,), "linreg": ()}
MLP_SIZES = {"mlp_small": (784, 128, 10), "mlp_wide": (784, 1024, 1024, 10)}
SEQ, D_MODEL, HEADS, FF = 128, 256, 4, 1024
QUICK_BATCH, QUICK_SEQ = 4, 16  # --quick shrinks batches and the sequence: it checks that rows exist, not speed


def batch_for(batch: int, quick: bool) -> int:
    return min(batch, QUICK_BATCH) if quick else batch


def seq_for(quick: bool) -> int:
    return QUICK_SEQ if quick else SEQ


LR_POINTS = 100
KERAS_FIT_STEPS = 8
