# --8<-- [start:script]
"""keras_train.py: one Keras 3 model, trained twice.

KERAS_BACKEND, read when keras is first imported, picks the engine:
KERAS_BACKEND=torch python keras_train.py
"""

import json
import os
import sys

import keras
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

digits = load_digits()  # 1,797 8x8 images that ship with scikit-learn: no download
x = (digits.data / 16).astype(np.float32)
x_train, x_test, y_train, y_test = train_test_split(
    x, digits.target, test_size=0.2, random_state=0
)


def make_model():
    model = keras.Sequential(
        [
            keras.Input(shape=(64,)),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.SGD(0.1),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def numpy_weights():
    """Initial weights drawn by NumPy, the same bits whichever backend runs."""
    rng = np.random.default_rng(0)
    return [
        rng.uniform(-0.2, 0.2, size=(64, 128)).astype(np.float32),
        np.zeros(128, np.float32),
        rng.uniform(-0.2, 0.2, size=(128, 10)).astype(np.float32),
        np.zeros(10, np.float32),
    ]


def train(seeded: bool) -> dict:
    keras.utils.set_random_seed(0)
    model = make_model()
    if not seeded:
        model.set_weights(numpy_weights())
    initial = model.get_weights()[0]
    # shuffle=False: each backend has its own data pipeline, which shuffles differently.
    history = model.fit(
        x_train, y_train, batch_size=64, epochs=5, shuffle=seeded, verbose=0
    )
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    return {
        "backend": keras.backend.backend(),
        "initial_kernel": initial[:2, :4].tolist(),
        "train_loss": history.history["loss"],
        "test_accuracy": accuracy,
    }


runs = {"seeded": train(seeded=True), "shared_init": train(seeded=False)}
fell = all(run["train_loss"][-1] < run["train_loss"][0] for run in runs.values())
print(f"trained twice; the loss fell both times: {fell}")
#> trained twice; the loss fell both times: True
print(json.dumps(runs))  # one line, for the script that started this one
sys.stdout.flush()
os._exit(0)  # skip the interpreter's teardown (about 2 s of CPU): all is printed
# --8<-- [end:script]
