"""Everyday tasks in TensorFlow, written the way its documentation teaches them.

fieldguide/measure/line_counts.py counts their lines.
"""

# --8<-- [start:data]
import os
import tempfile

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

digits = load_digits()
x = (digits.data / 16).astype(np.float32)
x_train, x_test, y_train, y_test = train_test_split(
    x, digits.target, test_size=0.2, random_state=0
)
save_dir = tempfile.mkdtemp()
# --8<-- [end:data]

# --8<-- [start:define]
import keras

keras.utils.set_random_seed(0)
keras_model = keras.Sequential(
    [
        keras.Input(shape=(64,)),
        keras.layers.Dense(128, activation="relu", name="hidden"),
        keras.layers.Dense(10, name="logits"),
    ],
    name="digits",
)
keras_model.compile(
    optimizer=keras.optimizers.Adam(1e-3),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=["accuracy"],
)
# --8<-- [end:define]

# --8<-- [start:summary]
# Keras's own table: each layer, its output shape and its parameter count.
keras_model.summary()
#> Model: "digits"
#> ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
#> ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
#> ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
#> │ hidden (Dense)                  │ (None, 128)            │         8,320 │
#> ├─────────────────────────────────┼────────────────────────┼───────────────┤
#> │ logits (Dense)                  │ (None, 10)             │         1,290 │
#> └─────────────────────────────────┴────────────────────────┴───────────────┘
#>  Total params: 9,610 (37.54 KB)
#>  Trainable params: 9,610 (37.54 KB)
#>  Non-trainable params: 0 (0.00 B)
for layer in keras_model.layers:
    shapes = [tuple(weight.shape) for weight in layer.weights]
    print(f"{layer.name}: {shapes}, {layer.count_params():,}")
#> hidden: [(64, 128), (128,)], 8,320
#> logits: [(128, 10), (10,)], 1,290
# Each layer holds inputs x outputs weights and one bias per output; the kernel is
# (inputs, outputs), the transpose of nn.Linear's weight.
assert keras_model.count_params() == (64 * 128 + 128) + (128 * 10 + 10)
# --8<-- [end:summary]

# --8<-- [start:train]
keras_model.fit(x_train, y_train, batch_size=32, epochs=10, verbose=0)
# --8<-- [end:train]

# --8<-- [start:evaluate]
loss, keras_accuracy = keras_model.evaluate(x_test, y_test, verbose=0)
# --8<-- [end:evaluate]

# --8<-- [start:save-load]
keras_path = os.path.join(save_dir, "model.keras")
keras_model.save(keras_path)
restored_keras = keras.models.load_model(keras_path)
# --8<-- [end:save-load]


# --8<-- [start:custom-layer]
class Scale(keras.layers.Layer):
    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, inputs):
        return inputs * self.scale


scaled_keras = keras.Sequential(
    [keras.Input(shape=(64,)), keras.layers.Dense(10), Scale()]
)
# --8<-- [end:custom-layer]

# --8<-- [start:check]
same_keras = np.array_equal(
    restored_keras.predict(x_test, verbose=0), keras_model.predict(x_test, verbose=0)
)
print(
    f"test accuracy above 0.9: {keras_accuracy > 0.9}; restored identical: {same_keras}"
)
#> test accuracy above 0.9: True; restored identical: True
print(f"custom layer's parameters counted: {scaled_keras.count_params()}")
#> custom layer's parameters counted: 660
# --8<-- [end:check]
