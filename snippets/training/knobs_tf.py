"""The training loop's knobs in TensorFlow: clipping, accumulation, schedules, weight
decay, early stopping, determinism."""

from pipeline_tf import tf_device

# isort: split

# --8<-- [start:setup]
import keras
import numpy as np
import tensorflow as tf


def keras_model():
    with tf.device(tf_device):
        model = keras.Sequential(
            [
                keras.Input((8,)),
                keras.layers.Dense(4, activation="tanh"),
                keras.layers.Dense(1),
            ]
        )
    model.set_weights(start_weights)
    return model


def gradients(model, rows=slice(None)):  # of the mean squared error on those rows
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((model(x[rows]) - y[rows]) ** 2)
    return tape.gradient(loss, model.trainable_variables)


def tf_global_norm(tensors):
    return float(tf.linalg.global_norm(tensors))


rng = np.random.default_rng(1)
x = rng.normal(size=(32, 8)).astype(np.float32)
# Large targets: large gradients, for the clipping to act on.
y = (10 * x @ rng.normal(size=(8, 1))).astype(np.float32)
# Initial weights in Keras's layout, (inputs, outputs): one start for both frameworks.
start_weights = [
    rng.normal(size=(8, 4)).astype(np.float32),
    np.zeros(4, np.float32),
    rng.normal(size=(4, 1)).astype(np.float32),
    np.zeros(1, np.float32),
]
# --8<-- [end:setup]

# --8<-- [start:clip]
model = keras_model()
# It returns the norm from before clipping too.
clipped, before = tf.clip_by_global_norm(gradients(model), 1.0)
tf_clipped = [g.numpy() for g in clipped]
print(f"global norm above 1: {float(before) > 1}, after: {tf_global_norm(clipped):.4f}")
#> global norm above 1: True, after: 1.0000
by_value = [tf.clip_by_value(g, -0.5, 0.5) for g in gradients(model)]  # each entry
print(
    "largest entry after clipping by value:",
    max(float(tf.reduce_max(tf.abs(g))) for g in by_value),
)
#> largest entry after clipping by value: 0.5


def update_norm(**clipping):  # SGD with lr 1: the update is the clipped gradient
    model = keras_model()
    keras.optimizers.SGD(1.0, **clipping).apply(
        gradients(model), model.trainable_variables
    )
    return tf_global_norm([a - b for a, b in zip(start_weights, model.get_weights())])


print(f"global_clipnorm=1: {update_norm(global_clipnorm=1.0):.4f}")
#> global_clipnorm=1: 1.0000
print(f"clipnorm=1 clips each variable alone: {update_norm(clipnorm=1.0) > 1.0001}")
#> clipnorm=1 clips each variable alone: True
# --8<-- [end:clip]

# --8<-- [start:accumulate]
whole = gradients(keras_model())
model = keras_model()
summed = [tf.zeros_like(v) for v in model.trainable_variables]
for part in range(4):  # 4 micro-batches of 8, each a mean over 8: add a quarter of each
    rows = slice(8 * part, 8 * part + 8)
    summed = [s + g / 4 for s, g in zip(summed, gradients(model, rows))]
same = all(np.allclose(a, b, atol=1e-5) for a, b in zip(whole, summed))
print(f"4 accumulated micro-batches == one batch of 32: {same}")
#> 4 accumulated micro-batches == one batch of 32: True

# Keras optimizers do it themselves: an update every 4th call, with the mean gradient.
model = keras_model()
accumulating = keras.optimizers.SGD(0.1, gradient_accumulation_steps=4)
for part in range(4):
    rows = slice(8 * part, 8 * part + 8)
    accumulating.apply(gradients(model, rows), model.trainable_variables)
    if part == 2:
        unchanged = all(
            np.array_equal(a, b) for a, b in zip(model.get_weights(), start_weights)
        )
one_step = keras_model()
keras.optimizers.SGD(0.1).apply(whole, one_step.trainable_variables)
same = all(
    np.allclose(a, b, atol=1e-5)
    for a, b in zip(model.get_weights(), one_step.get_weights())
)
print(f"unchanged after 3 calls: {unchanged}, the 4th == one step on 32: {same}")
#> unchanged after 3 calls: True, the 4th == one step on 32: True
# --8<-- [end:accumulate]

# --8<-- [start:schedule]
schedule = keras.optimizers.schedules.CosineDecay(
    initial_learning_rate=0.025,
    warmup_target=0.1,
    warmup_steps=4,  # 4 warm-up steps from 0.025 to 0.1,
    decay_steps=16,  # then 16 of cosine down to 0
)
keras_lrs = [float(schedule(step)) for step in range(20)]
print([round(lr, 4) for lr in keras_lrs[:6]], round(keras_lrs[-1], 4))
#> [0.025, 0.0438, 0.0625, 0.0813, 0.1, 0.099] 0.001
# --8<-- [end:schedule]


# --8<-- [start:weight-decay]
def one_step(optimizer):
    model = keras_model()
    optimizer.apply(gradients(model), model.trainable_variables)
    return model.get_weights()


plain = one_step(keras.optimizers.Adam(0.01))
decoupled = one_step(keras.optimizers.AdamW(0.01, weight_decay=0.1))
keras_adamw = decoupled
shrunk = [p - 0.01 * 0.1 * w for p, w in zip(plain, start_weights)]
print(
    f"AdamW == Adam's step, then w -= lr * decay * w: "
    f"{all(np.allclose(a, b, atol=1e-7) for a, b in zip(decoupled, shrunk))}"
)
#> AdamW == Adam's step, then w -= lr * decay * w: True
# In Keras 3 every optimizer's weight_decay is the decoupled kind: Adam's too.
adam_decay = one_step(keras.optimizers.Adam(0.01, weight_decay=0.1))
print(
    f"Adam(weight_decay) == AdamW: "
    f"{all(np.allclose(a, b, atol=1e-7) for a, b in zip(adam_decay, decoupled))}"
)
#> Adam(weight_decay) == AdamW: True
# --8<-- [end:weight-decay]

# --8<-- [start:early-stopping]
val_losses = [1.0, 0.8, 0.7, 0.72, 0.71, 0.75, 0.6]  # the last one is never reached
model = keras_model()
stopper = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
stopper.set_model(model)  # what fit() does, here with losses we know
model.stop_training = False
stopper.on_train_begin()
for epoch, val_loss in enumerate(val_losses):
    model.layers[0].bias.assign(tf.fill([4], float(epoch)))  # this epoch's training
    stopper.on_epoch_end(epoch, {"val_loss": val_loss})
    if model.stop_training:
        break
stopper.on_train_end()
print(f"stopped after epoch {epoch}, weights of epoch {model.layers[0].bias[0]:.0f}")
#> stopped after epoch 4, weights of epoch 2
# --8<-- [end:early-stopping]

# --8<-- [start:freeze]
model = keras_model()
model.layers[0].trainable = False  # before compile(): compile reads it
trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
print(f"trainable parameters: {trainable} of {model.count_params()}")
#> trainable parameters: 5 of 41
frozen_start = model.layers[0].get_weights()[0]
head_start = model.layers[1].get_weights()[0]
# The same 3 full-batch SGD steps, through fit().
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss="mse")
model.fit(x, y, batch_size=len(x), epochs=3, shuffle=False, verbose=0)
frozen_now = model.layers[0].get_weights()[0]
head_now = model.layers[1].get_weights()[0]
print(f"frozen layer unchanged: {np.array_equal(frozen_now, frozen_start)}")
#> frozen layer unchanged: True
print(f"head changed: {not np.array_equal(head_now, head_start)}")
#> head changed: True
keras_head = model.layers[1].get_weights()

# In Keras, trainable=False also puts a BatchNormalization layer in inference mode.
with tf.device(tf_device):
    bn = keras.layers.BatchNormalization()
    bn.trainable = False
    bn(x[:, :4] + 3, training=True)
moved = float(tf.reduce_sum(tf.abs(bn.moving_mean))) > 0
print(f"frozen BatchNormalization's moving mean moved: {moved}")
#> frozen BatchNormalization's moving mean moved: False
# --8<-- [end:freeze]

# --8<-- [start:determinism]
# Every op then picks a deterministic kernel, or raises where it has none.
tf.config.experimental.enable_op_determinism()


def seeded_run():
    keras.utils.set_random_seed(0)  # Python's, NumPy's and TensorFlow's seeds
    with tf.device(tf_device):
        model = keras.Sequential(
            [
                keras.Input((8,)),
                keras.layers.Dense(32),
                keras.layers.Dropout(0.2),
                keras.layers.Dense(1),
            ]
        )
    model.compile(optimizer=keras.optimizers.AdamW(0.01), loss="mse")
    model.fit(x, y, batch_size=8, epochs=3, shuffle=True, verbose=0)
    return model.get_weights()


first_run, second_run = seeded_run(), seeded_run()
print(
    f"two runs bitwise equal: "
    f"{all(np.array_equal(a, b) for a, b in zip(first_run, second_run))}"
)
#> two runs bitwise equal: True
# --8<-- [end:determinism]
