"""API table rows on docs/interop.md: optimisers.

Each check returns the PyTorch and the TensorFlow result; equivalence_checks.run()
compares them within the row's tolerance.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
import torch
from equivalence_checks import (
    F32,
    F32_CHAIN,
    check_all,
    data,
    registry,
    to_numpy,
    to_torch,
)
from torch import nn

ROWS: list = []
row = registry(ROWS)

START = data(5, seed=7)
GRADS = [data(5, seed=8 + i) for i in range(3)]


def _steps(make_torch, keras_optimizer):
    param = nn.Parameter(to_torch(START.copy()))
    opt = make_torch([param])
    for g in GRADS:
        param.grad = to_torch(g)
        opt.step()
    var = keras.Variable(START.copy())
    for g in GRADS:
        keras_optimizer.apply_gradients([(tf.constant(g), var)])
    return to_numpy(param), to_numpy(var)


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
    params = [nn.Parameter(to_torch(np.zeros_like(g))) for g in GRADS]
    for param, g in zip(params, GRADS):
        param.grad = to_torch(g)
    nn.utils.clip_grad_norm_(params, 1.0)
    clipped, _ = tf.clip_by_global_norm([tf.constant(g) for g in GRADS], 1.0)
    return np.stack([to_numpy(q.grad) for q in params]), np.stack(
        [to_numpy(c) for c in clipped]
    )


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
    return np.array(torch_lrs), np.array(
        [to_numpy(schedule(step)) for step in range(6)]
    )


if __name__ == "__main__":
    check_all(ROWS, "optimiser")
    #> 9 optimiser rows, each equal within its tolerance
