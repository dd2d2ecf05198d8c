"""Every row of the API table on docs/interop.md, each with the check that backs it.

A row names a PyTorch API and its TensorFlow/Keras twin. Its check builds the PyTorch
side, copies the weights across (converting layouts on the way), runs both on the same
input, and returns the two results; `run()` asserts they agree within the row's stated
tolerance. Rows about training take optimiser steps from the same weights and
gradients. tests/test_interop.py runs one test per row, and
scripts/api_table.py renders the page's table from the same list, so a row cannot be
on the page without its test.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf
import torch
import torch.nn.functional as F
from torch import nn

# The device every example on the site uses: DOCS_DEVICE=cpu (the default) or cuda.
DEVICE_NAME = os.environ.get("DOCS_DEVICE", "cpu")
TF_DEVICE = "/GPU:0" if DEVICE_NAME == "cuda" else "/CPU:0"

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


ROWS: list[Row] = []
TOLERANCES = [EXACT, F32, F32_CHAIN, CLIPPED, STATS, HALF]


def row(category: str, torch_api: str, tf_api: str, tol: Tol, note: str = ""):
    """Register the decorated check as a row of the table."""

    def register(check):
        ROWS.append(Row(check.__name__, category, torch_api, tf_api, tol, check, note))
        return check

    return register


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


def num(x) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return (
            x.detach().float().cpu().numpy().copy()
        )  # a CPU tensor's numpy() shares its memory
    return np.asarray(keras.ops.convert_to_numpy(x), dtype=np.float32)


def tt(x: np.ndarray) -> torch.Tensor:
    return torch.as_tensor(x, device=DEVICE)


def nhwc(x: np.ndarray) -> np.ndarray:
    return x.transpose(0, 2, 3, 1)


def nchw(x: np.ndarray) -> np.ndarray:
    return x.transpose(0, 3, 1, 2)


def torch_run(module: nn.Module, x: np.ndarray) -> tuple[nn.Module, np.ndarray]:
    """The module on the chosen device, and its output on x."""
    module.to(DEVICE)
    with torch.no_grad():
        out = module(tt(x))
    if isinstance(out, tuple):  # recurrent layers and attention return extras
        out = out[0]
    return module, num(out)


def keras_run(layer, x: np.ndarray, weights: list[np.ndarray], **call) -> np.ndarray:
    layer.build(x.shape)
    layer.set_weights(weights)
    return num(layer(x, **call))


def p(module: nn.Module, name: str) -> np.ndarray:
    return num(
        module.get_parameter(name)
        if name in dict(module.named_parameters())
        else module.get_buffer(name)
    )


def seeded(module_factory: Callable[[], nn.Module], seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return module_factory()


# ---- layers --------------------------------------------------------------------------


@row(
    "layers",
    "nn.Linear(8, 4)",
    "layers.Dense(4)",
    F32,
    "weight (out, in) = kernel (in, out) transposed",
)
def linear():
    x = data(3, 8)
    m, out = torch_run(seeded(lambda: nn.Linear(8, 4)), x)
    return out, keras_run(keras.layers.Dense(4), x, [p(m, "weight").T, p(m, "bias")])


@row(
    "layers",
    "nn.Conv1d(3, 5, 3)",
    "layers.Conv1D(5, 3)",
    F32,
    "(N, C, L) vs (N, L, C); kernel (k, in, out)",
)
def conv1d():
    x = data(2, 3, 10)
    m, out = torch_run(seeded(lambda: nn.Conv1d(3, 5, 3)), x)
    keras_out = keras_run(
        keras.layers.Conv1D(5, 3),
        x.transpose(0, 2, 1),
        [p(m, "weight").transpose(2, 1, 0), p(m, "bias")],
    )
    return out, keras_out.transpose(0, 2, 1)


@row(
    "layers",
    "nn.Conv2d(3, 5, 3, padding=1)",
    'layers.Conv2D(5, 3, padding="same")',
    F32,
    "NCHW vs NHWC; kernel (kh, kw, in, out)",
)
def conv2d():
    x = data(2, 3, 8, 8)
    m, out = torch_run(seeded(lambda: nn.Conv2d(3, 5, 3, padding=1)), x)
    kernel = p(m, "weight").transpose(2, 3, 1, 0)
    return out, nchw(
        keras_run(
            keras.layers.Conv2D(5, 3, padding="same"), nhwc(x), [kernel, p(m, "bias")]
        )
    )


@row(
    "layers",
    "nn.Conv2d(3, 5, 3, stride=2)",
    "layers.Conv2D(5, 3, strides=2)",
    F32,
    'no padding: "valid" in both',
)
def conv2d_stride2_valid():
    x = data(2, 3, 9, 9)
    m, out = torch_run(seeded(lambda: nn.Conv2d(3, 5, 3, stride=2)), x)
    kernel = p(m, "weight").transpose(2, 3, 1, 0)
    return out, nchw(
        keras_run(keras.layers.Conv2D(5, 3, strides=2), nhwc(x), [kernel, p(m, "bias")])
    )


@row(
    "layers",
    "F.pad(x, (0, 1, 0, 1)) + nn.Conv2d(3, 5, 3, stride=2)",
    'layers.Conv2D(5, 3, strides=2, padding="same")',
    F32,
    '"same" with stride 2 on an even size pads only bottom and right: see the traps',
)
def conv2d_stride2_same():
    x = data(2, 3, 8, 8)
    m = seeded(lambda: nn.Conv2d(3, 5, 3, stride=2)).to(DEVICE)
    with torch.no_grad():
        out = num(m(F.pad(tt(x), (0, 1, 0, 1))))
    kernel = p(m, "weight").transpose(2, 3, 1, 0)
    return out, nchw(
        keras_run(
            keras.layers.Conv2D(5, 3, strides=2, padding="same"),
            nhwc(x),
            [kernel, p(m, "bias")],
        )
    )


@row(
    "layers",
    "nn.Conv2d(4, 4, 3, padding=1, groups=4)",
    'layers.DepthwiseConv2D(3, padding="same")',
    F32,
    "weight (C, 1, kh, kw) = kernel (kh, kw, C, 1)",
)
def depthwise_conv2d():
    x = data(2, 4, 6, 6)
    m, out = torch_run(seeded(lambda: nn.Conv2d(4, 4, 3, padding=1, groups=4)), x)
    kernel = p(m, "weight").transpose(2, 3, 0, 1)
    return out, nchw(
        keras_run(
            keras.layers.DepthwiseConv2D(3, padding="same"),
            nhwc(x),
            [kernel, p(m, "bias")],
        )
    )


@row(
    "layers",
    "nn.ConvTranspose2d(3, 5, 3, stride=2)",
    "layers.Conv2DTranspose(5, 3, strides=2)",
    F32,
    "weight (in, out, kh, kw) = kernel (kh, kw, out, in)",
)
def conv_transpose2d():
    x = data(2, 3, 5, 5)
    m, out = torch_run(seeded(lambda: nn.ConvTranspose2d(3, 5, 3, stride=2)), x)
    kernel = p(m, "weight").transpose(2, 3, 1, 0)
    return out, nchw(
        keras_run(
            keras.layers.Conv2DTranspose(5, 3, strides=2),
            nhwc(x),
            [kernel, p(m, "bias")],
        )
    )


@row("layers", "nn.MaxPool2d(2)", "layers.MaxPooling2D(2)", EXACT)
def max_pool2d():
    x = data(2, 3, 8, 8)
    return torch_run(nn.MaxPool2d(2), x)[1], nchw(
        num(keras.layers.MaxPooling2D(2)(nhwc(x)))
    )


@row("layers", "nn.AvgPool2d(2)", "layers.AveragePooling2D(2)", F32)
def avg_pool2d():
    x = data(2, 3, 8, 8)
    return torch_run(nn.AvgPool2d(2), x)[1], nchw(
        num(keras.layers.AveragePooling2D(2)(nhwc(x)))
    )


@row(
    "layers",
    "nn.AdaptiveAvgPool2d(1) + nn.Flatten()",
    "layers.GlobalAveragePooling2D()",
    F32,
)
def global_avg_pool():
    x = data(2, 3, 8, 8)
    out = torch_run(nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten()), x)[1]
    return out, num(keras.layers.GlobalAveragePooling2D()(nhwc(x)))


def _batchnorm_torch(x: np.ndarray, train: bool):
    m = seeded(lambda: nn.BatchNorm2d(4)).to(DEVICE)
    rng = np.random.default_rng(1)
    with torch.no_grad():
        for name in ("weight", "bias", "running_mean"):
            getattr(m, name).copy_(tt(rng.standard_normal(4).astype(np.float32)))
        m.running_var.copy_(tt(rng.uniform(0.5, 2.0, 4).astype(np.float32)))
    weights = [p(m, "weight"), p(m, "bias"), p(m, "running_mean"), p(m, "running_var")]
    m.train(train)
    with torch.no_grad():
        out = num(m(tt(x)))
    return m, out, weights


@row(
    "layers",
    "nn.BatchNorm2d(4), eval()",
    "layers.BatchNormalization(epsilon=1e-5), training=False",
    F32,
    "epsilon 1e-5 vs 1e-3 by default: see the traps",
)
def batchnorm_eval():
    x = data(8, 4, 5, 5)
    _m, out, weights = _batchnorm_torch(x, train=False)
    return out, nchw(
        keras_run(
            keras.layers.BatchNormalization(epsilon=1e-5),
            nhwc(x),
            weights,
            training=False,
        )
    )


@row(
    "layers",
    "nn.BatchNorm2d(4, momentum=0.1), train()",
    "layers.BatchNormalization(momentum=0.9, epsilon=1e-5), training=True",
    F32,
    "PyTorch's momentum weighs the new batch, Keras' the old average; "
    "running variance: see the traps",
)
def batchnorm_train():
    x = data(8, 4, 5, 5)
    m, out, weights = _batchnorm_torch(x, train=True)
    bn = keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5)
    keras_out = nchw(keras_run(bn, nhwc(x), weights, training=True))
    # PyTorch updates running_var with the unbiased batch variance, Keras with the
    # biased one.
    n = x.shape[0] * x.shape[2] * x.shape[3]
    torch_stats = [p(m, "running_mean"), p(m, "running_var")]
    var_keras_unbiased = weights[3] * 0.9 + (
        num(bn.moving_variance) - weights[3] * 0.9
    ) * n / (n - 1)
    keras_stats = [num(bn.moving_mean), var_keras_unbiased]
    return np.concatenate([out.ravel(), *torch_stats]), np.concatenate(
        [keras_out.ravel(), *keras_stats]
    )


@row(
    "layers",
    "nn.LayerNorm(6)",
    "layers.LayerNormalization(epsilon=1e-5)",
    F32,
    "epsilon 1e-5 vs 1e-3 by default",
)
def layer_norm():
    x = data(3, 4, 6)
    m = seeded(lambda: nn.LayerNorm(6))
    with torch.no_grad():
        m.weight.copy_(torch.linspace(0.5, 1.5, 6))
        m.bias.copy_(torch.linspace(-1, 1, 6))
    m, out = torch_run(m, x)
    return out, keras_run(
        keras.layers.LayerNormalization(epsilon=1e-5), x, [p(m, "weight"), p(m, "bias")]
    )


@row(
    "layers",
    "nn.GroupNorm(2, 4)",
    "layers.GroupNormalization(2, epsilon=1e-5)",
    F32,
    "epsilon 1e-5 vs 1e-3 by default",
)
def group_norm():
    x = data(2, 4, 5, 5)
    m = seeded(lambda: nn.GroupNorm(2, 4))
    with torch.no_grad():
        m.weight.copy_(torch.linspace(0.5, 1.5, 4))
        m.bias.copy_(torch.linspace(-1, 1, 4))
    m, out = torch_run(m, x)
    layer = keras.layers.GroupNormalization(2, epsilon=1e-5)
    return out, nchw(keras_run(layer, nhwc(x), [p(m, "weight"), p(m, "bias")]))


@row("layers", "nn.Embedding(10, 4)", "layers.Embedding(10, 4)", EXACT)
def embedding():
    ids = np.array([[1, 2, 9], [0, 0, 5]])
    m = seeded(lambda: nn.Embedding(10, 4)).to(DEVICE)
    with torch.no_grad():
        out = num(m(torch.as_tensor(ids, device=DEVICE)))
    layer = keras.layers.Embedding(10, 4)
    layer.build(ids.shape)
    layer.set_weights([p(m, "weight")])
    return out, num(layer(ids))


def _gates(w: np.ndarray, order: list[int]) -> np.ndarray:
    """Reorder the gate blocks stacked along axis 0."""
    return np.concatenate([np.split(w, 3 if len(order) == 3 else 4)[i] for i in order])


@row(
    "layers",
    "nn.LSTM(5, 3, batch_first=True)",
    "layers.LSTM(3, return_sequences=True)",
    F32_CHAIN,
    "same gate order (i, f, g, o); PyTorch has two biases, Keras their sum",
)
def lstm():
    x = data(2, 7, 5)
    m, out = torch_run(seeded(lambda: nn.LSTM(5, 3, batch_first=True)), x)
    weights = [
        p(m, "weight_ih_l0").T,
        p(m, "weight_hh_l0").T,
        p(m, "bias_ih_l0") + p(m, "bias_hh_l0"),
    ]
    return out, keras_run(keras.layers.LSTM(3, return_sequences=True), x, weights)


@row(
    "layers",
    "nn.GRU(5, 3, batch_first=True)",
    "layers.GRU(3, return_sequences=True)",
    F32_CHAIN,
    "gates (r, z, n) vs (z, r, h); Keras reset_after=True matches PyTorch",
)
def gru():
    x = data(2, 7, 5)
    m, out = torch_run(seeded(lambda: nn.GRU(5, 3, batch_first=True)), x)
    zrn = [1, 0, 2]
    weights = [
        _gates(p(m, "weight_ih_l0"), zrn).T,
        _gates(p(m, "weight_hh_l0"), zrn).T,
        np.stack([_gates(p(m, "bias_ih_l0"), zrn), _gates(p(m, "bias_hh_l0"), zrn)]),
    ]
    return out, keras_run(keras.layers.GRU(3, return_sequences=True), x, weights)


@row(
    "layers",
    "nn.RNN(5, 3, batch_first=True)",
    "layers.SimpleRNN(3, return_sequences=True)",
    F32_CHAIN,
    "tanh in both; two biases vs one",
)
def simple_rnn():
    x = data(2, 7, 5)
    m, out = torch_run(seeded(lambda: nn.RNN(5, 3, batch_first=True)), x)
    weights = [
        p(m, "weight_ih_l0").T,
        p(m, "weight_hh_l0").T,
        p(m, "bias_ih_l0") + p(m, "bias_hh_l0"),
    ]
    return out, keras_run(keras.layers.SimpleRNN(3, return_sequences=True), x, weights)


@row(
    "layers",
    "nn.MultiheadAttention(8, 2, batch_first=True)",
    "layers.MultiHeadAttention(num_heads=2, key_dim=4)",
    F32_CHAIN,
    "one stacked in_proj (3E, E) vs per-head kernels (E, heads, key_dim)",
)
def multihead_attention():
    x = data(2, 5, 8)
    m = seeded(lambda: nn.MultiheadAttention(8, 2, batch_first=True)).to(DEVICE).eval()
    with torch.no_grad():
        out = num(m(tt(x), tt(x), tt(x), need_weights=False)[0])
    w_q, w_k, w_v = np.split(p(m, "in_proj_weight"), 3)
    b_q, b_k, b_v = np.split(p(m, "in_proj_bias"), 3)
    weights = []
    for w, b in ((w_q, b_q), (w_k, b_k), (w_v, b_v)):
        weights += [w.T.reshape(8, 2, 4), b.reshape(2, 4)]
    weights += [p(m, "out_proj.weight").T.reshape(2, 4, 8), p(m, "out_proj.bias")]
    layer = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    layer.build(x.shape, x.shape)
    layer.set_weights(weights)
    return out, num(layer(x, x))


@row(
    "layers",
    "nn.Dropout(0.5), eval()",
    "layers.Dropout(0.5), training=False",
    EXACT,
    "identity when not training",
)
def dropout_eval():
    x = data(4, 6)
    return torch_run(nn.Dropout(0.5).eval(), x)[1], num(
        keras.layers.Dropout(0.5)(x, training=False)
    )


@row(
    "layers",
    "nn.Dropout(0.5), train()",
    "layers.Dropout(0.5), training=True",
    F32,
    "kept values are scaled by 1 / (1 - p) in both",
)
def dropout_train():
    x = np.ones((64, 64), np.float32)
    torch.manual_seed(0)
    out = torch_run(nn.Dropout(0.5).train(), x)[1]
    keras_out = num(keras.layers.Dropout(0.5, seed=0)(x, training=True))
    return np.unique(out[out != 0]), np.unique(keras_out[keras_out != 0])


@row(
    "layers",
    'nn.Upsample(scale_factor=2, mode="nearest")',
    "layers.UpSampling2D(2)",
    EXACT,
)
def upsample_nearest():
    x = data(2, 3, 4, 4)
    return torch_run(nn.Upsample(scale_factor=2, mode="nearest"), x)[1], nchw(
        num(keras.layers.UpSampling2D(2)(nhwc(x)))
    )


@row(
    "layers",
    "nn.ZeroPad2d((1, 2, 0, 1))",
    "layers.ZeroPadding2D(((0, 1), (1, 2)))",
    EXACT,
    "PyTorch lists (left, right, top, bottom); Keras ((top, bottom), (left, right))",
)
def zero_pad2d():
    x = data(2, 3, 4, 4)
    out = torch_run(nn.ZeroPad2d((1, 2, 0, 1)), x)[1]
    return out, nchw(num(keras.layers.ZeroPadding2D(((0, 1), (1, 2)))(nhwc(x))))


# ---- activations ---------------------------------------------------------------------


def _activation(torch_fn, keras_fn):
    x = np.linspace(-6, 6, 97, dtype=np.float32).reshape(1, 97)
    with torch.no_grad():
        return num(torch_fn(tt(x))), num(keras_fn(x))


@row("activations", "F.relu", "activations.relu", EXACT)
def relu():
    return _activation(F.relu, keras.activations.relu)


@row(
    "activations",
    "F.gelu (exact erf)",
    "activations.gelu(approximate=False)",
    F32,
    "the Keras default is approximate=False, as in PyTorch",
)
def gelu():
    return _activation(F.gelu, keras.activations.gelu)


@row(
    "activations",
    'F.gelu(approximate="tanh")',
    "activations.gelu(approximate=True)",
    F32,
)
def gelu_tanh():
    return _activation(
        lambda t: F.gelu(t, approximate="tanh"),
        lambda a: keras.activations.gelu(a, approximate=True),
    )


@row("activations", "F.silu", "activations.silu", F32)
def silu():
    return _activation(F.silu, keras.activations.silu)


@row("activations", "torch.sigmoid", "activations.sigmoid", F32)
def sigmoid():
    return _activation(torch.sigmoid, keras.activations.sigmoid)


@row("activations", "torch.tanh", "activations.tanh", F32)
def tanh():
    return _activation(torch.tanh, keras.activations.tanh)


@row("activations", "F.softmax(x, dim=-1)", "activations.softmax(x, axis=-1)", F32)
def softmax():
    return _activation(lambda t: F.softmax(t, dim=-1), keras.activations.softmax)


@row("activations", "F.log_softmax(x, dim=-1)", "tf.nn.log_softmax(x, axis=-1)", F32)
def log_softmax():
    return _activation(lambda t: F.log_softmax(t, dim=-1), tf.nn.log_softmax)


@row(
    "activations",
    "nn.LeakyReLU() (slope 0.01)",
    "layers.LeakyReLU(negative_slope=0.01)",
    F32,
    "Keras' default slope is 0.3",
)
def leaky_relu():
    return _activation(nn.LeakyReLU(), keras.layers.LeakyReLU(negative_slope=0.01))


@row("activations", "F.elu", "activations.elu", F32)
def elu():
    return _activation(F.elu, keras.activations.elu)


@row("activations", "F.softplus", "activations.softplus", F32)
def softplus():
    return _activation(F.softplus, keras.activations.softplus)


# ---- losses --------------------------------------------------------------------------

LOGITS = data(6, 4, seed=3) * 2
LABELS = np.array([0, 3, 1, 1, 2, 0])
ONE_HOT = np.eye(4, dtype=np.float32)[LABELS]


def _loss(torch_loss, keras_loss, *torch_args, keras_args=None):
    with torch.no_grad():
        got = num(
            torch_loss(
                *[
                    tt(a) if a.dtype != np.int64 else torch.as_tensor(a, device=DEVICE)
                    for a in torch_args
                ]
            )
        )
    return got, num(keras_loss(*(keras_args or torch_args[::-1])))


@row(
    "losses",
    "nn.CrossEntropyLoss() on logits, integer labels",
    "losses.SparseCategoricalCrossentropy(from_logits=True)",
    F32,
    "claim B2: both take logits",
)
def cross_entropy():
    return _loss(
        nn.CrossEntropyLoss(),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        LOGITS,
        LABELS,
    )


@row(
    "losses",
    "nn.CrossEntropyLoss() on logits, probability targets",
    "losses.CategoricalCrossentropy(from_logits=True)",
    F32,
)
def cross_entropy_probs():
    return _loss(
        nn.CrossEntropyLoss(),
        keras.losses.CategoricalCrossentropy(from_logits=True),
        LOGITS,
        ONE_HOT,
    )


@row(
    "losses",
    "nn.CrossEntropyLoss(label_smoothing=0.1)",
    "losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)",
    F32,
    "Keras smooths one-hot targets only",
)
def cross_entropy_smoothing():
    keras_loss = keras.losses.CategoricalCrossentropy(
        from_logits=True, label_smoothing=0.1
    )
    return _loss(
        nn.CrossEntropyLoss(label_smoothing=0.1),
        keras_loss,
        LOGITS,
        LABELS,
        keras_args=(ONE_HOT, LOGITS),
    )


@row(
    "losses",
    "nn.NLLLoss() on log_softmax",
    "losses.SparseCategoricalCrossentropy() on softmax",
    CLIPPED,
)
def nll():
    log_probs = num(F.log_softmax(torch.as_tensor(LOGITS), dim=-1))
    return _loss(
        nn.NLLLoss(),
        keras.losses.SparseCategoricalCrossentropy(),
        log_probs,
        LABELS,
        keras_args=(LABELS, np.exp(log_probs)),
    )


BINARY_LOGITS = data(8, seed=4) * 2
BINARY_TARGETS = (data(8, seed=5) > 0).astype(np.float32)


@row(
    "losses",
    "nn.BCEWithLogitsLoss()",
    "losses.BinaryCrossentropy(from_logits=True)",
    F32,
)
def bce_with_logits():
    return _loss(
        nn.BCEWithLogitsLoss(),
        keras.losses.BinaryCrossentropy(from_logits=True),
        BINARY_LOGITS,
        BINARY_TARGETS,
    )


@row(
    "losses", "nn.BCELoss() on sigmoid outputs", "losses.BinaryCrossentropy()", CLIPPED
)
def bce():
    probs = 1 / (1 + np.exp(-BINARY_LOGITS))
    return _loss(nn.BCELoss(), keras.losses.BinaryCrossentropy(), probs, BINARY_TARGETS)


@row("losses", "nn.MSELoss()", "losses.MeanSquaredError()", F32)
def mse():
    return _loss(nn.MSELoss(), keras.losses.MeanSquaredError(), LOGITS, ONE_HOT)


@row("losses", "nn.L1Loss()", "losses.MeanAbsoluteError()", F32)
def l1():
    return _loss(nn.L1Loss(), keras.losses.MeanAbsoluteError(), LOGITS, ONE_HOT)


@row(
    "losses",
    "nn.HuberLoss(delta=1.0) = nn.SmoothL1Loss(beta=1.0)",
    "losses.Huber(delta=1.0)",
    F32,
)
def huber():
    got, want = _loss(
        nn.HuberLoss(delta=1.0), keras.losses.Huber(delta=1.0), LOGITS, ONE_HOT
    )
    smooth, _ = _loss(
        nn.SmoothL1Loss(beta=1.0), keras.losses.Huber(delta=1.0), LOGITS, ONE_HOT
    )
    return np.stack([got, smooth]), np.stack([want, want])


@row(
    "losses",
    'nn.KLDivLoss(reduction="batchmean") on log-probabilities',
    "losses.KLDivergence() on probabilities",
    CLIPPED,
    'PyTorch\'s default reduction="mean" also divides by the number of classes',
)
def kl_divergence():
    target = num(F.softmax(torch.as_tensor(data(6, 4, seed=6)), dim=-1))
    log_q = num(F.log_softmax(torch.as_tensor(LOGITS), dim=-1))
    torch_loss = nn.KLDivLoss(reduction="batchmean")
    return _loss(
        torch_loss,
        keras.losses.KLDivergence(),
        log_q,
        target,
        keras_args=(target, np.exp(log_q)),
    )


# ---- optimisers: three steps from the same weights with the same gradients -----------

START = data(5, seed=7)
GRADS = [data(5, seed=8 + i) for i in range(3)]


def _steps(make_torch, keras_optimizer):
    param = nn.Parameter(tt(START.copy()))
    opt = make_torch([param])
    for g in GRADS:
        param.grad = tt(g)
        opt.step()
    var = keras.Variable(START.copy())
    for g in GRADS:
        keras_optimizer.apply_gradients([(tf.constant(g), var)])
    return num(param), num(var)


@row("optimisers", "optim.SGD(p, lr=0.1)", "optimizers.SGD(0.1)", F32)
def sgd():
    return _steps(lambda ps: torch.optim.SGD(ps, lr=0.1), keras.optimizers.SGD(0.1))


@row(
    "optimisers",
    "optim.SGD(p, lr=0.1, momentum=0.9)",
    "optimizers.SGD(0.1, momentum=0.9)",
    F32_CHAIN,
    "velocity kept as v = 0.9 v + g vs v = 0.9 v - lr g: same steps at a fixed lr",
)
def sgd_momentum():
    return _steps(
        lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
        keras.optimizers.SGD(0.1, momentum=0.9),
    )


@row(
    "optimisers",
    "optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True)",
    "optimizers.SGD(0.1, momentum=0.9, nesterov=True)",
    F32_CHAIN,
)
def sgd_nesterov():
    return _steps(
        lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
        keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    )


@row(
    "optimisers",
    "optim.Adam(p, lr=0.01, eps=1e-7)",
    "optimizers.Adam(0.01)",
    F32_CHAIN,
    "eps defaults 1e-8 vs 1e-7",
)
def adam():
    return _steps(
        lambda ps: torch.optim.Adam(ps, lr=0.01, eps=1e-7), keras.optimizers.Adam(0.01)
    )


@row(
    "optimisers",
    "optim.AdamW(p, lr=0.01, eps=1e-7, weight_decay=0.004)",
    "optimizers.AdamW(0.01)",
    F32_CHAIN,
    "weight_decay defaults 0.01 vs 0.004",
)
def adamw():
    return _steps(
        lambda ps: torch.optim.AdamW(ps, lr=0.01, eps=1e-7, weight_decay=0.004),
        keras.optimizers.AdamW(0.01),
    )


@row(
    "optimisers",
    "optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-7)",
    "optimizers.RMSprop(0.01)",
    F32_CHAIN,
    "decay 0.99 vs 0.9 by default",
)
def rmsprop():
    return _steps(
        lambda ps: torch.optim.RMSprop(ps, lr=0.01, alpha=0.9, eps=1e-7),
        keras.optimizers.RMSprop(0.01),
    )


@row(
    "optimisers",
    "optim.Adagrad(p, lr=0.1, initial_accumulator_value=0.1, eps=1e-7)",
    "optimizers.Adagrad(0.1)",
    F32_CHAIN,
    "accumulator starts at 0 vs 0.1 by default",
)
def adagrad():
    return _steps(
        lambda ps: torch.optim.Adagrad(
            ps, lr=0.1, initial_accumulator_value=0.1, eps=1e-7
        ),
        keras.optimizers.Adagrad(0.1),
    )


@row(
    "optimisers",
    "nn.utils.clip_grad_norm_(params, 1.0)",
    "tf.clip_by_global_norm(grads, 1.0)",
    F32,
)
def clip_grad_norm():
    params = [nn.Parameter(tt(np.zeros_like(g))) for g in GRADS]
    for param, g in zip(params, GRADS):
        param.grad = tt(g)
    nn.utils.clip_grad_norm_(params, 1.0)
    clipped, _ = tf.clip_by_global_norm([tf.constant(g) for g in GRADS], 1.0)
    return np.stack([num(q.grad) for q in params]), np.stack([num(c) for c in clipped])


@row(
    "optimisers",
    "lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)",
    "schedules.ExponentialDecay(0.1, 2, 0.5, staircase=True)",
    F32,
    "PyTorch steps per scheduler.step(), Keras per optimiser step",
)
def step_lr():
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    torch_lrs = []
    for _ in range(6):
        torch_lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, 2, 0.5, staircase=True)
    return np.array(torch_lrs), np.array([num(schedule(step)) for step in range(6)])


# ---- initialisers: both sides against the formula ------------------------------------


def _init_stats(torch_init, keras_init, stat=np.std, shape=(256, 256)):
    w = torch.empty(shape)
    torch.manual_seed(0)
    torch_init(w)
    keras_w = num(keras_init(seed=0)(shape))
    return np.array([stat(num(w)), stat(keras_w)])


@row(
    "initialisers",
    "nn.init.xavier_uniform_",
    "initializers.GlorotUniform()",
    STATS,
    "std sqrt(2 / (fan_in + fan_out)); Dense's default",
)
def glorot_uniform():
    got = _init_stats(nn.init.xavier_uniform_, keras.initializers.GlorotUniform)
    return got, np.full(2, np.sqrt(2 / 512))


@row(
    "initialisers",
    'nn.init.kaiming_normal_(nonlinearity="relu")',
    "initializers.HeNormal()",
    STATS,
    "std sqrt(2 / fan_in); Keras draws a truncated normal rescaled to that std",
)
def he_normal():
    got = _init_stats(
        lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),
        keras.initializers.HeNormal,
    )
    return got, np.full(2, np.sqrt(2 / 256))


@row(
    "initialisers",
    'nn.init.kaiming_uniform_(nonlinearity="relu")',
    "initializers.HeUniform()",
    STATS,
    "bound sqrt(6 / fan_in)",
)
def he_uniform():
    got = _init_stats(
        lambda w: nn.init.kaiming_uniform_(w, nonlinearity="relu"),
        keras.initializers.HeUniform,
        np.max,
    )
    return got, np.full(2, np.sqrt(6 / 256))


@row(
    "initialisers",
    "nn.init.trunc_normal_(std=0.02, a=-0.04, b=0.04)",
    "initializers.TruncatedNormal(stddev=0.02)",
    STATS,
    "Keras cuts at 2 std; PyTorch where a and b say",
)
def truncated_normal():
    got = _init_stats(
        lambda w: nn.init.trunc_normal_(w, std=0.02, a=-0.04, b=0.04),
        lambda seed: keras.initializers.TruncatedNormal(stddev=0.02, seed=seed),
    )
    # A normal cut at two standard deviations keeps 0.8796 of its standard deviation.
    return got, np.full(2, 0.02 * 0.87962566)


@row(
    "initialisers",
    "nn.init.orthogonal_",
    "initializers.Orthogonal()",
    F32_CHAIN,
    "W Wᵀ = I",
)
def orthogonal():
    w = torch.empty(64, 64)
    torch.manual_seed(0)
    nn.init.orthogonal_(w)
    keras_w = num(keras.initializers.Orthogonal(seed=0)((64, 64)))
    eye = np.eye(64)
    return np.stack([num(w) @ num(w).T, keras_w @ keras_w.T]), np.stack([eye, eye])


# ---- data pipelines ------------------------------------------------------------------

ITEMS = np.arange(10, dtype=np.float32)


def _torch_batches(**loader):
    dataset = torch.utils.data.TensorDataset(torch.as_tensor(ITEMS))
    return [num(b[0]).tolist() for b in torch.utils.data.DataLoader(dataset, **loader)]


def _tf_batches(dataset):
    return [b.numpy().tolist() for b in dataset]


def _flat(batches):
    return [v for b in batches for v in b] + [len(b) for b in batches]


@row(
    "data",
    "DataLoader(ds, batch_size=4)",
    "Dataset.from_tensor_slices(x).batch(4)",
    EXACT,
    "both keep the short last batch",
)
def batching():
    got = _torch_batches(batch_size=4)
    return _flat(got), _flat(
        _tf_batches(tf.data.Dataset.from_tensor_slices(ITEMS).batch(4))
    )


@row(
    "data",
    "DataLoader(ds, batch_size=4, drop_last=True)",
    "dataset.batch(4, drop_remainder=True)",
    EXACT,
)
def drop_last():
    got = _torch_batches(batch_size=4, drop_last=True)
    return _flat(got), _flat(
        _tf_batches(
            tf.data.Dataset.from_tensor_slices(ITEMS).batch(4, drop_remainder=True)
        )
    )


@row(
    "data",
    "DataLoader(ds, shuffle=True)",
    "dataset.shuffle(len(ds))",
    EXACT,
    "a new order every epoch in both; "
    "a buffer smaller than the data set is not a full shuffle",
)
def shuffling():
    torch.manual_seed(0)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.as_tensor(ITEMS)),
        batch_size=10,
        shuffle=True,
    )
    torch_epochs = [num(next(iter(loader))[0]) for _ in range(2)]
    dataset = tf.data.Dataset.from_tensor_slices(ITEMS).shuffle(10, seed=0).batch(10)
    tf_epochs = [next(iter(dataset)).numpy() for _ in range(2)]

    def facts(
        epochs,
    ):  # each epoch a permutation of the data, and the two epochs in different orders
        return [sorted(e.tolist()) == ITEMS.tolist() for e in epochs] + [
            not np.array_equal(*epochs)
        ]

    return facts(torch_epochs), facts(tf_epochs)


@row(
    "data",
    "pad_sequence(batch, batch_first=True) in collate_fn",
    "dataset.padded_batch(3)",
    EXACT,
)
def padded_batching():
    seqs = [list(range(1, n + 1)) for n in (2, 4, 1, 3)]

    def collate(batch):
        return nn.utils.rnn.pad_sequence(
            [torch.tensor(s) for s in batch], batch_first=True
        )

    torch_batches = [
        num(b).tolist()
        for b in torch.utils.data.DataLoader(seqs, batch_size=3, collate_fn=collate)
    ]
    dataset = tf.data.Dataset.from_generator(
        lambda: iter(seqs), output_signature=tf.TensorSpec([None], tf.int32)
    )
    tf_batches = [b.numpy().tolist() for b in dataset.padded_batch(3)]
    return [v for b in torch_batches for r in b for v in r], [
        v for b in tf_batches for r in b for v in r
    ]


# ---- saving, devices, precision, layout ----------------------------------------------


@row(
    "saving",
    "torch.save(model.state_dict()) / load_state_dict",
    "model.save_weights(...weights.h5) / load_weights",
    EXACT,
    "round trip, then the reloaded weights carried across",
)
def save_weights_round_trip():
    x = data(3, 8)
    torch_model = seeded(
        lambda: nn.Sequential(nn.Linear(8, 4), nn.ReLU(), nn.Linear(4, 2))
    ).to(DEVICE)
    keras_model = keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(4, "relu"), keras.layers.Dense(2)]
    )
    with tempfile.TemporaryDirectory() as tmp:
        torch.save(torch_model.state_dict(), os.path.join(tmp, "model.pt"))
        torch_twin = seeded(
            lambda: nn.Sequential(nn.Linear(8, 4), nn.ReLU(), nn.Linear(4, 2)), seed=1
        ).to(DEVICE)
        torch_twin.load_state_dict(
            torch.load(os.path.join(tmp, "model.pt"), weights_only=True)
        )
        state = {k: num(v) for k, v in torch_twin.state_dict().items()}
        keras_model.set_weights(
            [state["0.weight"].T, state["0.bias"], state["2.weight"].T, state["2.bias"]]
        )
        keras_model.save_weights(os.path.join(tmp, "model.weights.h5"))
        keras_twin = keras.models.clone_model(keras_model)
        keras_twin.load_weights(os.path.join(tmp, "model.weights.h5"))
    with torch.no_grad():
        torch_before, torch_after = num(torch_model(tt(x))), num(torch_twin(tt(x)))
    keras_before, keras_after = num(keras_model(x)), num(keras_twin(x))
    # Each round trip is exact; across the frameworks the float32 tolerance applies.
    assert np.abs(torch_before - keras_before).max() < F32.atol + F32.rtol
    return np.stack([torch_before, keras_before]), np.stack([torch_after, keras_after])


@row(
    "devices",
    "torch.device(name); x.to(device)",
    'with tf.device("/CPU:0" or "/GPU:0")',
    EXACT,
    "DOCS_DEVICE picks cpu or cuda for every example",
)
def device_placement():
    torch_x = tt(data(2))
    tf_x = tf.identity(data(2))
    want = "GPU" if DEVICE_NAME == "cuda" else "CPU"
    return [torch_x.device.type == DEVICE_NAME, tf_x.device.endswith(f"{want}:0")], [
        True,
        True,
    ]


@row(
    "mixed precision",
    "torch.autocast(device, dtype=torch.bfloat16)  (float16 on CUDA)",
    'Dense(..., dtype="mixed_bfloat16")  ("mixed_float16" on CUDA)',
    HALF,
    "weights stay float32, matmuls and outputs are 16-bit in both",
)
def mixed_precision():
    half, policy = (
        (torch.float16, "mixed_float16")
        if DEVICE_NAME == "cuda"
        else (torch.bfloat16, "mixed_bfloat16")
    )
    x = data(4, 16)
    m = seeded(lambda: nn.Linear(16, 8)).to(DEVICE)
    with torch.no_grad(), torch.autocast(DEVICE.type, dtype=half):
        out = m(tt(x))
    dense = keras.layers.Dense(8, dtype=policy)
    dense.build(x.shape)
    dense.set_weights([p(m, "weight").T, p(m, "bias")])
    keras_out = dense(x)
    assert (out.dtype, m.weight.dtype) == (half, torch.float32)
    assert (keras_out.dtype.name, dense.kernel.dtype) == (
        policy.split("_")[1],
        "float32",
    )
    return num(out), num(keras_out)


@row(
    "layout",
    "x.permute(0, 2, 3, 1)",
    "tf.transpose(x, [0, 2, 3, 1])",
    EXACT,
    "NCHW to NHWC",
)
def permute_layout():
    x = data(2, 3, 4, 5)
    return num(tt(x).permute(0, 2, 3, 1)), num(tf.transpose(x, [0, 2, 3, 1]))


@row(
    "layout",
    "x.contiguous(memory_format=torch.channels_last)",
    "an NHWC tensor",
    EXACT,
    "same bytes in memory; PyTorch still reports the shape as NCHW",
)
def channels_last_memory():
    x = data(2, 3, 4, 5)
    cl = tt(x).contiguous(memory_format=torch.channels_last)
    assert cl.shape == x.shape
    in_memory = torch.as_strided(cl, (cl.numel(),), (1,))
    return num(in_memory), num(tf.reshape(tf.transpose(x, [0, 2, 3, 1]), [-1]))


@row(
    "layout",
    "x.permute(0, 2, 3, 1).flatten(1)",
    "layers.Flatten() on NHWC",
    EXACT,
    "flatten NCHW as is and a Dense after it sees the features in another order",
)
def flatten_order():
    x = data(2, 3, 4, 4)
    return num(tt(x).permute(0, 2, 3, 1).flatten(1)), num(
        keras.layers.Flatten()(nhwc(x))
    )


if __name__ == "__main__":
    worst = {r.name: run(r) for r in ROWS}
    categories = len({r.category for r in ROWS})
    print(
        f"{len(ROWS)} rows in {categories} categories, each equal within its tolerance"
    )
    #> 68 rows in 10 categories, each equal within its tolerance
