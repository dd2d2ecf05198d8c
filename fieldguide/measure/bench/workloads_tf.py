"""The workloads in TensorFlow with Keras layers: eager, `tf.function`, `tf.function(jit_compile=True)`,
and Keras `fit` against a hand-written loop (group API)."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras
import numpy as np
import tensorflow as tf

from fieldguide.measure.bench.task import (
    D_MODEL,
    FF,
    HEADS,
    KERAS_FIT_STEPS,
    MLP_SIZES,
    TRAIN_BATCH,
    Task,
    batch_for,
    seq_for,
)

MODES = ("eager", "function", "xla")
API_MODES = ("fit_jit_auto", "fit_jit_false", "loop")
DEVICE = "/CPU:0"

QUICK = False


def configure(threads: int, device: str) -> None:
    """Before any op runs: intra-op threads as asked, one inter-op thread; on GPU memory growth on, TF32 off."""
    global DEVICE
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    if device == "cuda":
        for gpu in tf.config.list_physical_devices("GPU"):
            tf.config.experimental.set_memory_growth(gpu, True)
        tf.config.experimental.enable_tensor_float_32_execution(False)
        DEVICE = "/GPU:0"


def sync() -> None:
    if DEVICE != "/CPU:0":
        tf.test.experimental.sync_devices()


def device_peak_mib() -> float | None:
    if DEVICE == "/CPU:0":
        return None
    return tf.config.experimental.get_memory_info("GPU:0")["peak"] / 2**20


def reset_device_peak() -> None:
    if DEVICE != "/CPU:0":
        tf.config.experimental.reset_memory_stats("GPU:0")


def build(model: str) -> keras.Model:
    keras.utils.set_random_seed(0)
    if model in MLP_SIZES:
        sizes = MLP_SIZES[model]
        layers = [keras.Input((sizes[0],))]
        layers += [keras.layers.Dense(n, activation="relu") for n in sizes[1:-1]]
        return keras.Sequential([*layers, keras.layers.Dense(sizes[-1])])
    if model == "cnn":  # NHWC, TensorFlow's native layout on CPU
        return keras.Sequential(
            [
                keras.Input((32, 32, 3)),
                keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
                keras.layers.MaxPooling2D(2),
                keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
                keras.layers.MaxPooling2D(2),
                keras.layers.Flatten(),
                keras.layers.Dense(10),
            ]
        )
    if model == "transformer":  # post-norm, ReLU feed-forward: PyTorch's TransformerEncoderLayer defaults
        inputs = keras.Input((seq_for(QUICK), D_MODEL))
        x = inputs
        for _ in range(2):
            att = keras.layers.MultiHeadAttention(HEADS, D_MODEL // HEADS)(x, x)
            x = keras.layers.LayerNormalization(epsilon=1e-5)(x + att)
            ff = keras.layers.Dense(D_MODEL)(keras.layers.Dense(FF, activation="relu")(x))
            x = keras.layers.LayerNormalization(epsilon=1e-5)(x + ff)
        return keras.Model(inputs, x)
    if model == "linreg":
        return keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    raise ValueError(f"unknown model {model!r}")


def data(model: str, batch: int, steps: int = 1):
    rng = np.random.default_rng(1)
    n = batch * steps
    if model in MLP_SIZES:
        x, y = rng.standard_normal((n, 784), dtype=np.float32), rng.integers(0, 10, n)
    elif model == "cnn":
        x, y = rng.standard_normal((n, 32, 32, 3), dtype=np.float32), rng.integers(0, 10, n)
    elif model == "transformer":
        x, y = (
            rng.standard_normal((n, seq_for(QUICK), D_MODEL), dtype=np.float32),
            rng.standard_normal((n, seq_for(QUICK), D_MODEL), dtype=np.float32),
        )
    else:
        x = rng.random((n, 1), dtype=np.float32)
        y = (2 * x + 1 + 0.1 * rng.standard_normal((n, 1))).astype(np.float32)
    return x, y


def loss_fn(model: str):
    if model in MLP_SIZES or model == "cnn":
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    return keras.losses.MeanSquaredError()


def wrap(fn, mode: str):
    if mode == "eager":
        return fn
    return tf.function(fn, jit_compile=(mode == "xla"))


def train_step(model: str, mode: str):
    def make():
        with tf.device(DEVICE):
            net = build(model)
            opt = keras.optimizers.SGD(0.01)
            x, y = (tf.constant(a) for a in data(model, batch_for(TRAIN_BATCH[model], QUICK)))
            lossf = loss_fn(model)

            def step():
                with tf.GradientTape() as tape:
                    loss = lossf(y, net(x, training=True))
                grads = tape.gradient(loss, net.trainable_variables)
                opt.apply_gradients(zip(grads, net.trainable_variables))
                return loss

            return wrap(step, mode)

    return make


def infer_call(model: str, batch: int, mode: str):
    def make():
        with tf.device(DEVICE):
            net = build(model)
            x = tf.constant(data(model, batch)[0])
            return wrap(lambda: net(x, training=False), mode)

    return make


def keras_api(mode: str):
    """KERAS_FIT_STEPS training steps of mlp_small per call: through fit, or a loop over a tf.function step."""
    model, batch = "mlp_small", batch_for(TRAIN_BATCH["mlp_small"], QUICK)

    def make():
        with tf.device(DEVICE):
            net = build(model)
            x, y = data(model, batch, KERAS_FIT_STEPS)
            if mode == "loop":
                opt, lossf = keras.optimizers.SGD(0.01), loss_fn(model)
                batches = [
                    (tf.constant(x[i : i + batch]), tf.constant(y[i : i + batch])) for i in range(0, len(x), batch)
                ]

                @tf.function
                def step(xb, yb):
                    with tf.GradientTape() as tape:
                        loss = lossf(yb, net(xb, training=True))
                    opt.apply_gradients(zip(tape.gradient(loss, net.trainable_variables), net.trainable_variables))
                    return loss

                def loop():
                    for xb, yb in batches:
                        loss = step(xb, yb)
                    return loss

                return loop
            jit = "auto" if mode == "fit_jit_auto" else False
            net.compile(optimizer=keras.optimizers.SGD(0.01), loss=loss_fn(model), jit_compile=jit)
            return lambda: net.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=False)

    return make


def gemm(n: int, dtype):
    def make():
        rng = np.random.default_rng(0)
        with tf.device(DEVICE):
            a = tf.cast(tf.constant(rng.standard_normal((n, n), dtype=np.float32)), dtype)
            b = tf.cast(tf.constant(rng.standard_normal((n, n), dtype=np.float32)), dtype)
            return lambda: tf.linalg.matmul(a, b)

    return make


def task_for(row: dict, mode: str, options: dict) -> Task:
    """One row of the plan: {"model", "task", "batch", "variant"} in `mode`; the variants
    fit_jit_auto, fit_jit_false and loop train mlp_small through Keras fit or a loop."""
    global QUICK
    QUICK = options.get("quick", False)
    if mode not in MODES:
        raise ValueError(f"tensorflow mode {mode!r}: expected one of {MODES}")
    model, task, batch, variant = row["model"], row["task"], row["batch"], row["variant"]
    if variant in API_MODES:
        return Task(model, task, batch, keras_api(variant), variant=variant, steps_per_call=KERAS_FIT_STEPS)
    if task == "matmul":
        dtype = tf.bfloat16 if variant == "bf16" else tf.float32
        return Task(model, task, batch, gemm(batch, dtype), variant=variant, flops=2.0 * batch**3)
    if variant != "default":
        raise ValueError(f"tensorflow has no variant {variant!r}")
    if task == "train":
        return Task(model, task, batch, train_step(model, mode))
    if task == "infer":
        return Task(model, task, batch, infer_call(model, batch, mode))
    raise ValueError(f"tensorflow has no task {task!r}")
