"""API table rows on docs/interop.md: activations.

Each check returns the PyTorch and the TensorFlow result; equivalence_checks.run()
compares them within the row's tolerance.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
import torch
import torch.nn.functional as F
from equivalence_checks import (
    EXACT,
    F32,
    check_all,
    registry,
    to_numpy,
    to_torch,
)
from torch import nn

ROWS: list = []
row = registry(ROWS)


def _activation(torch_fn, keras_fn):
    x = np.linspace(-6, 6, 97, dtype=np.float32).reshape(1, 97)
    with torch.no_grad():
        return to_numpy(torch_fn(to_torch(x))), to_numpy(keras_fn(x))


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


if __name__ == "__main__":
    check_all(ROWS, "activation")
    #> 11 activation rows, each equal within its tolerance
