"""The same optimiser steps in PyTorch and Keras: which defaults must be aligned, and
which cannot be."""

# --8<-- [start:steps]
import keras
import numpy as np
import torch

rng = np.random.default_rng(0)
start = rng.normal(size=1000).astype(np.float32)


def gradient_stream(scale: float, steps: int = 5) -> list[np.ndarray]:
    return [
        (scale * rng.normal(size=start.shape)).astype(np.float32) for _ in range(steps)
    ]


def torch_steps(make_optimizer, gradients) -> np.ndarray:
    weights = torch.nn.Parameter(torch.from_numpy(start.copy()))
    optimizer = make_optimizer([weights])
    for gradient in gradients:
        weights.grad = torch.from_numpy(gradient)
        optimizer.step()
    return weights.detach().numpy()


def keras_steps(optimizer, gradients) -> np.ndarray:
    weights = keras.Variable(start.copy())
    for gradient in gradients:
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(gradient), weights)])
    return keras.ops.convert_to_numpy(weights)


def ulps(a: np.ndarray, b: np.ndarray) -> float:
    """The largest difference between two weight vectors, in float32 steps (ulps) at
    the largest weight."""
    return float(np.abs(a - b).max() / (np.finfo(np.float32).eps * np.abs(a).max()))


# Five steps of about ten float32 operations per weight, each rounding by at most half
# an ulp, stay under 25 ulps; 64 leaves headroom. Every mismatch below is hundreds of
# ulps.
ULPS = 64
assert ulps(start, start) == 0
# --8<-- [end:steps]

# --8<-- [start:epsilon]
# As small as gradients get for rarely used weights, late in training:
tiny = gradient_stream(scale=1e-5)
gaps = {
    "defaults (1e-8 and 1e-7)": ulps(
        torch_steps(lambda p: torch.optim.Adam(p, lr=1e-3), tiny),
        keras_steps(keras.optimizers.Adam(1e-3), tiny),
    ),
    "both epsilon=1e-8": ulps(
        torch_steps(lambda p: torch.optim.Adam(p, lr=1e-3, eps=1e-8), tiny),
        keras_steps(keras.optimizers.Adam(1e-3, epsilon=1e-8), tiny),
    ),
    "both epsilon=0": ulps(
        torch_steps(lambda p: torch.optim.Adam(p, lr=1e-3, eps=0.0), tiny),
        keras_steps(keras.optimizers.Adam(1e-3, epsilon=0.0), tiny),
    ),
}
for setting, gap in gaps.items():
    print(f"{setting}: within {ULPS} ulps {gap < ULPS}")
#> defaults (1e-8 and 1e-7): within 64 ulps False
#> both epsilon=1e-8: within 64 ulps False
#> both epsilon=0: within 64 ulps True
# --8<-- [end:epsilon]

# --8<-- [start:epsilon-check]
assert gaps["both epsilon=0"] < ULPS
# Keras adds epsilon to sqrt(v) before the bias correction, PyTorch after it: at step t
# the Keras epsilon acts like epsilon / sqrt(1 - 0.999**t) in PyTorch's formula, 32x
# larger at t=1.
assert gaps["defaults (1e-8 and 1e-7)"] > gaps["both epsilon=1e-8"] > 10 * ULPS
# --8<-- [end:epsilon-check]

# --8<-- [start:weight-decay]
ordinary = gradient_stream(scale=1.0)
# epsilon=0 on both sides, so that only the weight decay differs (see the epsilon
# section).
decoupled = torch_steps(
    lambda p: torch.optim.AdamW(p, lr=1e-2, weight_decay=0.1, eps=0.0), ordinary
)
candidates = {
    "torch Adam(weight_decay=0.1), L2 in the gradient": torch_steps(
        lambda p: torch.optim.Adam(p, lr=1e-2, weight_decay=0.1, eps=0.0), ordinary
    ),
    "Keras Adam(weight_decay=0.1)": keras_steps(
        keras.optimizers.Adam(1e-2, weight_decay=0.1, epsilon=0.0), ordinary
    ),
    "Keras AdamW(weight_decay=0.1)": keras_steps(
        keras.optimizers.AdamW(1e-2, weight_decay=0.1, epsilon=0.0), ordinary
    ),
    "Keras AdamW() with its default 0.004": keras_steps(
        keras.optimizers.AdamW(1e-2, epsilon=0.0), ordinary
    ),
}
decay_gaps = {name: ulps(weights, decoupled) for name, weights in candidates.items()}
print("the same steps as torch AdamW(weight_decay=0.1):")
for name, gap in decay_gaps.items():
    print(f"{name}: {gap < ULPS}")
#> the same steps as torch AdamW(weight_decay=0.1):
#> torch Adam(weight_decay=0.1), L2 in the gradient: False
#> Keras Adam(weight_decay=0.1): True
#> Keras AdamW(weight_decay=0.1): True
#> Keras AdamW() with its default 0.004: False
matches = [gap < ULPS for gap in decay_gaps.values()]
assert matches == [False, True, True, False], decay_gaps
# --8<-- [end:weight-decay]

# --8<-- [start:schedules]
steps_per_epoch, epochs = 5, 6


def torch_rates(make_scheduler, step_every_batch: bool) -> np.ndarray:
    """The learning rate each batch trains with, stepping the scheduler per batch or
    per epoch."""
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1e-2)
    scheduler, rates = make_scheduler(optimizer), []
    for batch in range(steps_per_epoch * epochs):
        rates.append(optimizer.param_groups[0]["lr"])
        # A real loop trains here; PyTorch warns when a scheduler steps first.
        optimizer.step()
        if step_every_batch or (batch + 1) % steps_per_epoch == 0:
            scheduler.step()
    return np.array(rates)


def keras_rates(schedule) -> np.ndarray:
    """Keras calls the schedule with the optimizer's batch counter, `iterations`,
    from 0."""
    return np.array([float(schedule(step)) for step in range(steps_per_epoch * epochs)])


step_lr = torch_rates(
    lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.5),
    step_every_batch=False,
)
cosine = torch_rates(
    lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=30, eta_min=1e-4),
    True,
)
schedules = {
    "StepLR(step_size=2 epochs) vs ExponentialDecay(decay_steps=2)": (
        step_lr,
        keras_rates(
            keras.optimizers.schedules.ExponentialDecay(1e-2, 2, 0.5, staircase=True)
        ),
    ),
    "StepLR(step_size=2 epochs) vs ExponentialDecay(decay_steps=2 * 5 batches)": (
        step_lr,
        keras_rates(
            keras.optimizers.schedules.ExponentialDecay(
                1e-2, 2 * steps_per_epoch, 0.5, staircase=True
            )
        ),
    ),
    "CosineAnnealingLR(eta_min=1e-4) vs CosineDecay(alpha=1e-4)": (
        cosine,
        keras_rates(keras.optimizers.schedules.CosineDecay(1e-2, 30, alpha=1e-4)),
    ),
    "CosineAnnealingLR(eta_min=1e-4) vs CosineDecay(alpha=1e-4 / 1e-2)": (
        cosine,
        keras_rates(
            keras.optimizers.schedules.CosineDecay(1e-2, 30, alpha=1e-4 / 1e-2)
        ),
    ),
}
same_schedule = {
    name: np.allclose(a, b, rtol=1e-5, atol=0) for name, (a, b) in schedules.items()
}
for name, same in same_schedule.items():
    print(f"{name}: {same}")
#> StepLR(step_size=2 epochs) vs ExponentialDecay(decay_steps=2): False
#> StepLR(step_size=2 epochs) vs ExponentialDecay(decay_steps=2 * 5 batches): True
#> CosineAnnealingLR(eta_min=1e-4) vs CosineDecay(alpha=1e-4): False
#> CosineAnnealingLR(eta_min=1e-4) vs CosineDecay(alpha=1e-4 / 1e-2): True
assert list(same_schedule.values()) == [False, True, False, True]
# --8<-- [end:schedules]
