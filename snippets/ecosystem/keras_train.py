"""One Keras 3 model file: KERAS_BACKEND, read when keras is first imported, picks the engine."""

import json
import sys

# --8<-- [start:model]
import keras
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

digits = load_digits()  # 1,797 8x8 images that ship with scikit-learn: no download
x = (digits.data / 16).astype(np.float32)
x_train, x_test, y_train, y_test = train_test_split(x, digits.target, test_size=0.2, random_state=0)


def make_model():
    model = keras.Sequential(
        [keras.Input(shape=(64,)), keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10)]
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
    # shuffle=False: each backend has its own data pipeline, and they shuffle differently.
    history = model.fit(x_train, y_train, batch_size=64, epochs=5, shuffle=seeded, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    return {
        "backend": keras.backend.backend(),
        "initial_kernel": initial[:2, :4].tolist(),
        "train_loss": history.history["loss"],
        "test_accuracy": accuracy,
    }
    # --8<-- [end:model]


if __name__ == "__main__" and sys.argv[1:2] == ["--json"]:
    print(json.dumps({"seeded": train(seeded=True), "shared_init": train(seeded=False)}))
    from child_exit import exit_now

    exit_now(0)  # the result is printed; the parent waits for this exit code, not for the teardown

if __name__ == "__main__":
    result = train(seeded=False)
    print(f"test accuracy above 0.9: {result['test_accuracy'] > 0.9}")
    #> test accuracy above 0.9: True
    assert result["train_loss"][-1] < result["train_loss"][0]
