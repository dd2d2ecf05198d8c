"""A Keras model with an LSTM and a GRU, trained briefly on digits read row by row.

The model to port.
"""

# --8<-- [start:train]
import os

import keras
import numpy as np
import tensorflow as tf
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

# The TensorFlow device; `device` is PyTorch's on this page, which uses both.
# DOCS_DEVICE=cuda asks for the GPU; tensorflow-cpu (beside CUDA torch) has none.
gpu_asked = os.environ.get("DOCS_DEVICE", "cpu") == "cuda"
has_gpu = bool(tf.config.list_physical_devices("GPU"))
tf_device = "/GPU:0" if gpu_asked and has_gpu else "/CPU:0"

digits = load_digits()
# Each image as a sequence of 8 rows of 8 pixels
rows = (digits.images / 16).astype(np.float32)
rows_train, rows_test, labels_train, labels_test = train_test_split(
    rows, digits.target, test_size=0.2, random_state=0
)

keras.utils.set_random_seed(0)
keras_rnn = keras.Sequential(
    [
        keras.Input(shape=(8, 8)),
        keras.layers.LSTM(16, return_sequences=True),
        keras.layers.GRU(16),  # reset_after=True, the Keras 3 default
        keras.layers.Dense(10),
    ]
)
keras_rnn.compile(
    optimizer=keras.optimizers.Adam(1e-2),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=["accuracy"],
)
with tf.device(tf_device):
    keras_rnn.fit(rows_train, labels_train, epochs=5, batch_size=64, verbose=0)
    # One batch: calling the model skips the graph predict() would trace.
    rnn_logits = keras.ops.convert_to_numpy(keras_rnn(rows_test, training=False))
rnn_accuracy = (rnn_logits.argmax(axis=1) == labels_test).mean()
print(f"test accuracy at least 75%: {rnn_accuracy >= 0.75}")
#> test accuracy at least 75%: True
# Training moved the biases off zero, so a misplaced bias shows up in the outputs.
print(f"GRU biases all non-zero: {(keras_rnn.layers[1].get_weights()[2] != 0).all()}")
#> GRU biases all non-zero: True
assert rnn_accuracy >= 0.75, rnn_accuracy
# --8<-- [end:train]
