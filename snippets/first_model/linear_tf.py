"""Linear regression in TensorFlow (Keras 3): recover a known slope from noisy data."""

# --8<-- [start:data]
import numpy as np

rng = np.random.default_rng(0)
size = rng.uniform(500, 3000, 200)  # square feet
price = 0.2 * size + 10 + rng.normal(0, 15, 200)  # $1000s; the true slope is 0.2
# --8<-- [end:data]

# --8<-- [start:fit]
import keras
import tensorflow as tf

from docs_device import tf_device

keras.utils.set_random_seed(0)

# Standardise the input: plain SGD on raw sizes (about 2000) diverges.
mean, std = size.mean(), size.std()
x = (size - mean) / std

with tf.device(tf_device()):
    # Keras 3 declares inputs with keras.Input, not input_shape= on a layer.
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    # One batch of all 200 points per epoch: the same full-batch descent as PyTorch.
    model.fit(x, price, epochs=200, batch_size=len(x), verbose=0)

kernel, bias = model.layers[0].get_weights()
slope = float(kernel[0, 0]) / std  # undo the scaling: $1000s per square foot
print(f"learned slope: {slope:.3f}")
#> learned slope: 0.198
# --8<-- [end:fit]

# --8<-- [start:check]
# Least squares has a closed form: gradient descent must land on it.
ols_slope = np.polyfit(size, price, 1)[0]
assert abs(slope - ols_slope) < 1e-4, (slope, ols_slope)
assert abs(slope - 0.2) < 0.005, slope
# --8<-- [end:check]

# --8<-- [start:input-shape]
import warnings

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    keras.layers.Dense(1, input_shape=[1])  # the articles' spelling
print(f"Keras 3 warns about input_shape: {any('input_shape' in str(w.message) for w in caught)}")
#> Keras 3 warns about input_shape: True
# --8<-- [end:input-shape]

# --8<-- [start:diverge]
with tf.device(tf_device()):
    raw = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    raw.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    history = raw.fit(size, price, epochs=20, batch_size=len(size), verbose=0)
final_loss = history.history["loss"][-1]
print(f"loss still finite after 20 steps on raw sizes: {bool(np.isfinite(final_loss))}")
#> loss still finite after 20 steps on raw sizes: False
# --8<-- [end:diverge]
