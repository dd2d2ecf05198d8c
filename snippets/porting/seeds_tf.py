"""Two Keras training runs that end with bit-identical weights, and what makes them
so."""

# The device, as the page's first TensorFlow block (the RNN's training) sets it.
from gru_lstm_tf import tf_device

# isort: split

# --8<-- [start:seeds]
import keras
import numpy as np
import tensorflow as tf


def train_once(seed: int | None) -> list[np.ndarray]:
    if seed is not None:
        # Python's, NumPy's and the backend's generators
        keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((20,)),
            keras.layers.Dense(32),
            keras.layers.Dropout(0.2),
            keras.layers.ReLU(),
            keras.layers.Dense(1),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    x, y = keras.random.normal((256, 20)), keras.random.normal((256, 1))
    with tf.device(tf_device):
        model.fit(x, y, batch_size=32, epochs=1, shuffle=True, verbose=0)
    return model.get_weights()


# An error, not a silent difference, for any op without a deterministic kernel:
tf.config.experimental.enable_op_determinism()
try:
    same_seed = all(np.array_equal(a, b) for a, b in zip(train_once(0), train_once(0)))
    unseeded = all(
        np.array_equal(a, b) for a, b in zip(train_once(None), train_once(None))
    )
finally:
    # Process-wide, and TensorFlow has no public switch to turn it off: call it once at
    # program start. This page's later blocks run in the same program, so it reaches for
    # the private one.
    from tensorflow.python.framework import config as tf_config

    tf_config.disable_op_determinism()
print(f"seeded runs bit-identical: {same_seed}, unseeded: {unseeded}")
#> seeded runs bit-identical: True, unseeded: False
assert same_seed
assert not unseeded
# --8<-- [end:seeds]
