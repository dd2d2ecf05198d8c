"""Linear regression in TensorFlow (Keras 3): recover a known slope from noisy data."""

# --8<-- [start:data]
import numpy as np

rng = np.random.default_rng(0)
size = rng.uniform(500, 3000, 200)  # square feet
price = 0.2 * size + 10 + rng.normal(0, 15, 200)  # $1000s; the true slope is 0.2
# --8<-- [end:data]

# --8<-- [start:fit]
import os

import keras
import tensorflow as tf

# Where every example runs: DOCS_DEVICE=cuda for a GPU, the CPU by default.
# DOCS_DEVICE=cuda asks for the GPU; tensorflow-cpu (beside CUDA torch) has none.
gpu_asked = os.environ.get("DOCS_DEVICE", "cpu") == "cuda"
has_gpu = bool(tf.config.list_physical_devices("GPU"))
tf_device = "/GPU:0" if gpu_asked and has_gpu else "/CPU:0"
keras.utils.set_random_seed(0)

# Standardise the input: plain SGD on raw sizes (about 2000) diverges.
mean, std = size.mean(), size.std()
x = (size - mean) / std

with tf.device(tf_device):
    # Keras 3 declares inputs with keras.Input, not input_shape= on a layer.
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    # One batch of all 200 points per epoch: the same full-batch descent as PyTorch.
    # Each step shrinks the distance to the least-squares answer by 1 - 2 * 0.1 = 0.8;
    # after 100 steps 0.8**100 = 2e-10 of it is left, under float32's rounding.
    model.fit(x, price, epochs=100, batch_size=len(x), verbose=0)

kernel, bias = model.layers[0].get_weights()
keras_slope = float(kernel[0, 0]) / std  # undo the scaling: $1000s per square foot
print(f"learned slope: {keras_slope:.3f}")
#> learned slope: 0.198
# --8<-- [end:fit]

# --8<-- [start:check]
# Least squares has a closed form: gradient descent must land on it.
ols_slope = np.polyfit(size, price, 1)[0]
assert abs(keras_slope - ols_slope) < 1e-4, (keras_slope, ols_slope)
assert abs(keras_slope - 0.2) < 0.005, keras_slope
# --8<-- [end:check]

# --8<-- [start:diverge]
with tf.device(tf_device):
    raw = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    raw.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    history = raw.fit(size, price, epochs=20, batch_size=len(size), verbose=0)
final_loss = history.history["loss"][-1]
print(f"loss still finite after 20 steps on raw sizes: {bool(np.isfinite(final_loss))}")
#> loss still finite after 20 steps on raw sizes: False
# --8<-- [end:diverge]

# --8<-- [start:adam]
# The same raw sizes, learning rate and 100 full-batch steps, with Adam for SGD.
keras.utils.set_random_seed(0)
with tf.device(tf_device):
    raw = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    raw.compile(optimizer=keras.optimizers.Adam(learning_rate=0.1), loss="mse")
    history = raw.fit(size, price, epochs=100, batch_size=len(size), verbose=0)
final_loss = history.history["loss"][-1]
kernel, bias = raw.layers[0].get_weights()
adam_slope, adam_intercept = float(kernel[0, 0]), float(bias[0])
ols_intercept = np.polyfit(size, price, 1)[1]
print(f"Adam, loss finite after 100 steps: {bool(np.isfinite(final_loss))}")
#> Adam, loss finite after 100 steps: True
print(f"Adam, slope within 0.01 of 0.2: {abs(adam_slope - 0.2) < 0.01}")
#> Adam, slope within 0.01 of 0.2: True
intercept_close = abs(adam_intercept - ols_intercept) < 5
print(f"Adam, intercept within 5 of least squares: {intercept_close}")
#> Adam, intercept within 5 of least squares: False
assert np.isfinite(final_loss), final_loss
assert abs(adam_slope - 0.2) < 0.01, adam_slope
assert not intercept_close, (adam_intercept, ols_intercept)
# --8<-- [end:adam]

# --8<-- [start:input-shape]
import warnings

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    keras.layers.Dense(1, input_shape=[1])  # the articles' spelling
warned = any("input_shape" in str(w.message) for w in caught)
print(f"Keras 3 warns about input_shape: {warned}")
#> Keras 3 warns about input_shape: True
assert warned
# --8<-- [end:input-shape]
