"""Mixed precision in Keras: bfloat16 and float16 policies, what stays float32."""

# --8<-- [start:data]
import keras
import numpy as np
from sklearn.datasets import load_digits


def digits_model():
    # The last layer in float32: the softmax and the loss then see float32 values.
    return keras.Sequential(
        [
            keras.Input((64,)),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(10),
            keras.layers.Activation("softmax", dtype="float32"),
        ]
    )


digits = load_digits()  # 1797 8x8 images, shipped with scikit-learn
order = np.random.default_rng(0).permutation(len(digits.target))
x_all = (digits.data[order] / 16).astype(np.float32)
y_all = digits.target[order]
train_images, train_labels = x_all[:1400], y_all[:1400]
test_images, test_labels = x_all[1400:], y_all[1400:]
# --8<-- [end:data]

# --8<-- [start:dtypes]
keras.mixed_precision.set_global_policy("mixed_bfloat16")  # for every layer made next
model = digits_model()
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.train_on_batch(train_images[:32], train_labels[:32])
hidden = model.layers[0]
print("compute:", hidden.compute_dtype, "weights:", hidden.variable_dtype)
#> compute: bfloat16 weights: float32
print("logits:", model.layers[1](model.layers[0](train_images[:2])).dtype.name)
#> logits: bfloat16
print("softmax:", model(train_images[:2]).dtype.name)
#> softmax: float32
loss = keras.losses.SparseCategoricalCrossentropy()(
    train_labels[:2], model(train_images[:2])
)
print("loss:", loss.dtype.name)
#> loss: float32
print("Adam's moments:", {v.dtype for v in model.optimizer.variables[2:]})
#> Adam's moments: {'float32'}
# --8<-- [end:dtypes]

# --8<-- [start:loss-scale]
# float16 needs loss scaling; compile() wraps the optimizer when the policy is float16.
keras.mixed_precision.set_global_policy("mixed_float16")
model = digits_model()
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
wrapped = model.optimizer
print(type(wrapped).__name__, "of", type(wrapped.inner_optimizer).__name__)
#> LossScaleOptimizer of Adam
print("starting scale:", wrapped.initial_scale)
#> starting scale: 32768.0
# In a loop of your own: take the gradient of scale_loss(loss); apply() unscales them,
# skips the step when one is inf or NaN, and lowers the scale.
custom = keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam())
print("scaled loss of 1.0:", float(custom.scale_loss(1.0)))
#> scaled loss of 1.0: 32768.0
keras.mixed_precision.set_global_policy(
    "float32"
)  # back to the default for what follows
# --8<-- [end:loss-scale]


# --8<-- [start:accuracy]
def accuracy_after_training(policy):
    keras.mixed_precision.set_global_policy(policy)
    keras.utils.set_random_seed(0)
    model = digits_model()
    model.compile(
        optimizer=keras.optimizers.AdamW(0.01),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(train_images, train_labels, batch_size=100, epochs=5, verbose=0)
    keras.mixed_precision.set_global_policy("float32")
    return model.evaluate(test_images, test_labels, verbose=0)[1]


full = accuracy_after_training("float32")
half = accuracy_after_training("mixed_bfloat16")
print(
    f"float32 above 90%: {full > 0.9}, bfloat16 within 2 points of it: "
    f"{abs(full - half) < 0.02}"
)
#> float32 above 90%: True, bfloat16 within 2 points of it: True
# --8<-- [end:accuracy]
