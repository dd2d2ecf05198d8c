"""The API table's machinery (docs/interop.md): tolerances, rows and shared helpers.

A row names a PyTorch API and its TensorFlow/Keras twin. Its check builds the PyTorch
side, copies the weights across (converting layouts on the way), runs both on the same
input, and returns the two results; `run()` asserts they agree within the row's stated
tolerance. The rows live in one file per category (equivalence_layers.py, ...);
equivalence.py gathers them for tests/test_interop.py and the site's api_table.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf
import torch
from torch import nn

# The device every example on the site uses: DOCS_DEVICE=cpu (the default) or cuda.
DEVICE_NAME = os.environ.get("DOCS_DEVICE", "cpu")
# tensorflow-cpu (the build beside CUDA torch in one environment) has no GPU to ask for.
TF_ON_GPU = DEVICE_NAME == "cuda" and bool(tf.config.list_physical_devices("GPU"))
TF_DEVICE = "/GPU:0" if TF_ON_GPU else "/CPU:0"

# On Ampere and newer GPUs both frameworks may multiply float32 in TF32; full float32
# here, so the tolerances below hold on the GPU runner too.
tf.config.experimental.enable_tensor_float_32_execution(False)
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False

DEVICE = torch.device(DEVICE_NAME)


@dataclasses.dataclass(frozen=True)
class Tol:
    name: str
    atol: float
    rtol: float
    why: str


EXACT = Tol(
    "exact", 0.0, 0.0, "exact: values are only moved or selected, no arithmetic differs"
)
# float32 has a 24-bit significand (eps 1.2e-7); sums of up to ~100 terms of size ~1
# added in another order differ by a few hundred eps at worst: 1e-5 covers that and
# catches a wrong weight layout, which moves outputs by tenths.
F32 = Tol("float32", 1e-5, 1e-5, "float32, same formula, different summation order")
# Recurrences, attention and three optimiser steps chain a few float32 roundings and,
# for Adam/RMSprop, a square root of a small number: still far below a
# wrong-convention gap (>1e-3).
F32_CHAIN = Tol("float32 chain", 1e-5, 1e-4, "float32 through several chained steps")
# Keras clips probabilities to [1e-7, 1 - 1e-7] before the log in losses that take
# probabilities.
CLIPPED = Tol(
    "clipped", 1e-5, 1e-4, "float32; Keras clips probabilities at 1e-7 before the log"
)
# 65,536 draws: the sample standard deviation is within 0.5 % of the true one (about
# 2 standard errors is 0.55 %), so 2 % passes every seed and still catches a wrong fan
# or gain (>= 40 %).
STATS = Tol(
    "statistics", 0.0, 0.02, "sample statistics of 65,536 draws vs. the formula"
)
# bfloat16 keeps 8 significant bits (relative rounding 2**-8 = 0.4 %), float16 11;
# both round the inputs and the result, so 2 % relative plus 0.02 absolute for values
# near zero.
HALF = Tol("16-bit", 0.02, 0.02, "16-bit compute: 8 significant bits for bfloat16")


@dataclasses.dataclass(frozen=True)
class Row:
    name: str
    category: str
    torch_api: str
    tf_api: str
    tol: Tol
    check: Callable[[], tuple]
    note: str = ""


TOLERANCES = [EXACT, F32, F32_CHAIN, CLIPPED, STATS, HALF]


def registry(rows: list[Row]):
    """A `@row(...)` decorator that adds each decorated check to `rows` (one list per
    category file, so running a file by itself registers nothing twice)."""

    def row(category: str, torch_api: str, tf_api: str, tol: Tol, note: str = ""):
        def register(check):
            rows.append(
                Row(check.__name__, category, torch_api, tf_api, tol, check, note)
            )
            return check

        return register

    return row


def check_all(rows: list[Row], what: str) -> None:
    """Every row of one category file: what `python equivalence_layers.py` runs."""
    for r in rows:
        run(r)
    print(f"{len(rows)} {what} rows, each equal within its tolerance")


def run(r: Row) -> float:
    """Run one row's check; AssertionError naming the row when the sides disagree."""
    with tf.device(TF_DEVICE):
        got, want = r.check()
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape, f"{r.name}: shapes {got.shape} and {want.shape}"
    np.testing.assert_allclose(
        got, want, atol=r.tol.atol, rtol=r.tol.rtol, err_msg=f"row {r.name}"
    )
    return float(np.abs(got - want).max(initial=0.0))


# ---- helpers -------------------------------------------------------------------------


def data(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def to_numpy(x) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return (
            x.detach().float().cpu().numpy().copy()
        )  # a CPU tensor's numpy() shares its memory
    return np.asarray(keras.ops.convert_to_numpy(x), dtype=np.float32)


def to_torch(x: np.ndarray) -> torch.Tensor:
    return torch.as_tensor(x, device=DEVICE)


def nhwc(x: np.ndarray) -> np.ndarray:
    return x.transpose(0, 2, 3, 1)


def nchw(x: np.ndarray) -> np.ndarray:
    return x.transpose(0, 3, 1, 2)


def torch_run(module: nn.Module, x: np.ndarray) -> tuple[nn.Module, np.ndarray]:
    """The module on the chosen device, and its output on x."""
    module.to(DEVICE)
    with torch.no_grad():
        out = module(to_torch(x))
    if isinstance(out, tuple):  # recurrent layers and attention return extras
        out = out[0]
    return module, to_numpy(out)


def keras_run(layer, x: np.ndarray, weights: list[np.ndarray], **call) -> np.ndarray:
    layer.build(x.shape)
    layer.set_weights(weights)
    return to_numpy(layer(x, **call))


def param(module: nn.Module, name: str) -> np.ndarray:
    return to_numpy(
        module.get_parameter(name)
        if name in dict(module.named_parameters())
        else module.get_buffer(name)
    )


def seeded(module_factory: Callable[[], nn.Module], seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return module_factory()


if __name__ == "__main__":
    # What every row relies on: a result in the wrong layout fails its row by name.
    x = data(3, 4)
    wrong = Row("wrong_layout", "layers", "x", "x", F32, lambda: (x[:, ::-1], x))
    try:
        run(wrong)
        caught = False
    except AssertionError as err:
        caught = "row wrong_layout" in str(err)
    print(f"a result in the wrong layout fails its row by name: {caught}")
    #> a result in the wrong layout fails its row by name: True
