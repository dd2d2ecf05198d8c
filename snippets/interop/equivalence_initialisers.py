"""API table rows on docs/interop.md: initialisers.

Each check returns the PyTorch and the TensorFlow result; equivalence_checks.run()
compares them within the row's tolerance.
"""

from __future__ import annotations

import keras
import numpy as np
import torch
from equivalence_checks import (
    F32_CHAIN,
    STATS,
    check_all,
    registry,
    to_numpy,
)
from torch import nn

ROWS: list = []
row = registry(ROWS)


def _init_stats(torch_init, keras_init, stat=np.std, shape=(256, 256)):
    w = torch.empty(shape)
    torch.manual_seed(0)
    torch_init(w)
    keras_w = to_numpy(keras_init(seed=0)(shape))
    return np.array([stat(to_numpy(w)), stat(keras_w)])


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
    keras_w = to_numpy(keras.initializers.Orthogonal(seed=0)((64, 64)))
    eye = np.eye(64)
    return np.stack([to_numpy(w) @ to_numpy(w).T, keras_w @ keras_w.T]), np.stack(
        [eye, eye]
    )


if __name__ == "__main__":
    check_all(ROWS, "initialiser")
    #> 5 initialiser rows, each equal within its tolerance
