"""API table rows on docs/interop.md: losses.

Each check returns the PyTorch and the TensorFlow result; equivalence_checks.run()
compares them within the row's tolerance.
"""

from __future__ import annotations

import keras
import numpy as np
import torch
import torch.nn.functional as F
from equivalence_checks import (
    CLIPPED,
    DEVICE,
    F32,
    check_all,
    data,
    registry,
    to_numpy,
    to_torch,
)
from torch import nn

ROWS: list = []
row = registry(ROWS)

LOGITS = data(6, 4, seed=3) * 2
LABELS = np.array([0, 3, 1, 1, 2, 0])
ONE_HOT = np.eye(4, dtype=np.float32)[LABELS]


def _loss(torch_loss, keras_loss, *torch_args, keras_args=None):
    with torch.no_grad():
        got = to_numpy(
            torch_loss(
                *[
                    to_torch(a)
                    if a.dtype != np.int64
                    else torch.as_tensor(a, device=DEVICE)
                    for a in torch_args
                ]
            )
        )
    return got, to_numpy(keras_loss(*(keras_args or torch_args[::-1])))


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
    log_probs = to_numpy(F.log_softmax(torch.as_tensor(LOGITS), dim=-1))
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
    target = to_numpy(F.softmax(torch.as_tensor(data(6, 4, seed=6)), dim=-1))
    log_q = to_numpy(F.log_softmax(torch.as_tensor(LOGITS), dim=-1))
    torch_loss = nn.KLDivLoss(reduction="batchmean")
    return _loss(
        torch_loss,
        keras.losses.KLDivergence(),
        log_q,
        target,
        keras_args=(target, np.exp(log_q)),
    )


if __name__ == "__main__":
    check_all(ROWS, "loss")
    #> 10 loss rows, each equal within its tolerance
