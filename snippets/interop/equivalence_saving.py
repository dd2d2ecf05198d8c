"""API table rows on docs/interop.md: saving, devices, precision, layout.

Each check returns the PyTorch and the TensorFlow result; equivalence_checks.run()
compares them within the row's tolerance.
"""

from __future__ import annotations

import os
import tempfile

import keras
import numpy as np
import tensorflow as tf
import torch
from equivalence_checks import (
    DEVICE,
    DEVICE_NAME,
    EXACT,
    F32,
    HALF,
    check_all,
    data,
    nhwc,
    param,
    registry,
    seeded,
    to_numpy,
    to_torch,
)
from torch import nn

ROWS: list = []
row = registry(ROWS)


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
        state = {k: to_numpy(v) for k, v in torch_twin.state_dict().items()}
        keras_model.set_weights(
            [state["0.weight"].T, state["0.bias"], state["2.weight"].T, state["2.bias"]]
        )
        keras_model.save_weights(os.path.join(tmp, "model.weights.h5"))
        keras_twin = keras.models.clone_model(keras_model)
        keras_twin.load_weights(os.path.join(tmp, "model.weights.h5"))
    with torch.no_grad():
        torch_before, torch_after = (
            to_numpy(torch_model(to_torch(x))),
            to_numpy(torch_twin(to_torch(x))),
        )
    keras_before, keras_after = to_numpy(keras_model(x)), to_numpy(keras_twin(x))
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
    torch_x = to_torch(data(2))
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
        out = m(to_torch(x))
    dense = keras.layers.Dense(8, dtype=policy)
    dense.build(x.shape)
    dense.set_weights([param(m, "weight").T, param(m, "bias")])
    keras_out = dense(x)
    assert (out.dtype, m.weight.dtype) == (half, torch.float32)
    assert (keras_out.dtype.name, dense.kernel.dtype) == (
        policy.split("_")[1],
        "float32",
    )
    return to_numpy(out), to_numpy(keras_out)


@row(
    "layout",
    "x.permute(0, 2, 3, 1)",
    "tf.transpose(x, [0, 2, 3, 1])",
    EXACT,
    "NCHW to NHWC",
)
def permute_layout():
    x = data(2, 3, 4, 5)
    return to_numpy(to_torch(x).permute(0, 2, 3, 1)), to_numpy(
        tf.transpose(x, [0, 2, 3, 1])
    )


@row(
    "layout",
    "x.contiguous(memory_format=torch.channels_last)",
    "an NHWC tensor",
    EXACT,
    "same bytes in memory; PyTorch still reports the shape as NCHW",
)
def channels_last_memory():
    x = data(2, 3, 4, 5)
    cl = to_torch(x).contiguous(memory_format=torch.channels_last)
    assert cl.shape == x.shape
    in_memory = torch.as_strided(cl, (cl.numel(),), (1,))
    return to_numpy(in_memory), to_numpy(
        tf.reshape(tf.transpose(x, [0, 2, 3, 1]), [-1])
    )


@row(
    "layout",
    "x.permute(0, 2, 3, 1).flatten(1)",
    "layers.Flatten() on NHWC",
    EXACT,
    "flatten NCHW as is and a Dense after it sees the features in another order",
)
def flatten_order():
    x = data(2, 3, 4, 4)
    return to_numpy(to_torch(x).permute(0, 2, 3, 1).flatten(1)), to_numpy(
        keras.layers.Flatten()(nhwc(x))
    )


if __name__ == "__main__":
    check_all(ROWS, "saving, device, precision and layout")
    #> 6 saving, device, precision and layout rows, each equal within its tolerance
