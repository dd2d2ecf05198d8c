"""The same MLP digit classifier in TensorFlow: Keras fit, then the loop fit runs."""

import os

# As on the page's first TensorFlow block, so that this file also runs alone.
import tensorflow as tf

# DOCS_DEVICE=cuda asks for the GPU; tensorflow-cpu (beside CUDA torch) has none.
gpu_asked = os.environ.get("DOCS_DEVICE", "cpu") == "cuda"
has_gpu = bool(tf.config.list_physical_devices("GPU"))
tf_device = "/GPU:0" if gpu_asked and has_gpu else "/CPU:0"

# --8<-- [start:data]
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

digits = load_digits()  # 1,797 8x8 images that ship with scikit-learn: no download
x = (digits.data / 16).astype(np.float32)  # pixel values 0..16 scaled to 0..1
x_train, x_test, y_train, y_test = train_test_split(
    x, digits.target, test_size=0.2, random_state=0
)
# --8<-- [end:data]

# --8<-- [start:model]
import keras
import tensorflow as tf


def make_keras_mlp() -> keras.Sequential:
    # The same initial weights for every model built here.
    keras.utils.set_random_seed(0)
    # The last layer outputs logits, exactly like the PyTorch model.
    return keras.Sequential(
        [
            keras.Input(shape=(64,)),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10),
        ]
    )


with tf.device(tf_device):
    keras_model = make_keras_mlp()
    keras_model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    keras_model.fit(x_train, y_train, epochs=20, batch_size=32, verbose=0)
    _, keras_accuracy = keras_model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy at least 95%: {keras_accuracy >= 0.95}")
#> test accuracy at least 95%: True
# --8<-- [end:model]

# --8<-- [start:check]
assert keras_accuracy >= 0.95, keras_accuracy
# --8<-- [end:check]

# --8<-- [start:loop]
with tf.device(tf_device):
    looped = make_keras_mlp()
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    optimizer = keras.optimizers.Adam(learning_rate=1e-3)
    batches = (
        tf.data.Dataset.from_tensor_slices((x_train, y_train))
        .shuffle(len(x_train), seed=0)
        .batch(32)
    )

    @tf.function  # one traced graph per step instead of op-by-op Python dispatch
    def train_step(xb, yb):
        with tf.GradientTape() as tape:
            # The loss compares with the real labels, not with the prediction.
            loss = loss_fn(yb, looped(xb, training=True))
        grads = tape.gradient(loss, looped.trainable_variables)
        optimizer.apply_gradients(zip(grads, looped.trainable_variables))
        return loss

    for _ in range(20):
        for xb, yb in batches:
            train_step(xb, yb)
    predicted = looped(x_test).numpy().argmax(axis=1)
loop_accuracy = (predicted == y_test).mean()
print(f"hand-written loop, test accuracy at least 95%: {loop_accuracy >= 0.95}")
#> hand-written loop, test accuracy at least 95%: True
assert loop_accuracy >= 0.95, loop_accuracy
# --8<-- [end:loop]
