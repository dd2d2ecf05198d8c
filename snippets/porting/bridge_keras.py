"""Keras 3 as the bridge: one model's code, and what each backend does with it.

Keras picks its backend once, at import, from KERAS_BACKEND. The page shows this file's
sections as one file to save, bridge_keras.py; bridge_run.py imports it for its own
backend and starts it with --worker in a child process for the other one.
"""

# --8<-- [start:model]
import importlib.util

# PyPI's CUDA torch brings Triton, which crashes when it loads after TensorFlow:
# load it first (API equivalence, "Both frameworks in one process").
if importlib.util.find_spec("triton"):
    import triton  # noqa: F401

import keras
import numpy as np


def build_bridge_model() -> keras.Sequential:
    """Nothing here names a backend: layers and keras.ops only."""
    return keras.Sequential(
        [
            keras.Input(shape=(8, 8, 1)),
            keras.layers.Conv2D(4, 3, padding="same"),
            keras.layers.BatchNormalization(),
            keras.layers.ReLU(),
            keras.layers.Flatten(),
            keras.layers.Dense(10),
        ]
    )


def bridge_inputs() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.random((64, 8, 8, 1), dtype=np.float32), rng.integers(0, 10, size=64)


# 4 * 9 + 4 convolution, 4 * 4 batch norm (2 of them statistics), 256 * 10 + 10 dense
assert build_bridge_model().count_params() == 40 + 16 + 2570
# --8<-- [end:model]


# --8<-- [start:report]
import re


def backend_report(weights_path: str) -> dict:
    """On the current backend: outputs from the saved weights, a few training steps,
    then the limits."""
    x, y = bridge_inputs()
    model = build_bridge_model()
    model.load_weights(weights_path)
    # One batch: calling the model skips the graph predict() would trace.
    outputs = keras.ops.convert_to_numpy(model(x, training=False))
    model.compile(
        optimizer=keras.optimizers.SGD(0.1),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    history = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    trained = np.concatenate([w.ravel() for w in model.get_weights()])
    return {
        "backend": keras.backend.backend(),
        "outputs": outputs.tolist(),
        "losses": history.history["loss"],
        "trained": trained.tolist(),
        "limits": {name: outcome(case) for name, case in LIMITS.items()},
    }


def outcome(case) -> str:
    """ "works", or the error type and the first line of the message that is not
    Keras' wrapper."""
    try:
        case()
    except Exception as exc:  # the point is to record whatever each backend raises
        lines = [
            re.sub(r"\x1b\[[0-9;]*m", "", line).strip()
            for line in str(exc).splitlines()
        ]
        lines = [
            line
            for line in lines
            if line and not line.startswith("Exception encountered")
        ] or [""]
        return f"{type(exc).__name__}: {lines[0][:200]}"
    return "works"


class KerasOpsLayer(keras.layers.Layer):
    def call(self, x):
        # keras.ops dispatches to the backend that is running
        return keras.ops.softplus(x)


class TensorFlowOpsLayer(keras.layers.Layer):
    def call(self, x):
        import tensorflow as tf

        return tf.math.softplus(x)


class TorchOpsLayer(keras.layers.Layer):
    def call(self, x):
        import torch

        return torch.nn.functional.softplus(x)


def run_layer(layer) -> None:
    """A training step and a prediction through `layer`, after a trainable layer."""
    model = keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(8), layer, keras.layers.Dense(2)]
    )
    model.compile(optimizer="sgd", loss="mse")
    x = np.ones((4, 8), dtype=np.float32)
    model.fit(x, np.zeros((4, 2), dtype=np.float32), verbose=0)
    model.predict(x, verbose=0)


def torch_module_wrapper() -> None:
    import torch

    run_layer(keras.layers.TorchModuleWrapper(torch.nn.Linear(8, 8)))


def fit_on_tf_data() -> None:
    import tensorflow as tf

    x, y = bridge_inputs()
    model = build_bridge_model()
    model.compile(
        optimizer="sgd",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    model.fit(dataset, epochs=1, shuffle=False, verbose=0)


LIMITS = {
    "custom layer with keras.ops": lambda: run_layer(KerasOpsLayer()),
    "custom layer with tf ops": lambda: run_layer(TensorFlowOpsLayer()),
    "custom layer with torch ops": lambda: run_layer(TorchOpsLayer()),
    "keras.layers.TorchModuleWrapper": torch_module_wrapper,
    "fit on a tf.data.Dataset": fit_on_tf_data,
}
# --8<-- [end:report]

# --8<-- [start:worker]
import json
import os
import sys

if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    # `python bridge_keras.py --worker WEIGHTS`: the report, as one line of JSON.
    print(json.dumps(backend_report(sys.argv[2])))
    # Skip TensorFlow's interpreter teardown (about 2 s of CPU) once the line is out.
    sys.stdout.flush()
    os._exit(0)
# --8<-- [end:worker]

if __name__ == "__main__":
    # Alone, a cheap check on this process's backend: the weights file round-trips.
    import tempfile
    from pathlib import Path

    keras.utils.set_random_seed(0)
    first, second = build_bridge_model(), build_bridge_model()
    with tempfile.TemporaryDirectory() as folder:
        first.save_weights(Path(folder) / "bridge.weights.h5")
        second.load_weights(Path(folder) / "bridge.weights.h5")
    x, _ = bridge_inputs()
    same = np.array_equal(first.predict(x, verbose=0), second.predict(x, verbose=0))
    print(f"outputs equal after a round trip through .weights.h5: {same}")
    #> outputs equal after a round trip through .weights.h5: True
    assert same
