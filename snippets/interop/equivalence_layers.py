"""API table rows on docs/interop.md: layers.

Each check returns the PyTorch and the TensorFlow result; equivalence_checks.run()
compares them within the row's tolerance.
"""

from __future__ import annotations

import keras
import numpy as np
import torch
import torch.nn.functional as F
from equivalence_checks import (
    DEVICE,
    EXACT,
    F32,
    F32_CHAIN,
    check_all,
    data,
    keras_run,
    nchw,
    nhwc,
    param,
    registry,
    seeded,
    to_numpy,
    to_torch,
    torch_run,
)
from torch import nn

ROWS: list = []
row = registry(ROWS)


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
    return out, keras_run(
        keras.layers.Dense(4), x, [param(m, "weight").T, param(m, "bias")]
    )


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
        [param(m, "weight").transpose(2, 1, 0), param(m, "bias")],
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
    kernel = param(m, "weight").transpose(2, 3, 1, 0)
    return out, nchw(
        keras_run(
            keras.layers.Conv2D(5, 3, padding="same"),
            nhwc(x),
            [kernel, param(m, "bias")],
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
    kernel = param(m, "weight").transpose(2, 3, 1, 0)
    return out, nchw(
        keras_run(
            keras.layers.Conv2D(5, 3, strides=2), nhwc(x), [kernel, param(m, "bias")]
        )
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
        out = to_numpy(m(F.pad(to_torch(x), (0, 1, 0, 1))))
    kernel = param(m, "weight").transpose(2, 3, 1, 0)
    return out, nchw(
        keras_run(
            keras.layers.Conv2D(5, 3, strides=2, padding="same"),
            nhwc(x),
            [kernel, param(m, "bias")],
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
    kernel = param(m, "weight").transpose(2, 3, 0, 1)
    return out, nchw(
        keras_run(
            keras.layers.DepthwiseConv2D(3, padding="same"),
            nhwc(x),
            [kernel, param(m, "bias")],
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
    kernel = param(m, "weight").transpose(2, 3, 1, 0)
    return out, nchw(
        keras_run(
            keras.layers.Conv2DTranspose(5, 3, strides=2),
            nhwc(x),
            [kernel, param(m, "bias")],
        )
    )


@row("layers", "nn.MaxPool2d(2)", "layers.MaxPooling2D(2)", EXACT)
def max_pool2d():
    x = data(2, 3, 8, 8)
    return torch_run(nn.MaxPool2d(2), x)[1], nchw(
        to_numpy(keras.layers.MaxPooling2D(2)(nhwc(x)))
    )


@row("layers", "nn.AvgPool2d(2)", "layers.AveragePooling2D(2)", F32)
def avg_pool2d():
    x = data(2, 3, 8, 8)
    return torch_run(nn.AvgPool2d(2), x)[1], nchw(
        to_numpy(keras.layers.AveragePooling2D(2)(nhwc(x)))
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
    return out, to_numpy(keras.layers.GlobalAveragePooling2D()(nhwc(x)))


def _batchnorm_torch(x: np.ndarray, train: bool):
    m = seeded(lambda: nn.BatchNorm2d(4)).to(DEVICE)
    rng = np.random.default_rng(1)
    with torch.no_grad():
        for name in ("weight", "bias", "running_mean"):
            getattr(m, name).copy_(to_torch(rng.standard_normal(4).astype(np.float32)))
        m.running_var.copy_(to_torch(rng.uniform(0.5, 2.0, 4).astype(np.float32)))
    weights = [
        param(m, "weight"),
        param(m, "bias"),
        param(m, "running_mean"),
        param(m, "running_var"),
    ]
    m.train(train)
    with torch.no_grad():
        out = to_numpy(m(to_torch(x)))
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
    torch_stats = [param(m, "running_mean"), param(m, "running_var")]
    var_keras_unbiased = weights[3] * 0.9 + (
        to_numpy(bn.moving_variance) - weights[3] * 0.9
    ) * n / (n - 1)
    keras_stats = [to_numpy(bn.moving_mean), var_keras_unbiased]
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
        keras.layers.LayerNormalization(epsilon=1e-5),
        x,
        [param(m, "weight"), param(m, "bias")],
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
    return out, nchw(keras_run(layer, nhwc(x), [param(m, "weight"), param(m, "bias")]))


@row("layers", "nn.Embedding(10, 4)", "layers.Embedding(10, 4)", EXACT)
def embedding():
    ids = np.array([[1, 2, 9], [0, 0, 5]])
    m = seeded(lambda: nn.Embedding(10, 4)).to(DEVICE)
    with torch.no_grad():
        out = to_numpy(m(torch.as_tensor(ids, device=DEVICE)))
    layer = keras.layers.Embedding(10, 4)
    layer.build(ids.shape)
    layer.set_weights([param(m, "weight")])
    return out, to_numpy(layer(ids))


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
        param(m, "weight_ih_l0").T,
        param(m, "weight_hh_l0").T,
        param(m, "bias_ih_l0") + param(m, "bias_hh_l0"),
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
        _gates(param(m, "weight_ih_l0"), zrn).T,
        _gates(param(m, "weight_hh_l0"), zrn).T,
        np.stack(
            [_gates(param(m, "bias_ih_l0"), zrn), _gates(param(m, "bias_hh_l0"), zrn)]
        ),
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
        param(m, "weight_ih_l0").T,
        param(m, "weight_hh_l0").T,
        param(m, "bias_ih_l0") + param(m, "bias_hh_l0"),
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
        out = to_numpy(m(to_torch(x), to_torch(x), to_torch(x), need_weights=False)[0])
    w_q, w_k, w_v = np.split(param(m, "in_proj_weight"), 3)
    b_q, b_k, b_v = np.split(param(m, "in_proj_bias"), 3)
    weights = []
    for w, b in ((w_q, b_q), (w_k, b_k), (w_v, b_v)):
        weights += [w.T.reshape(8, 2, 4), b.reshape(2, 4)]
    weights += [
        param(m, "out_proj.weight").T.reshape(2, 4, 8),
        param(m, "out_proj.bias"),
    ]
    layer = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    layer.build(x.shape, x.shape)
    layer.set_weights(weights)
    return out, to_numpy(layer(x, x))


@row(
    "layers",
    "nn.Dropout(0.5), eval()",
    "layers.Dropout(0.5), training=False",
    EXACT,
    "identity when not training",
)
def dropout_eval():
    x = data(4, 6)
    return torch_run(nn.Dropout(0.5).eval(), x)[1], to_numpy(
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
    keras_out = to_numpy(keras.layers.Dropout(0.5, seed=0)(x, training=True))
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
        to_numpy(keras.layers.UpSampling2D(2)(nhwc(x)))
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
    return out, nchw(to_numpy(keras.layers.ZeroPadding2D(((0, 1), (1, 2)))(nhwc(x))))


if __name__ == "__main__":
    check_all(ROWS, "layer")
    #> 23 layer rows, each equal within its tolerance
