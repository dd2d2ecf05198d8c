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


# Workload groups and the models in each; the driver and the report both read this.
GROUPS = {
    "G0": ["gemm_1024", "gemm_2048"],
    "M1": ["mlp_small", "mlp_wide"],
    "C1": ["cnn"],
    "T1": ["transformer"],
    "L1": ["linreg"],
    "API": ["mlp_small"],
}
TRAIN_BATCH = {"mlp_small": 256, "mlp_wide": 256, "cnn": 64, "transformer": 16, "linreg": 100}
INFER_BATCHES = {"mlp_small": (1, 256), "mlp_wide": (1, 256), "cnn": (1, 64), "transformer": (1,), "linreg": ()}
MLP_SIZES = {"mlp_small": (784, 128, 10), "mlp_wide": (784, 1024, 1024, 10)}
SEQ, D_MODEL, HEADS, FF = 128, 256, 4, 1024
QUICK_BATCH, QUICK_SEQ = 4, 16  # --quick shrinks batches and the sequence: it checks that rows exist, not speed


def batch_for(batch: int, quick: bool) -> int:
    return min(batch, QUICK_BATCH) if quick else batch


def seq_for(quick: bool) -> int:
    return QUICK_SEQ if quick else SEQ


# The rows held to the repeatability bar (scripts/bench/compare.py) get more samples than the rest.
HELD_GROUPS = ("G0", "M1")


def samples_for(group: str, settings: dict) -> int:
    """Samples per row and round: settings["samples"] for G0 and M1, settings["samples_other"] for the rest."""
    return settings["samples"] if group in HELD_GROUPS else settings.get("samples_other", settings["samples"])


LR_POINTS = 100
KERAS_FIT_STEPS = 8
